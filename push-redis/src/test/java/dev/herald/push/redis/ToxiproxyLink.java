package dev.herald.push.redis;

import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.ToxiproxyClient;
import java.io.IOException;
import org.testcontainers.containers.Network;
import org.testcontainers.toxiproxy.ToxiproxyContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A Toxiproxy container in front of a Redis container, both on Testcontainers' shared network.
 * Disabling the proxy drops every connection through it and stops it listening, as {@link
 * TcpProxy#cut()} does; enabling it listens again on the same port, so the URI stays valid. One
 * difference remains: while the proxy is disabled, Docker's port forwarding on the host still
 * accepts a connection and then closes it, where a cut {@link TcpProxy} refuses it; to the node
 * under test both are a Redis it cannot reach. Thread-safe.
 */
final class ToxiproxyLink implements RedisLink {
  private static final String IMAGE = "ghcr.io/shopify/toxiproxy:2.5.0";
  private static final int PROXY_PORT = 8666;

  private final ToxiproxyContainer container;
  private final Proxy proxy;
  private final String uri;

  private ToxiproxyLink(ToxiproxyContainer container, Proxy proxy, String uri) {
    this.container = container;
    this.proxy = proxy;
    this.uri = uri;
  }

  /** Starts a proxy to {@code upstream}, a {@code host:port} on the shared network. */
  static ToxiproxyLink to(String upstream) {
    ToxiproxyContainer container =
        new ToxiproxyContainer(DockerImageName.parse(IMAGE)).withNetwork(Network.SHARED);
    container.start();
    try {
      String host = "localhost".equals(container.getHost()) ? "127.0.0.1" : container.getHost();
      Proxy proxy =
          new ToxiproxyClient(host, container.getControlPort())
              .createProxy("redis", "0.0.0.0:" + PROXY_PORT, upstream);
      return new ToxiproxyLink(
          container, proxy, "redis://" + host + ":" + container.getMappedPort(PROXY_PORT));
    } catch (IOException | RuntimeException e) {
      container.stop();
      throw new IllegalStateException("cannot create a Toxiproxy proxy to " + upstream, e);
    }
  }

  @Override
  public String uri() {
    return uri;
  }

  @Override
  public void cut() throws IOException {
    proxy.disable();
  }

  @Override
  public void restore() throws IOException {
    proxy.enable();
  }

  @Override
  public void close() {
    container.stop();
  }
}
