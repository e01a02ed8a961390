package dev.herald.push.redis;

import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Ports;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.utility.DockerImageName;

/**
 * Redis in a Docker container started by Testcontainers, without persistence unless a test sends
 * {@code SAVE}.
 *
 * <p>Restarting must keep the address, since the nodes under test reconnect to the URI they were
 * given. Docker assigns a new random host port each time a container with a dynamic binding starts,
 * so the container publishes Redis on a fixed host port picked like the local server's (free, below
 * the ephemeral range, see {@link FreePorts}). {@link #kill()} and {@link #restart()} stop and
 * start the same container through the Docker API rather than through Testcontainers, which would
 * create a new container: the fixed binding and the {@code /data} volume, where {@code SAVE} wrote
 * its snapshot, stay, just as a local server restarts on its port and loads its snapshot. A proxy
 * on a stable port in front of the container would also keep the address, but would hide the
 * refused connections of a dead server behind a live listener.
 *
 * <p>The container joins Testcontainers' shared network under its own alias, so that a {@link
 * ToxiproxyLink} can reach it. Not thread-safe.
 */
final class ContainerRedis implements RedisServer.Backend {
  private static final int REDIS_PORT = 6379;

  private final GenericContainer<?> container;
  private final String image;
  private final String alias;
  private final int port;

  private ContainerRedis(GenericContainer<?> container, String image, String alias, int port) {
    this.container = container;
    this.image = image;
    this.alias = alias;
    this.port = port;
  }

  static ContainerRedis start(String image) {
    int port = FreePorts.pick();
    String alias = "redis-" + port;
    GenericContainer<?> container =
        new GenericContainer<>(DockerImageName.parse(image))
            // Clients come through Docker's port forwarding, not from the loopback address.
            .withCommand(
                "redis-server", "--save", "", "--appendonly", "no", "--protected-mode", "no")
            .withExposedPorts(REDIS_PORT)
            .withNetwork(Network.SHARED)
            .withNetworkAliases(alias)
            .withCreateContainerCmdModifier(
                cmd -> {
                  Ports bindings = new Ports();
                  bindings.bind(ExposedPort.tcp(REDIS_PORT), Ports.Binding.bindPort(port));
                  cmd.getHostConfig().withPortBindings(bindings);
                });
    container.start();
    ContainerRedis redis = new ContainerRedis(container, image, alias, port);
    redis.awaitPong();
    return redis;
  }

  @Override
  public String host() {
    String host = container.getHost();
    // Java resolves either the same way, but the tests name the address in expected messages.
    return "localhost".equals(host) ? "127.0.0.1" : host;
  }

  @Override
  public int port() {
    return port;
  }

  @Override
  public void kill() {
    DockerClient docker = DockerClientFactory.instance().client();
    String id = container.getContainerId();
    docker.killContainerCmd(id).withSignal("SIGKILL").exec();
    // Docker may report the container stopped a moment before it stops forwarding the port; wait
    // until the port refuses connections, as a dead local server's does.
    await(describe() + " killed")
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () ->
                !Boolean.TRUE.equals(docker.inspectContainerCmd(id).exec().getState().getRunning())
                    && !accepts());
  }

  private boolean accepts() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host(), port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void restart() {
    DockerClientFactory.instance().client().startContainerCmd(container.getContainerId()).exec();
    awaitPong();
  }

  @Override
  public RedisLink link() {
    return ToxiproxyLink.to(alias + ":" + REDIS_PORT);
  }

  @Override
  public String describe() {
    return image + " container on port " + port;
  }

  private void awaitPong() {
    await(describe())
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .ignoreExceptions()
        .until(() -> "+PONG".equals(Resp.command(host(), port, "PING")));
  }

  @Override
  public void close() {
    container.stop();
  }
}
