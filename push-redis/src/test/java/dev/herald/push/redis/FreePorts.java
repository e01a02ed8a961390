package dev.herald.push.redis;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free ports for servers that a test stops and starts again on the same port. They come from below
 * the kernel's ephemeral range: a client reconnecting to a port in that range while nothing listens
 * can be given that very port as its own and connect to itself (a TCP self-connect), which then
 * blocks the restart. Thread-safe.
 */
final class FreePorts {
  private FreePorts() {}

  static int pick() {
    int low = 10_000;
    int high = ephemeralLow();
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(low, high);
      try (ServerSocket socket = new ServerSocket()) {
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return port;
      } catch (IOException e) {
        // Taken; try another.
      }
    }
    throw new IllegalStateException("no free port between " + low + " and " + high);
  }

  private static int ephemeralLow() {
    try {
      String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
      int low = Integer.parseInt(range.split("\\s+")[0]);
      return low > 11_000 ? low : 32_768;
    } catch (IOException | RuntimeException e) {
      return 32_768;
    }
  }
}
