import io.faultline.chaos.config.ChaosConfig;
import io.faultline.chaos.event.ChaosListener;
import io.faultline.chaos.event.ChaosListeners;
import io.faultline.chaos.event.TrafficRecorder;
import io.faultline.chaos.state.ChaosState;
import io.faultline.gateway.metrics.ChaosMeterBinder;
import java.util.List;

/**
 * What Faultline's per-request metrics cost on the request path, in nanoseconds per request, with two
 * threads reporting at once (as two event loops do). Run by deploy/bench/run.sh (case metrics):
 *
 *   java -cp gateway/target/faultline.jar deploy/bench/MetricsCost.java
 *
 * Each request reports its completion with a duration; "binder" is the Prometheus meters, "recorder" the
 * window that orchestrations measure steps with, "both" what a gateway with request metrics on runs.
 */
public class MetricsCost {

  public static void main(String[] args) throws Exception {
    int calls = args.length > 0 ? Integer.parseInt(args[0]) : 5_000_000;
    ChaosMeterBinder binder = new ChaosMeterBinder(new ChaosState(ChaosConfig.off()));
    TrafficRecorder recorder = new TrafficRecorder(System::currentTimeMillis);
    ChaosListener both = new ChaosListeners(List.of(binder, recorder));
    String[] names = {"binder", "recorder", "both"};
    ChaosListener[] listeners = {binder, recorder, both};
    for (int round = 0; round < 3; round++) {  // round 0 warms the JIT up; rounds 1 and 2 are printed
      for (int i = 0; i < listeners.length; i++) {
        double ns = measure(listeners[i], calls);
        if (round > 0) {
          System.out.printf("%s\t%.0f%n", names[i], ns);
        }
      }
    }
  }

  /** Wall time of two threads making {@code calls} reports each, divided by {@code calls}. */
  private static double measure(ChaosListener listener, int calls) throws InterruptedException {
    Thread[] threads = new Thread[2];
    long start = System.nanoTime();
    for (int t = 0; t < threads.length; t++) {
      threads[t] = new Thread(() -> {
        for (int i = 0; i < calls; i++) {
          listener.requestCompleted("web", "http", "default", (i & 15) == 0 ? "5xx" : "2xx", 1_000_000L + (i & 1023) * 1_000L);
        }
      });
      threads[t].start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    return (double) (System.nanoTime() - start) / calls;
  }
}
