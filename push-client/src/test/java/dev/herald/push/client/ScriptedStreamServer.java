package dev.herald.push.client;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A raw-socket server that answers every {@code /push/stream} request with the same NDJSON lines
 * and then ends the response, for frames a real Herald server never sends. One thread per
 * connection; closing it closes every socket.
 */
final class ScriptedStreamServer implements AutoCloseable {
  private final ServerSocket listener;
  private final List<String> lines;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  final List<String> requests = new CopyOnWriteArrayList<>();

  ScriptedStreamServer(List<String> lines) throws IOException {
    this.lines = List.copyOf(lines);
    listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "scripted-server");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  URI base() {
    return URI.create("http://127.0.0.1:" + listener.getLocalPort() + "/push");
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket socket = listener.accept();
        sockets.add(socket);
        Thread t = new Thread(() -> serve(socket), "scripted-server-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      String requestLine = in.readLine();
      for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
        // Headers are not needed.
      }
      if (requestLine == null) {
        return;
      }
      requests.add(requestLine);
      OutputStream out = socket.getOutputStream();
      StringBuilder body = new StringBuilder();
      for (String line : lines) {
        body.append(line).append('\n');
      }
      byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
      out.write(
          ("HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nContent-Length: "
                  + bytes.length
                  + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(bytes);
      out.flush();
    } catch (IOException e) {
      // The client went away.
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    for (Socket s : sockets) {
      s.close();
    }
  }
}
