import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The WebSocket load client of the bench (wrk has no WebSocket): CONNECTIONS connections to one URL, then
 * WARMUP seconds unmeasured and DURATION seconds measured. Compiled and run by websocket.sh:
 *
 *   java -cp faultline.jar:CLASSES WsLoad echo|flood ws://127.0.0.1:PORT/PATH CONNECTIONS WARMUP DURATION MESSAGE_BYTES EVENT_LOOPS
 *
 * echo: each connection sends a binary message of MESSAGE_BYTES and sends the next when its echo is back
 * (closed loop, like wrk's connections); reports round trips per second and their p50/p99.
 * flood: the upstream sends, the client counts the messages that arrive (one way, service to client).
 * idle: the connections send nothing; they are held open for WARMUP + DURATION seconds.
 * Prints one line: {@code per_second p50_ms p99_ms errors count} (tab-separated; p50/p99 {@code nan} for
 * flood and idle; for idle, per_second is the number of connections still open at the end and count the
 * number opened). Errors: connections that closed or failed during the run, and echoes of the wrong size.
 */
public class WsLoad {

  /** Round trips are counted in 1 µs buckets up to 100 ms, then 1 ms buckets up to 10 s (and above). */
  private static final int FINE = 100_000;
  private static final AtomicLongArray HISTOGRAM = new AtomicLongArray(FINE + 10_000 + 1);
  private static final LongAdder COUNT = new LongAdder();
  /** Connections opened at once. */
  private static final int OPENING = 200;
  private static final LongAdder ERRORS = new LongAdder();
  private static volatile boolean measuring;
  private static volatile boolean stopping;

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    URI uri = URI.create(args[1]);
    int connections = Integer.parseInt(args[2]);
    int warmupSeconds = Integer.parseInt(args[3]);
    int durationSeconds = Integer.parseInt(args[4]);
    Buffer message = Buffer.buffer("m".repeat(Integer.parseInt(args[5])));
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(Integer.parseInt(args[6])));
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxConnections(connections).setConnectTimeout(10_000).setMaxMessageSize(16 * 1024 * 1024));
    List<Future<WebSocket>> opened = new ArrayList<>();
    try {
      for (int i = 0; i < connections; i++) {
        opened.add(client.connect(new WebSocketConnectOptions().setHost(uri.getHost()).setPort(uri.getPort()).setURI(uri.getPath()))
            .onSuccess(ws -> start(mode, ws, message)));
        if (opened.size() % OPENING == 0) {
          // at most OPENING handshakes at once: thousands at once overflow the listen backlogs (a SYN dropped is
          // retried after 1 s, 3 s, 7 s...), which measures the kernel's queues, not the proxies
          Future.all(opened.subList(opened.size() - OPENING, opened.size())).await(60, TimeUnit.SECONDS);
        }
      }
      Future.all(opened).await(60, TimeUnit.SECONDS);
      System.err.println("WsLoad: all " + connections + " open"); // websocket.sh measures the live heap then
    } catch (Exception e) {
      System.err.println("WsLoad: could not open " + connections + " connections to " + uri + ": " + e);
      System.exit(1);
    }
    Thread.sleep(warmupSeconds * 1000L);
    long start = System.nanoTime();
    measuring = true;
    Thread.sleep(durationSeconds * 1000L);
    measuring = false;
    double seconds = (System.nanoTime() - start) / 1e9;
    stopping = true;
    if (mode.equals("idle")) {
      System.out.printf("%d\tnan\tnan\t%d\t%d%n", connections - ERRORS.sum(), ERRORS.sum(), connections);
      System.exit(0);
    }
    long count = COUNT.sum();
    System.out.printf("%.2f\t%s\t%s\t%d\t%d%n", count / seconds, mode.equals("echo") ? percentile(0.50, count) : "nan",
        mode.equals("echo") ? percentile(0.99, count) : "nan", ERRORS.sum(), count);
    try {
      client.close().await(10, TimeUnit.SECONDS);
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("WsLoad: closing took over 10 s: " + e);   // the figures are printed already
    }
    System.exit(0);
  }

  private static void start(String mode, WebSocket ws, Buffer message) {
    ws.closeHandler(v -> {
      if (!stopping) {
        ERRORS.increment();
      }
    });
    ws.exceptionHandler(e -> {
      if (!stopping) {
        ERRORS.increment();
      }
    });
    if (mode.equals("idle")) {
      return;
    }
    if (mode.equals("flood")) {
      ws.binaryMessageHandler(received -> {
        if (measuring) {
          COUNT.increment();
        }
      });
      return;
    }
    long[] sentAt = {System.nanoTime()};
    ws.binaryMessageHandler(received -> {
      long now = System.nanoTime();
      if (received.length() != message.length()) {
        ERRORS.increment();
      }
      if (measuring) {
        COUNT.increment();
        record((now - sentAt[0]) / 1_000);
      }
      if (!stopping) {
        sentAt[0] = now;
        ws.writeBinaryMessage(message);
      }
    });
    ws.writeBinaryMessage(message);
  }

  private static void record(long micros) {
    int bucket = micros < FINE ? (int) micros : (int) Math.min(FINE + (micros - FINE) / 1_000, HISTOGRAM.length() - 1);
    HISTOGRAM.incrementAndGet(bucket);
  }

  /** Nearest-rank percentile in ms, from the bucket's lower bound. */
  private static String percentile(double p, long count) {
    if (count == 0) {
      return "nan";
    }
    long rank = Math.max(1, (long) Math.ceil(p * count));
    long seen = 0;
    for (int b = 0; b < HISTOGRAM.length(); b++) {
      seen += HISTOGRAM.get(b);
      if (seen >= rank) {
        double micros = b < FINE ? b : FINE + (b - FINE) * 1_000.0;
        return String.format("%.3f", micros / 1_000);
      }
    }
    return "nan";
  }
}
