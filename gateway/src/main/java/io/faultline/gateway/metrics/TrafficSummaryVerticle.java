package io.faultline.gateway.metrics;

import io.faultline.chaos.control.Addresses;
import io.faultline.chaos.control.ControlError;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.LongSupplier;

/**
 * Publishes the node's {@link TrafficSummary} on {@link Addresses#TRAFFIC_SUMMARY} once a second (to this
 * node only: the console shows the listeners of the node it is connected to) and keeps the last
 * {@link #KEPT} so a page that opens can draw the recent past ({@link Addresses#TRAFFIC_RECENT}). It runs
 * on its own timer; no request waits for it, and a browser that reads slowly only misses summaries.
 */
public final class TrafficSummaryVerticle extends VerticleBase {

  /** Summaries kept for {@link Addresses#TRAFFIC_RECENT}: five minutes. */
  static final int KEPT = 300;
  static final long PERIOD_MS = 1_000;

  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private final TrafficSummary summary;
  private final LongSupplier clockMs;
  private final Deque<JsonObject> recent = new ArrayDeque<>();

  public TrafficSummaryVerticle(TrafficSummary summary, LongSupplier clockMs) {
    this.summary = summary;
    this.clockMs = clockMs;
  }

  @Override
  public Future<?> start() {
    vertx.setPeriodic(PERIOD_MS, id -> {
      JsonObject next = summary.next(clockMs.getAsLong());
      recent.addLast(next);
      if (recent.size() > KEPT) {
        recent.removeFirst();
      }
      vertx.eventBus().publish(Addresses.TRAFFIC_SUMMARY, next, LOCAL);
    });
    return vertx.eventBus().<JsonObject>localConsumer(Addresses.TRAFFIC_RECENT, message -> {
      Object asked = message.body() == null ? null : message.body().getValue("seconds");
      long seconds = asked == null ? 120 : wholeNumber(asked);
      if (seconds < 1 || seconds > KEPT) {
        ControlError.fail(message, 400, "must be a whole number from 1 to " + KEPT + ", got "
            + (asked instanceof String ? "\"" + asked + "\"" : asked), "seconds");
        return;
      }
      JsonArray out = new JsonArray();
      recent.stream().skip(Math.max(0, recent.size() - seconds)).forEach(out::add);
      message.reply(new JsonObject().put("summaries", out));
    }).completion();
  }

  /**
   * {@code value} as a whole number, also written as text ({@code "60"}, as a query string gives it); -1 for anything else.
   * A fraction was cut to its whole part ({@code 2.9} answered 2 summaries, where {@code 0.5} was refused).
   */
  private static long wholeNumber(Object value) {
    if (value instanceof Number n) {
      double d = n.doubleValue(); // (a BigInteger's longValue() wraps: 2^64 + 60 was 60)
      return d == Math.rint(d) && Math.abs(d) < 1e15 ? (long) d : -1;
    }
    try {
      return value instanceof String text ? Long.parseLong(text.strip()) : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
