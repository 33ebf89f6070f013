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
      int seconds;
      try {
        // a whole number, also as text ("60"), as the history addresses read theirs (a fraction was cut: 2.9 answered 2)
        seconds = io.faultline.history.Params.integer(message.body(), "seconds", 120, 1, KEPT);
      } catch (io.faultline.chaos.config.ChaosConfigException e) {
        ControlError.fail(message, e);
        return;
      }
      JsonArray out = new JsonArray();
      recent.stream().skip(Math.max(0, recent.size() - seconds)).forEach(out::add);
      message.reply(new JsonObject().put("summaries", out));
    }).completion();
  }
}
