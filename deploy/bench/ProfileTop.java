import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarises one measurement window of a gateway's flight recording (run.sh with PROFILE=1): the CPU
 * profile (jdk.ExecutionSample on the event loops) as the top frames by self samples and by inclusive
 * samples, and the allocation profile (jdk.ObjectAllocationSample, weighted by bytes) by class and by
 * the first Faultline or library frame that allocated.
 *
 * <pre>java ProfileTop.java RECORDING.jfr START_MS END_MS [TOP]</pre>
 */
public final class ProfileTop {

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    Instant from = Instant.ofEpochMilli(Long.parseLong(args[1]));
    Instant to = Instant.ofEpochMilli(Long.parseLong(args[2]));
    int top = args.length > 3 ? Integer.parseInt(args[3]) : 25;
    Map<String, Long> self = new HashMap<>();
    Map<String, Long> inclusive = new HashMap<>();
    Map<String, Long> ours = new HashMap<>();
    Map<String, Long> selfChain = new HashMap<>();
    Map<String, Long> allocClass = new HashMap<>();
    Map<String, Long> allocSite = new HashMap<>();
    long samples = 0;
    long allocated = 0;
    for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
      Instant at = event.getStartTime();
      if (at.isBefore(from) || at.isAfter(to)) {
        continue;
      }
      String type = event.getEventType().getName();
      RecordedStackTrace stack = event.getStackTrace();
      if (stack == null || stack.getFrames().isEmpty()) {
        continue;
      }
      List<RecordedFrame> frames = stack.getFrames();
      if (type.equals("jdk.ExecutionSample")) {
        samples++;
        self.merge(name(frames.get(0)), 1L, Long::sum);
        selfChain.merge(chain(frames, 3), 1L, Long::sum);
        Set<String> seen = new HashSet<>();
        for (RecordedFrame frame : frames) {
          String name = name(frame);
          if (seen.add(name)) {
            inclusive.merge(name, 1L, Long::sum);
            if (watched(name)) {
              ours.merge(name, 1L, Long::sum);
            }
          }
        }
      } else if (type.equals("jdk.ObjectAllocationSample")) {
        long weight = event.getLong("weight");
        allocated += weight;
        allocClass.merge(event.getClass("objectClass").getName(), weight, Long::sum);
        allocSite.merge(site(frames), weight, Long::sum);
      }
    }
    System.out.printf("CPU: %d samples (jdk.ExecutionSample) from %s to %s%n%n", samples, from, to);
    print("self", self, samples, top);
    print("self, with its two callers", selfChain, samples, top);
    print("inclusive", inclusive, samples, top);
    print("inclusive, Faultline and the libraries it drives (http-proxy, gRPC, GraphQL, JSON, headers)", ours, samples, top);
    System.out.printf("%nAllocation: %.1f MB sampled (jdk.ObjectAllocationSample weights)%n%n", allocated / 1e6);
    print("by class", allocClass, allocated, top);
    print("by site (first frame outside java.*, jdk.*, sun.*)", allocSite, allocated, top);
  }

  private static String name(RecordedFrame frame) {
    return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
  }

  /** Frames of the code whose share is worth knowing beyond Netty's and Vert.x's plumbing. */
  private static boolean watched(String name) {
    return name.startsWith("io.faultline.") || name.startsWith("io.vertx.httpproxy.") || name.startsWith("io.vertx.grpc.")
        || name.startsWith("graphql.") || name.startsWith("com.fasterxml.") || name.startsWith("io.vertx.core.json.")
        || name.startsWith("io.vertx.core.http.impl.headers.") || name.startsWith("io.netty.handler.codec.http2.")
        || name.startsWith("io.vertx.core.http.impl.Http2") || name.startsWith("io.vertx.core.http.impl.ws.");
  }

  private static String chain(List<RecordedFrame> frames, int depth) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < Math.min(depth, frames.size()); i++) {
      out.append(i == 0 ? "" : " <- ").append(name(frames.get(i)));
    }
    return out.toString();
  }

  /** The first frame that is not the JDK's own: the code that asked for the memory. */
  private static String site(List<RecordedFrame> frames) {
    for (RecordedFrame frame : frames) {
      String type = frame.getMethod().getType().getName();
      if (!type.startsWith("java.") && !type.startsWith("jdk.") && !type.startsWith("sun.")) {
        return name(frame);
      }
    }
    return name(frames.get(0));
  }

  private static void print(String title, Map<String, Long> counts, long total, int top) {
    System.out.println("| " + title + " | share |");
    System.out.println("|---|---|");
    List<Map.Entry<String, Long>> sorted = new ArrayList<>(counts.entrySet());
    sorted.sort(Map.Entry.<String, Long>comparingByValue().reversed());
    for (Map.Entry<String, Long> entry : sorted.subList(0, Math.min(top, sorted.size()))) {
      System.out.printf("| `%s` | %.1f%% |%n", entry.getKey(), 100.0 * entry.getValue() / Math.max(1, total));
    }
    System.out.println();
  }
}
