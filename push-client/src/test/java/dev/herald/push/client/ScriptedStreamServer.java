package dev.herald.push.client;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A raw-socket server that answers every {@code /push/stream} request with the same NDJSON lines
 * and then ends the response, for frames a real Herald server never sends.
 */
final class ScriptedStreamServer extends RawHttpServer {
  private final List<String> lines;

  ScriptedStreamServer(List<String> lines) throws IOException {
    super("scripted-server");
    this.lines = List.copyOf(lines);
  }

  @Override
  void answer(String requestLine, BufferedReader in, Socket socket) throws IOException {
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
  }
}
