package dev.herald.push.client;

import dev.herald.push.Cursor;
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
 * A misbehaving server on a raw socket, for what a real Herald server never does: it answers {@code
 * /sse} with a ready event and then says nothing more (a dead peer behind a live TCP connection),
 * answers {@code /stream} with headers and no frame at all (a proxy that buffers the stream),
 * answers {@code /poll?…timeout=0} at once and longer polls never, and never answers a WebSocket
 * handshake. One thread per connection; closing it closes every socket.
 */
final class SilentServer implements AutoCloseable {
  private final ServerSocket listener;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  final List<String> requests = new CopyOnWriteArrayList<>();

  SilentServer() throws IOException {
    listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "silent-server");
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
        Thread t = new Thread(() -> serve(socket), "silent-server-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try {
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
      String path = requestLine.split(" ")[1];
      OutputStream out = socket.getOutputStream();
      String cursor = Cursor.empty().encode();
      if (path.startsWith("/push/sse")) {
        out.write(
            ("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n"
                    + "retry: 1000\n\nevent: ready\nid: "
                    + cursor
                    + "\ndata: {\"type\":\"ready\",\"clientId\":\"c1\",\"cursor\":\""
                    + cursor
                    + "\"}\n\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
      } else if (path.startsWith("/push/stream")) {
        out.write(
            "HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
      } else if (path.startsWith("/push/poll") && path.contains("timeout=0")) {
        String body = "{\"messages\":[],\"cursor\":\"" + cursor + "\"}";
        out.write(
            ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length()
                    + "\r\n\r\n"
                    + body)
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
      }
      // Then silence, until the client or close() ends the connection.
      while (in.read() >= 0) {
        // Discard.
      }
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
