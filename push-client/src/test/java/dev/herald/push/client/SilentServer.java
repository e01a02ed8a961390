package dev.herald.push.client;

import dev.herald.push.Cursor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A misbehaving server on a raw socket, for what a real Herald server never does: it answers {@code
 * /sse} with a ready event and then says nothing more (a dead peer behind a live TCP connection),
 * answers {@code /stream} with headers and no frame at all (a proxy that buffers the stream),
 * answers {@code /poll?…timeout=0} at once and longer polls never, and never answers a WebSocket
 * handshake.
 */
final class SilentServer extends RawHttpServer {
  SilentServer() throws IOException {
    super("silent-server");
  }

  @Override
  void answer(String requestLine, BufferedReader in, Socket socket) throws IOException {
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
  }
}
