package dev.herald.push.servlet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The kernel's view of this process's TCP connections, from {@code /proc/net/tcp} and {@code
 * /proc/net/tcp6} (Linux): whether the server side of one connection still holds a file descriptor
 * or unsent bytes. The tests run the server in-process, so its sockets are listed here.
 */
final class KernelSockets {
  private static final List<Path> TABLES =
      List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));

  /**
   * One socket of the connection: its TCP state (1 established, 4 FIN-WAIT-1, …), the bytes in its
   * send queue and its inode, 0 once no file descriptor refers to it.
   */
  record Entry(int state, long sendQueue, long inode) {
    /** Whether the socket still holds a file descriptor or unsent bytes. */
    boolean holds() {
      return inode != 0 || sendQueue > 0;
    }
  }

  private KernelSockets() {}

  /** Whether the tables can be read here. */
  static boolean available() {
    return Files.isReadable(TABLES.get(0));
  }

  /**
   * The server-side sockets with local port {@code serverPort} and peer port {@code clientPort}.
   */
  static List<Entry> serverSide(int serverPort, int clientPort) {
    String local = String.format(":%04X", serverPort);
    String remote = String.format(":%04X", clientPort);
    List<Entry> found = new ArrayList<>();
    for (Path table : TABLES) {
      List<String> lines;
      try {
        lines = Files.readAllLines(table);
      } catch (IOException e) {
        if (Files.exists(table)) {
          throw new UncheckedIOException(e);
        }
        continue;
      }
      for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
        String[] f = line.trim().split("\\s+");
        if (f.length > 9 && f[1].endsWith(local) && f[2].endsWith(remote)) {
          long sendQueue = Long.parseLong(f[4].substring(0, f[4].indexOf(':')), 16);
          found.add(new Entry(Integer.parseInt(f[3], 16), sendQueue, Long.parseLong(f[9])));
        }
      }
    }
    return found;
  }

  /** Whether the server side of the connection still holds a file descriptor or unsent bytes. */
  static boolean held(int serverPort, int clientPort) {
    return serverSide(serverPort, clientPort).stream().anyMatch(Entry::holds);
  }

  /** Whether the server side of the connection has bytes the client has not read. */
  static boolean stalled(int serverPort, int clientPort) {
    return serverSide(serverPort, clientPort).stream()
        .anyMatch(e -> e.inode() != 0 && e.sendQueue() > 0);
  }
}
