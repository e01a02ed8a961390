package dev.herald.push.bench.server;

import com.fasterxml.jackson.databind.util.RawValue;
import java.util.HashMap;
import java.util.Map;
import org.cometd.bayeux.Promise;
import org.cometd.bayeux.server.BayeuxServer;
import org.cometd.bayeux.server.LocalSession;
import org.cometd.bayeux.server.ServerChannel;
import org.cometd.bayeux.server.ServerSession;
import org.cometd.server.AbstractServerTransport;
import org.cometd.server.BayeuxServerImpl;
import org.cometd.server.JacksonJSONContextServer;
import org.cometd.server.http.JSONHttpTransport;
import org.cometd.server.http.JSONPHttpTransport;
import org.cometd.server.http.jakarta.CometDServlet;
import org.cometd.server.websocket.common.AbstractWebSocketTransport;
import org.cometd.server.websocket.jetty.JettyWebSocketTransport;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Context;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.component.LifeCycle;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CometD 8 under test: a {@link CometDServlet} at {@value #URL_MAPPING} with the Jetty-native
 * WebSocket transport first and the HTTP long-polling transports after it. Channel {@code n} is the
 * Bayeux channel {@code /bench/n}; clients speak Bayeux over {@code ws://host:port/cometd}.
 *
 * <p>Why the wiring looks the way it does: CometD 8's {@link JettyWebSocketTransport} is built on
 * Jetty 12's core {@code ServerWebSocketContainer}, not on the ee10 {@code
 * JettyWebSocketServerContainer}. It looks the container up through the BayeuxServer option named
 * {@code org.eclipse.jetty.server.Context}, which {@link CometDServlet} never sets, so this class
 * creates the {@link BayeuxServerImpl} itself and hands it to the servlet. The core container needs
 * a {@link WebSocketUpgradeHandler} inside the context to see upgrade requests. The ee10 {@code
 * JettyWebSocketServletContainerInitializer} is no substitute: it registers an ee10 container under
 * the same context attribute, and without the upgrade handler the transport fails at start ({@code
 * Missing Context}, or a {@code ClassCastException} once that option is set).
 *
 * <p>The default JSON context of CometD needs {@code jetty-util-ajax}, which is not on the
 * classpath; Jackson is used instead, and a payload travels as a {@link RawValue}, so a broadcast
 * is neither parsed nor re-encoded: CometD serializes the message once per publish and every
 * subscriber's frame reuses that text.
 *
 * <p>Thread-safety: {@link #install} and {@link #close} run on the bench server's control thread,
 * {@link #publish} on the publisher thread only, {@link #connections} on any thread.
 */
public final class CometdTarget implements Target {
  private static final Logger LOG = LoggerFactory.getLogger(CometdTarget.class);

  /** Where the CometD servlet and its WebSocket endpoint listen, relative to the context. */
  public static final String URL_MAPPING = "/cometd/*";

  /** Channel {@code n} is published on {@code CHANNEL_PREFIX + n}. */
  public static final String CHANNEL_PREFIX = "/bench/";

  private final BayeuxServerImpl bayeux = new BayeuxServerImpl();
  // Confined to the publisher thread; channels are persistent, so a cached one is never swept.
  private final Map<Integer, ServerChannel> channels = new HashMap<>();
  private volatile LocalSession publisher;

  @Override
  public void install(ServletContextHandler context) {
    Server server = context.getServer();
    if (server == null) {
      throw new IllegalStateException(
          "the context must be attached to a Server (server.setHandler(context)) before install");
    }
    context.insertHandler(WebSocketUpgradeHandler.from(server, context));
    Context jettyContext = context.getContext();
    bayeux.setOption(Context.class.getName(), jettyContext);
    bayeux.addEventListener(
        new LifeCycle.Listener() {
          @Override
          public void lifeCycleStarted(LifeCycle event) {
            LocalSession session = bayeux.newLocalSession("bench-publisher");
            session.handshake();
            publisher = session;
          }
        });

    ServletHolder holder = new ServletHolder("cometd", new EmbeddedCometdServlet(bayeux));
    holder.setAsyncSupported(true);
    // Eager: the WebSocket mapping is only registered when the servlet initializes.
    holder.setInitOrder(1);
    holder.setInitParameter(
        BayeuxServerImpl.TRANSPORTS_OPTION,
        String.join(
            ",",
            JettyWebSocketTransport.class.getName(),
            JSONHttpTransport.class.getName(),
            JSONPHttpTransport.class.getName()));
    holder.setInitParameter(
        AbstractWebSocketTransport.PREFIX
            + "."
            + AbstractWebSocketTransport.COMETD_URL_MAPPING_OPTION,
        URL_MAPPING);
    holder.setInitParameter(
        AbstractServerTransport.JSON_CONTEXT_OPTION, JacksonJSONContextServer.class.getName());
    context.addServlet(holder, URL_MAPPING);
    LOG.info("CometD installed at {} (websocket, long-polling, callback-polling)", URL_MAPPING);
  }

  @Override
  public void publish(int channel, String json) {
    LocalSession from = publisher;
    if (from == null) {
      throw new IllegalStateException("CometD is not started");
    }
    channels
        .computeIfAbsent(channel, this::createChannel)
        .publish(from, new RawValue(json), Promise.noop());
  }

  private ServerChannel createChannel(int channel) {
    return bayeux
        .createChannelIfAbsent(CHANNEL_PREFIX + channel, c -> c.setPersistent(true))
        .getReference();
  }

  @Override
  public int connections() {
    int remote = 0;
    for (ServerSession session : bayeux.getSessions()) {
      if (!session.isLocalSession()) {
        remote++;
      }
    }
    return remote;
  }

  /** Disconnects the publisher; the servlet stops the BayeuxServer when Jetty stops. */
  @Override
  public void close() {
    LocalSession session = publisher;
    publisher = null;
    if (session != null && session.isHandshook()) {
      session.disconnect();
    }
  }

  /** Hands the pre-configured BayeuxServer to the servlet, which then applies its init params. */
  private static final class EmbeddedCometdServlet extends CometDServlet {
    private static final long serialVersionUID = 1L;
    private final transient BayeuxServer bayeux;

    EmbeddedCometdServlet(BayeuxServer bayeux) {
      this.bayeux = bayeux;
    }

    @Override
    protected BayeuxServer newBayeuxServer() {
      return bayeux;
    }
  }
}
