package dev.herald.push.bench;

import dev.herald.push.bench.load.Args;
import dev.herald.push.bench.load.HttpPublisher;
import dev.herald.push.bench.load.LoadClient;
import dev.herald.push.bench.load.LoadTool;
import dev.herald.push.bench.load.ScaleCurve;
import dev.herald.push.bench.server.BenchServer;
import java.util.Arrays;

/**
 * Entry point of {@code push-bench.jar}.
 *
 * <pre>
 * java -jar push-bench.jar run [options]     the load tool: every scenario and baseline, one table
 * java -jar push-bench.jar jmh [JMH options] the core's JMH benchmarks
 * java -jar push-bench.jar scale [options]   nodes on Redis: the scaling curve (ScaleCurve)
 * java -jar push-bench.jar server …          a server under test (started by run)
 * java -jar push-bench.jar client …          a load client (started by run)
 * java -jar push-bench.jar publisher …       an HTTP publisher (started by run --publisher http)
 * </pre>
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    String command = args.length == 0 ? "help" : args[0];
    String[] rest = Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
    try {
      switch (command) {
        case "run" -> LoadTool.main(rest);
        case "jmh" -> org.openjdk.jmh.Main.main(rest);
        case "scale" -> ScaleCurve.main(rest);
        case "server" -> {
          Args a = new Args(rest);
          BenchServer.run(a.string("--impl", "herald"), a.integer("--port", 8090));
        }
        case "client" -> LoadClient.main(rest);
        case "publisher" -> HttpPublisher.main(rest);
        default -> {
          System.out.println(LoadTool.USAGE);
          System.exit("help".equals(command) || "--help".equals(command) ? 0 : 2);
        }
      }
    } catch (IllegalArgumentException e) {
      System.err.println("push-bench: " + e.getMessage());
      System.exit(2);
    }
  }
}
