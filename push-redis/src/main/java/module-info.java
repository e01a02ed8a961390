/** Herald's Redis broker: history in streams, live messages and presence across nodes. */
module dev.herald.push.redis {
  requires transitive dev.herald.push;
  // Lettuce has no module descriptor; this is its Automatic-Module-Name.
  requires lettuce.core;
  requires org.slf4j;

  exports dev.herald.push.redis;
}
