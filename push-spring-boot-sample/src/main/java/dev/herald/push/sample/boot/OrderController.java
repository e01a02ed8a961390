package dev.herald.push.sample.boot;

import dev.herald.push.PushHub;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The board's API. Placing goes through {@link OrderService}; shipping publishes right here, on
 * {@code orders} for everyone and {@code orders/admin} for the admins.
 */
@RestController
class OrderController {
  private final OrderService orders;
  private final PushHub hub;

  OrderController(OrderService orders, PushHub hub) {
    this.orders = orders;
    this.hub = hub;
  }

  /** Who is signed in, for the page. */
  @GetMapping("/me")
  Map<String, String> me(Principal user) {
    return Map.of("name", user.getName());
  }

  @GetMapping("/orders")
  List<OrderService.Order> all() {
    return orders.all();
  }

  /** Places an order for the signed-in user: {@code {"item": "..."}}. */
  @PostMapping("/orders")
  ResponseEntity<OrderService.Order> place(@RequestBody Map<String, String> body, Principal user)
      throws Exception {
    String item = body.get("item");
    if (item == null || item.isBlank() || item.length() > 100) {
      return ResponseEntity.badRequest().build();
    }
    return ResponseEntity.status(HttpStatus.CREATED)
        .body(orders.place(item.strip(), user.getName()));
  }

  /** Ships an order: admins only. */
  @PostMapping("/orders/{id}/ship")
  @PreAuthorize("hasRole('ADMIN')")
  OrderService.Order ship(@PathVariable("id") long id, Principal admin) {
    OrderService.Order order = orders.ship(id);
    hub.channel("orders").publish("order.shipped", order);
    hub.channel("orders/admin")
        .publish("order.shipped", Map.of("id", order.id(), "by", admin.getName()));
    return order;
  }

  @ExceptionHandler(IllegalArgumentException.class)
  ResponseEntity<Map<String, String>> unknown(IllegalArgumentException e) {
    return ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("error", e.getMessage()));
  }
}
