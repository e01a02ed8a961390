package dev.herald.push.sample;

import dev.herald.push.PushHub;
import dev.herald.push.servlet.PushServlet;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application that was there before Herald: a servlet at {@code /orders} that takes orders
 * ({@code POST item=…}) and lists them ({@code GET}). Its Herald lines publish {@code
 * order.created} on the channel {@code orders} after an order is stored, and log a publish that
 * fails. Thread-safe.
 */
public class OrderServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(OrderServlet.class);
  private static final int MAX_ITEM_LENGTH = 100;

  private final transient List<String> orders = new CopyOnWriteArrayList<>();
  private final transient AtomicLong ids = new AtomicLong();
  private transient PushHub hub;

  /** Creates the servlet; the container calls this. */
  public OrderServlet() {}

  /** Finds the hub that {@link HeraldSetup} shared, which ran before any servlet starts. */
  @Override
  public void init() throws ServletException {
    hub = (PushHub) getServletContext().getAttribute(PushServlet.HUB_ATTRIBUTE);
    if (hub == null) {
      throw new ServletException("no PushHub: is HeraldSetup declared in web.xml?");
    }
  }

  /** Lists the orders taken so far, one {@code id item} a line. */
  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    response.setContentType("text/plain;charset=UTF-8");
    StringBuilder body = new StringBuilder();
    orders.forEach(order -> body.append(order).append('\n'));
    response.getWriter().write(body.toString());
  }

  /** Takes an order for {@code item} and answers {@code 201} with its id. */
  @Override
  protected void doPost(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    String item = request.getParameter("item");
    item = item == null ? "" : item.strip();
    if (item.isEmpty() || item.length() > MAX_ITEM_LENGTH) {
      response.sendError(
          HttpServletResponse.SC_BAD_REQUEST,
          "item must be 1 to " + MAX_ITEM_LENGTH + " characters");
      return;
    }
    long id = ids.incrementAndGet();
    orders.add(id + " " + item);

    // The Herald lines: every subscriber of "orders" sees the new order at once. The order is
    // taken whether or not the push succeeds; a failure (hub closed, broker unreachable) is logged.
    hub.channel("orders")
        .publish("order.created", Map.of("id", id, "item", item))
        .whenComplete(
            (message, error) -> {
              if (error != null) {
                LOG.warn("Order {} was not pushed", id, error);
              }
            });

    response.setStatus(HttpServletResponse.SC_CREATED);
    response.setHeader("Location", request.getRequestURI() + "/" + id);
    response.setContentType("text/plain;charset=UTF-8");
    response.getWriter().write(String.valueOf(id));
  }
}
