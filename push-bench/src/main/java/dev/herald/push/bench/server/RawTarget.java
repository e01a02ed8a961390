package dev.herald.push.bench.server;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.SendHandler;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;

/**
 * The container's own cost, our floor: the least code that broadcasts over Jetty 12.
 *
 * <ul>
 *   <li>{@code /raw/ws?channel=n}: a Jakarta WebSocket endpoint; a publish sends the message to
 *       each session of the channel with its own asynchronous {@code sendText}, from the publisher
 *       thread. Jetty queues what the peer cannot take yet, without a bound.
 *   <li>{@code /raw/sse?channel=n}: an async servlet that keeps the response open; a publish writes
 *       {@code data: …\n\n} and flushes, a blocking write from the publisher thread.
 *   <li>{@code /raw/poll}: an async request held open and never answered, the floor of a held long
 *       poll.
 *   <li>{@code POST /raw/publish?channel=n}: the body is the message; broadcast as the publisher
 *       thread does, from the request's thread, then answered {@code 202} with no body. The floor
 *       of Herald's {@code POST /push/publish}, for an outside publisher.
 * </ul>
 *
 * No history, no resume, no limits: what a naive application would write by hand.
 */
final class RawTarget implements Target {
  private static final SendHandler IGNORE = result -> {};

  private final ConcurrentHashMap<Integer, Set<Session>> sockets = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Integer, Set<AsyncContext>> streams = new ConcurrentHashMap<>();
  private final Set<AsyncContext> polls = ConcurrentHashMap.newKeySet();

  @Override
  public void install(ServletContextHandler context) {
    context.addServlet(new ServletHolder(new SseServlet()), "/raw/sse");
    context.addServlet(new ServletHolder(new PollServlet()), "/raw/poll");
    context.addServlet(new ServletHolder(new PublishServlet()), "/raw/publish");
    JakartaWebSocketServletContainerInitializer.configure(
        context,
        (servletContext, container) ->
            container.addEndpoint(
                ServerEndpointConfig.Builder.create(SocketEndpoint.class, "/raw/ws")
                    .configurator(
                        new ServerEndpointConfig.Configurator() {
                          @Override
                          public <T> T getEndpointInstance(Class<T> type) {
                            return type.cast(new SocketEndpoint());
                          }
                        })
                    .build()));
  }

  private static int channelOf(String value) {
    return value == null ? 0 : Integer.parseInt(value);
  }

  private Set<Session> sockets(int channel) {
    return sockets.computeIfAbsent(channel, n -> ConcurrentHashMap.newKeySet());
  }

  private Set<AsyncContext> streams(int channel) {
    return streams.computeIfAbsent(channel, n -> ConcurrentHashMap.newKeySet());
  }

  @Override
  public void publish(int channel, String json) {
    for (Session session : sockets(channel)) {
      session.getAsyncRemote().sendText(json, IGNORE);
    }
    Set<AsyncContext> subscribers = streams(channel);
    if (subscribers.isEmpty()) {
      return;
    }
    byte[] event = ("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8);
    for (AsyncContext async : subscribers) {
      try {
        ServletOutputStream out = async.getResponse().getOutputStream();
        out.write(event);
        out.flush();
      } catch (IOException | RuntimeException e) {
        subscribers.remove(async);
        async.complete();
      }
    }
  }

  @Override
  public int connections() {
    int n = polls.size();
    for (Set<Session> set : sockets.values()) {
      n += set.size();
    }
    for (Set<AsyncContext> set : streams.values()) {
      n += set.size();
    }
    return n;
  }

  /** One per socket; registers the session with its channel. */
  public final class SocketEndpoint extends Endpoint {
    private int channel;

    @Override
    public void onOpen(Session session, EndpointConfig config) {
      List<String> values = session.getRequestParameterMap().get("channel");
      channel = channelOf(values == null ? null : values.get(0));
      sockets(channel).add(session);
    }

    @Override
    public void onClose(Session session, CloseReason reason) {
      sockets(channel).remove(session);
    }

    @Override
    public void onError(Session session, Throwable error) {
      sockets(channel).remove(session);
    }
  }

  /** Removes a held request from its set once it ends. */
  private static void removeWhenDone(AsyncContext async, Set<AsyncContext> set) {
    async.addListener(
        new jakarta.servlet.AsyncListener() {
          @Override
          public void onComplete(jakarta.servlet.AsyncEvent event) {
            set.remove(async);
          }

          @Override
          public void onTimeout(jakarta.servlet.AsyncEvent event) {
            set.remove(async);
          }

          @Override
          public void onError(jakarta.servlet.AsyncEvent event) {
            set.remove(async);
          }

          @Override
          public void onStartAsync(jakarta.servlet.AsyncEvent event) {}
        });
  }

  /**
   * Broadcasts each request's body. Requests pipelined on one connection are served one after the
   * other, so {@link #publish} is still never called concurrently from one publisher.
   */
  private final class PublishServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      String json = new String(request.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      publish(channelOf(request.getParameter("channel")), json);
      response.setStatus(202);
    }
  }

  /** Holds each request open, unanswered. */
  private final class PollServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) {
      AsyncContext async = request.startAsync();
      async.setTimeout(0);
      polls.add(async);
      removeWhenDone(async, polls);
    }
  }

  /** Holds each request open as an event stream. */
  private final class SseServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      int channel = channelOf(request.getParameter("channel"));
      response.setContentType("text/event-stream");
      response.setCharacterEncoding("UTF-8");
      response.setHeader("Cache-Control", "no-cache");
      AsyncContext async = request.startAsync();
      async.setTimeout(0);
      response.flushBuffer();
      Set<AsyncContext> subscribers = streams(channel);
      subscribers.add(async);
      removeWhenDone(async, subscribers);
    }
  }
}
