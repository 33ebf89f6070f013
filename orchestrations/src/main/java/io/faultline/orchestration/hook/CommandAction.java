package io.faultline.orchestration.hook;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The {@code command} action: runs {@code command} with {@code args} (no shell) on a worker thread, in
 * {@code working_dir} if given, and fails if it exits non-zero or outlives {@code timeout_seconds}. Its
 * output (stdout and stderr) is drained while it runs, so a command that writes more than a pipe holds
 * is not blocked by its own output; the first {@link #KEPT_OUTPUT} bytes go to the run's log. Commands run on workers
 * of their own ({@link #MAX_RUNNING} at once): one may run for an hour, and Vert.x's shared workers also read
 * documents, schedules and the cluster's maps, which twenty long commands held up.
 */
final class CommandAction {

  static final int KEPT_OUTPUT = 4_096;
  /** How long to wait for the rest of the output once the command exited (a child it left may hold the pipe open). */
  private static final long DRAIN_MS = 1_000;

  /** The commands a node runs at once; more wait for one to end. */
  static final int MAX_RUNNING = 32;

  private final Vertx vertx;
  /** Made at the first command: a node that runs none has no such threads. */
  private WorkerExecutor workers;

  CommandAction(Vertx vertx) {
    this.vertx = vertx;
  }

  private synchronized WorkerExecutor workers() {
    if (workers == null) {
      // a command may run for timeout_seconds (at most an hour): not a blocked thread to warn about
      workers = vertx.createSharedWorkerExecutor("faultline-commands", MAX_RUNNING, 2, TimeUnit.HOURS);
    }
    return workers;
  }

  /** What a command did: its exit code and the start of its output. */
  record Outcome(int exit, String output) {
  }

  Future<Void> run(Map<String, Object> f, HookContext context) {
    List<String> argv = new ArrayList<>();
    argv.add(context.interpolate(String.valueOf(f.get("command"))));
    if (f.get("args") instanceof List<?> args) {
      args.forEach(a -> argv.add(context.interpolate(String.valueOf(a))));
    }
    String dir = f.get("working_dir") == null ? null : context.interpolate(String.valueOf(f.get("working_dir")));
    double seconds = f.get("timeout_seconds") instanceof Number n ? n.doubleValue() : 30;
    long timeoutMs = Math.max(1, (long) (seconds * 1000));
    context.expect("command " + argv, timeoutMs + DRAIN_MS);
    io.vertx.core.Context runs = vertx.getOrCreateContext();
    // The worker only runs the process; the log is written back here, on the run's event loop. A command that waited
    // for a worker (MAX_RUNNING were busy) is given its whole timeout again from when it starts.
    return workers().executeBlocking(() -> {
      runs.runOnContext(v -> context.expect("command " + argv, timeoutMs + DRAIN_MS));
      return execute(argv, dir, timeoutMs, context::stopping);
    }, false).compose(outcome -> {
      context.log("command " + argv + " -> exit " + outcome.exit() + (outcome.output().isEmpty() ? "" : ": " + outcome.output()));
      return outcome.exit() == 0 ? Future.<Void>succeededFuture()
          : Future.failedFuture(new ActionFailed("command " + argv + " exited with " + outcome.exit(), false));
    }, e -> Future.failedFuture(e instanceof ActionFailed ? e : new ActionFailed("command " + argv + ": " + e.getMessage(), false)));
  }

  /** How often a running command looks whether its run is being stopped. */
  static final long STOP_CHECK_MS = 50;
  /** How long a killed command is given to be gone. */
  private static final long KILL_WAIT_MS = 1_000;

  static Outcome execute(List<String> argv, String dir, long timeoutMs, java.util.function.BooleanSupplier stopping)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
    if (dir != null) {
      builder.directory(new File(dir));
    }
    if (stopping.getAsBoolean()) {
      // it waited for a worker while its run ended: started now, it would act after the run put its config back
      throw new ActionFailed("command " + argv + " was not started: the run stopped", false);
    }
    Process process = builder.start();
    Drain drain = new Drain(process.getInputStream());
    drain.start();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    // the run stopped: the command goes with it, and the run's config is put back now, not when the command would end
    while (!process.waitFor(Math.min(STOP_CHECK_MS, Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))), TimeUnit.MILLISECONDS)) {
      if (stopping.getAsBoolean()) {
        kill(process);
        // the kill is asynchronous: gone before the run reports it ended (seen alive a moment later in CI)
        process.waitFor(KILL_WAIT_MS, TimeUnit.MILLISECONDS);
        throw new ActionFailed("command " + argv + " was ended: the run stopped", false);
      }
      if (System.nanoTime() - deadline >= 0) {
        // what it started too, as a stop ends it: `sleep 41 & sleep 42` left both running, handed to PID 1
        kill(process);
        throw new ActionFailed("command " + argv + " did not finish in " + timeoutMs / 1000.0 + " s", false);
      }
    }
    drain.join(DRAIN_MS);
    return new Outcome(process.exitValue(), drain.text());
  }

  /**
   * Kills {@code process} and what it started: the process first, its descendants (listed before) then. Killed first, a
   * child let its shell go on to its next command: {@code sleep 20; echo done > f} wrote f as the stop ended it.
   */
  private static void kill(Process process) {
    java.util.List<ProcessHandle> started = process.descendants().toList();
    process.destroyForcibly();
    started.forEach(ProcessHandle::destroyForcibly);
  }

  /** Reads a process's output to its end as it comes, keeping the first {@link #KEPT_OUTPUT} bytes. */
  private static final class Drain extends Thread {

    private final InputStream in;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private volatile boolean truncated;

    Drain(InputStream in) {
      super("faultline-command-output");
      setDaemon(true);
      this.in = in;
    }

    @Override
    public void run() {
      byte[] buffer = new byte[8_192];
      try (in) {
        int n;
        while ((n = in.read(buffer)) >= 0) {
          synchronized (kept) {
            int room = KEPT_OUTPUT - kept.size();
            kept.write(buffer, 0, Math.max(0, Math.min(room, n)));
            truncated |= n > room;
          }
        }
      } catch (IOException e) {
        // the process was destroyed: what was read so far is the output
      }
    }

    String text() {
      synchronized (kept) {
        String text = kept.toString(StandardCharsets.UTF_8).strip();
        return truncated ? text + " [output truncated]" : text;
      }
    }
  }
}
