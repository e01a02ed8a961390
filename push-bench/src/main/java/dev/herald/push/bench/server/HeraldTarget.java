package dev.herald.push.bench.server;

import dev.herald.push.Channel;
import dev.herald.push.ClientMessageHandler;
import dev.herald.push.InMemoryBroker;
import dev.herald.push.PushHub;
import dev.herald.push.redis.RedisBroker;
import dev.herald.push.servlet.PushServlet;
import dev.herald.push.spi.Broker;
import dev.herald.push.websocket.PushWebSocket;
import dev.herald.push.websocket.PushWebSocketOptions;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;

/**
 * Herald with its defaults and the in-memory broker, mounted as an application would: SSE, NDJSON
 * and long polling at {@code /push/*}, WebSocket at {@code /push/ws}. Channel {@code n} is {@code
 * bench/n}, open to client messages so that an outside publisher can use {@code POST
 * /push/publish}.
 */
final class HeraldTarget implements Target {
  // The load tool opens up to 15,000 connections from one address, as fast as it can. Its HTTP
  // publisher (--publisher http) publishes to bench/* with POST /push/publish.
  private final PushHub hub =
      PushHub.builder()
          .broker(broker())
          .noConnectionLimits()
          .acceptClientMessages("bench/*", ClientMessageHandler.PASS_THROUGH)
          .build();
  private final ConcurrentHashMap<Integer, Channel> channels = new ConcurrentHashMap<>();

  /**
   * The in-memory broker, or with {@code -Dbench.redis=URI} (the scaling curve, {@code ScaleCurve})
   * a {@code RedisBroker} on that Redis or Redis Cluster, shared with the other nodes, with a
   * command timeout of {@code -Dbench.redisTimeoutMs} (default 2,000).
   */
  private static Broker broker() {
    String redis = System.getProperty("bench.redis");
    if (redis == null || redis.isEmpty()) {
      return InMemoryBroker.create();
    }
    return RedisBroker.builder()
        .redisUri(redis)
        .commandTimeout(Duration.ofMillis(Long.getLong("bench.redisTimeoutMs", 2000)))
        .build();
  }

  @Override
  public void install(ServletContextHandler context) {
    context.addServletContainerInitializer(
        (classes, servletContext) ->
            PushServlet.builder(hub).build().register(servletContext, "/push/*"));
    JakartaWebSocketServletContainerInitializer.configure(
        context,
        (servletContext, container) ->
            PushWebSocket.register(
                servletContext, hub, "/push/ws", PushWebSocketOptions.defaults()));
  }

  @Override
  public void publish(int channel, String json) {
    channels
        .computeIfAbsent(channel, n -> hub.channel("bench/" + n))
        .publishJson("m", json)
        .exceptionally(
            e -> {
              System.err.println("publish failed: " + e);
              return null;
            });
  }

  @Override
  public int connections() {
    return hub.connectionCount();
  }

  @Override
  public void close() {
    hub.close();
  }
}
