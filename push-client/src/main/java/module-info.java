/**
 * Herald's Java client: receives channel messages over WebSocket, Server-Sent Events, NDJSON
 * streaming or long polling, resumes after drops without loss or duplicates, and publishes. The one
 * exported package, {@code dev.herald.push.client}, starts at {@link
 * dev.herald.push.client.HeraldClient}.
 */
module dev.herald.push.client {
  // Message and EphemeralMessage appear in the client's API (subscribe's handlers).
  requires transitive dev.herald.push;
  // HeraldClient.Builder takes an ObjectMapper and an HttpClient.
  requires transitive com.fasterxml.jackson.databind;
  requires transitive java.net.http;
  requires org.slf4j;

  exports dev.herald.push.client;
}
