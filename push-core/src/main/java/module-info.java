/**
 * Herald's core: the application API in {@code dev.herald.push} and the service-provider interfaces
 * for transports and brokers in {@code dev.herald.push.spi}. Nothing else is exported.
 */
module dev.herald.push {
  // JsonCodec and PushHub.Builder.objectMapper speak Jackson's types.
  requires transitive com.fasterxml.jackson.databind;
  requires org.slf4j;

  exports dev.herald.push;
  exports dev.herald.push.spi;
}
