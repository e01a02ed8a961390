package dev.herald.push.sample.boot;

import dev.herald.push.PushHub;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * The board's orders, kept in memory, and what is pushed when one is placed: {@code order.created}
 * to everyone on {@code orders}, {@code order.placed} to its customer on {@code user/<name>}.
 * Thread-safe.
 */
@Service
class OrderService {
  private static final Logger LOG = LoggerFactory.getLogger(OrderService.class);

  /** One order on the board. */
  record Order(long id, String item, String customer, String placedAt, boolean shipped) {}

  private final PushHub hub;
  private final AtomicLong ids = new AtomicLong();
  private final Map<Long, Order> orders = new ConcurrentSkipListMap<>();

  OrderService(PushHub hub) {
    this.hub = hub;
  }

  /**
   * Places an order and answers once Herald has stored the board's message, so a client that
   * reloads the board right after sees it in the history.
   */
  Order place(String item, String customer) throws Exception {
    Order order = new Order(ids.incrementAndGet(), item, customer, Instant.now().toString(), false);
    orders.put(order.id(), order);
    hub.channel("user/" + customer)
        .publish("order.placed", order)
        .whenComplete(
            (message, error) -> {
              if (error != null) {
                LOG.warn("Order {} was not pushed to {}", order.id(), customer, error);
              }
            });
    hub.channel("orders")
        .publish("order.created", order)
        .toCompletableFuture()
        .get(2, TimeUnit.SECONDS);
    return order;
  }

  /** Marks an order shipped; the caller pushes the news. */
  Order ship(long id) {
    Order shipped =
        orders.computeIfPresent(
            id, (key, o) -> new Order(o.id(), o.item(), o.customer(), o.placedAt(), true));
    if (shipped == null) {
      throw new IllegalArgumentException("no order " + id);
    }
    return shipped;
  }

  List<Order> all() {
    return List.copyOf(orders.values());
  }
}
