package io.faultline.chaos.testing;

import io.faultline.chaos.event.ChaosListener;
import io.faultline.chaos.event.ExchangeRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A {@link ChaosListener} that keeps every event, for tests that check what a listener counts. Events
 * arrive on event loops; the test thread reads copies, and waits with {@link #await} for a condition
 * (a request is counted just after its response is written, so the client may see it first).
 */
public final class RecordingListener implements ChaosListener {

  /** One {@link #requestCompleted} event. */
  public record Completion(String listener, String protocol, String route, String outcome, long durationNanos) {
  }

  private final List<String> faults = new ArrayList<>();
  private final List<Long> latencies = new ArrayList<>();
  private final List<Completion> completions = new ArrayList<>();
  private final List<ExchangeRecord> records = new ArrayList<>();
  private volatile boolean everyExchange;

  /** Asks for an {@link ExchangeRecord} of every exchange, faulted or not. */
  public RecordingListener recordingEveryExchange(boolean on) {
    everyExchange = on;
    return this;
  }

  @Override
  public synchronized void requestCompleted(String listener, String protocol, String route, String outcome, long durationNanos) {
    completions.add(new Completion(listener, protocol, route, outcome, durationNanos));
  }

  @Override
  public synchronized void faultInjected(String listener, String protocol, String route, String type) {
    faults.add(type);
  }

  @Override
  public synchronized void latencyInjected(String listener, String protocol, String route, long delayMs) {
    latencies.add(delayMs);
  }

  @Override
  public synchronized void exchangeCompleted(ExchangeRecord record) {
    records.add(record);
  }

  @Override
  public boolean samples() {
    return everyExchange;
  }

  /** The fault types reported, in order. */
  public synchronized List<String> faults() {
    return List.copyOf(faults);
  }

  /** How many times {@code type} was reported. */
  public synchronized long faults(String type) {
    return faults.stream().filter(type::equals).count();
  }

  public synchronized List<Long> latencies() {
    return List.copyOf(latencies);
  }

  public synchronized List<Completion> completions() {
    return List.copyOf(completions);
  }

  public synchronized List<ExchangeRecord> records() {
    return List.copyOf(records);
  }

  /** Waits up to 5 s for {@code condition}; fails naming {@code what} if it never holds. */
  public void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what + "; faults " + faults() + ", completions "
            + completions() + ", records " + records());
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
