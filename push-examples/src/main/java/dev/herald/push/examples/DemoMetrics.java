package dev.herald.push.examples;

import dev.herald.push.PushHub;
import dev.herald.push.micrometer.HeraldChannelMetrics;
import dev.herald.push.micrometer.HeraldMeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;

/**
 * The demo's metrics: Herald's meters, one set per demo app's channels, and a few JVM ones, served
 * as Prometheus text at {@code /metrics}. The lines an application adds for the same. Thread-safe.
 */
final class DemoMetrics {
  /** The Prometheus text format that {@link PrometheusMeterRegistry#scrape()} writes. */
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private DemoMetrics() {}

  /**
   * Meters per demo app, tagged with the app's channel pattern; the hub's builder takes it as its
   * observer.
   */
  static HeraldChannelMetrics channels() {
    return HeraldChannelMetrics.builder()
        .pattern("chat/*")
        .pattern("presence/*")
        .pattern("prices/*")
        .pattern("user/*")
        .pattern("answer/*")
        .build();
  }

  /** Binds the hub's meters and serves them at {@code /metrics}. */
  static PrometheusMeterRegistry mount(
      ServletContextHandler context, PushHub hub, HeraldChannelMetrics channels) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new HeraldMeterBinder(hub).bindTo(registry);
    channels.bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    context.addServlet(new ServletHolder("metrics", new MetricsServlet(registry)), "/metrics");
    return registry;
  }

  /** Answers {@code GET /metrics} with a scrape. */
  private static final class MetricsServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final transient PrometheusMeterRegistry registry;

    MetricsServlet(PrometheusMeterRegistry registry) {
      this.registry = registry;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      response.setContentType(CONTENT_TYPE);
      response.setHeader("Cache-Control", "no-store");
      try (OutputStream out = response.getOutputStream()) {
        registry.scrape(out);
      }
    }
  }
}
