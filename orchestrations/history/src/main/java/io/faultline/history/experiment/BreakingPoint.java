package io.faultline.history.experiment;

import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.chaos.control.Addresses;
import io.faultline.chaos.control.InternalAddresses;
import io.faultline.history.Params;
import io.faultline.orchestration.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The breaking point, the measured form of reference 002's "optimal parameters": one fault's intensity
 * is raised while the traffic runs, {@code step_seconds} at each value, until the {@code assertion}
 * ({@code {metric, operator, threshold}} on what the node's traffic saw at that value) fails; the answer
 * is the highest intensity that held and the first that did not. {@code method: linear} tries
 * {@code from}, {@code from + step}, ... up to {@code to}; {@code bisect} tests both ends, then halves the
 * gap until it is at most {@code resolution} (it assumes that more intensity never helps). Intensity may
 * fall as the value falls ({@code traffic_shaping.bandwidth_limit_bps}: give {@code from} above {@code to}).
 * The chaos config active before is put back however it ends (a stop included), except when someone
 * else changed it meanwhile: then it stays as they set it.
 */
public final class BreakingPoint {

  /** The parameters it can raise, with the range each accepts. */
  static final Map<String, double[]> PARAMETERS = Map.of(
      "latency.fixed_delay_ms", new double[] {0, 600_000},
      "fault_injection.http_error_probability", new double[] {0, 1},
      "traffic_shaping.bandwidth_limit_bps", new double[] {1, 1e12},
      "traffic_shaping.packet_loss_percent", new double[] {0, 100});
  static final List<String> ASSERTED = List.of("error_rate", "error_count", "fault_count", "avg_latency", "p50_latency",
      "p95_latency", "p99_latency", "request_count");
  static final List<String> OPERATORS = List.of("less_than", "less_than_or_equal", "greater_than", "greater_than_or_equal");

  private final Vertx vertx;

  public BreakingPoint(Vertx vertx) {
    this.vertx = vertx;
  }

  /** A search as asked, validated: everything wrong is refused before any chaos changes. */
  record Plan(String parameter, double from, double to, double step, boolean bisect, double resolution, long stepMs,
      String metric, String operator, double threshold, int minRequests, JsonObject base) {
  }

  public java.util.function.Function<Experiments.Handle, Future<JsonObject>> plan(JsonObject q) {
    Params.only(q, List.of("parameter", "from", "to", "step", "method", "resolution", "step_seconds", "assertion", "base", "min_requests"));
    Params.numbersNotText(q, List.of("from", "to", "step", "resolution", "step_seconds", "min_requests"));
    String parameter = Params.required(q, "parameter", 64);
    double[] range = PARAMETERS.get(parameter);
    if (range == null) {
      throw new ChaosConfigException("parameter", "must be one of " + new java.util.TreeSet<>(PARAMETERS.keySet()) + ", got " + parameter);
    }
    double from = within(q, "from", range);
    double to = within(q, "to", range);
    if (from == to) {
      throw new ChaosConfigException("to", "must differ from from");
    }
    // the search goes from less harm to more: up for a delay, a probability or a loss, down for a bandwidth
    boolean falling = parameter.endsWith("_bps");
    if (falling ? from < to : from > to) {
      throw new ChaosConfigException("to", "must be " + (falling ? "below" : "above") + " from: the search " + (falling ? "lowers " : "raises ")
          + parameter + " from the value that does least harm, got from " + from + " and to " + to);
    }
    boolean bisect = Params.oneOf(q, "method", "linear", List.of("linear", "bisect")).equals("bisect");
    Double step = Params.number(q, "step");
    Double resolution = Params.number(q, "resolution");
    // the method's other field would be ignored: refused, naming it, rather than stored and echoed as if used
    if (bisect && step != null) {
      throw new ChaosConfigException("step", "is for method linear; bisect halves the gap down to 'resolution'");
    }
    if (!bisect && resolution != null) {
      throw new ChaosConfigException("resolution", "is for method bisect; linear tries every 'step'");
    }
    // the values tried: from, each step on, and to itself when the steps do not land on it (the bound asked for was never tried)
    if (!bisect && (step == null || step <= 0 || Math.ceil(Math.abs(to - from) / step - 1e-9) + 1 > 100)) {
      throw new ChaosConfigException("step", "must be positive and give at most 100 values from 'from' to 'to', got " + step);
    }
    // a _ms or _bps field takes whole numbers: a fraction was rounded when applied and reported unrounded (39.0625 held,
    // where 39 was applied)
    for (var given : java.util.Map.of("from", from, "to", to, "step", step == null ? 1.0 : step).entrySet()) {
      if (whole(parameter) && given.getValue() != Math.rint(given.getValue())) {
        throw new ChaosConfigException(given.getKey(), "must be a whole number for " + parameter + ", got " + given.getValue());
      }
    }
    // values are whole numbers for _ms and _bps, rounded to 1e-9 otherwise; and at most 20 halvings
    double finest = Math.max(whole(parameter) ? 1 : 1e-6, Math.abs(to - from) / (1 << 20));
    // the default, a sixteenth of the range, no finer than the values can be (from 0 to 10 ms it was 0.625, refused
    // naming a resolution the user never gave)
    double res = resolution == null ? Math.max(Math.abs(to - from) / 16, finest) : resolution;
    if (bisect && !(res >= finest)) {
      throw new ChaosConfigException("resolution", "must be at least " + finest + " (finer, the search would try values it cannot"
          + " tell apart, or take more than 20 halvings), got " + (resolution == null ? res : resolution));
    }
    Double seconds = Params.number(q, "step_seconds");
    double s = seconds == null ? 10 : seconds;
    if (!(s >= 0.2 && s <= 3600)) {
      throw new ChaosConfigException("step_seconds", "must be between 0.2 and 3600, got " + s);
    }
    JsonObject assertion = q.getValue("assertion") instanceof JsonObject a ? a : null;
    if (assertion == null) {
      throw new ChaosConfigException("assertion", "is required: {\"metric\": \"p95_latency\", \"operator\": \"less_than\", \"threshold\": 300}");
    }
    String metric;
    String operator;
    Double threshold;
    try {
      Params.only(assertion, List.of("metric", "operator", "threshold"));
      Params.numbersNotText(assertion, List.of("threshold"));
      metric = Params.oneOf(assertion, "metric", null, ASSERTED);
      operator = Params.oneOf(assertion, "operator", null, OPERATORS);
      threshold = Params.number(assertion, "threshold");
    } catch (ChaosConfigException e) {
      throw e.under("assertion");
    }
    if (metric == null || operator == null || threshold == null) {
      throw new ChaosConfigException("assertion", "needs metric, operator and threshold");
    }
    JsonObject base = q.getValue("base") == null ? new JsonObject() : q.getValue("base") instanceof JsonObject b ? b : null;
    if (base == null) {
      throw new ChaosConfigException("base", "must be a chaos config object");
    }
    // sections only: each step sets the config whole, so base rules replaced the node's, and the end, which puts back
    // the config it found but keeps the rules as they are then (a user's put meanwhile), left the base's in their place
    for (String field : List.of("rules", "scenario")) {
      if (base.containsKey(field)) {
        throw new ChaosConfigException("base." + field, "a breaking-point search's base holds sections only: its steps would"
            + " replace the node's " + field + (field.equals("rules") ? ", and its end leave the base's" : "")
            + "; set them on the node first (PUT /api/chaos/rules/NAME, POST /api/chaos/scenarios/NAME)");
      }
    }
    String searched = parameter.substring(0, parameter.indexOf('.'));
    if (base.containsKey(searched) && !(base.getValue(searched) instanceof JsonObject)) {
      // each step sets the searched field in that section: a number, text or null there was a 500 (a ClassCastException)
      throw new ChaosConfigException("base." + searched, "must be an object, the section " + parameter + " is set in at each step, got "
          + base.getValue(searched));
    }
    if (base.getValue(searched) instanceof JsonObject section && Boolean.FALSE.equals(section.getValue("enabled"))) {
      // the value searched would be set in a section left off: nothing injected, and "held at every value" reported
      throw new ChaosConfigException("base." + searched + ".enabled", "must not be false: the search varies " + parameter
          + " in that section, which would inject nothing");
    }
    if (base.getValue(searched) instanceof JsonObject section && section.getValue("probability") instanceof Number p && p.doubleValue() == 0) {
      // as a section left off: nothing injected at any value, and "held at every value" reported
      throw new ChaosConfigException("base." + searched + ".probability", "must not be 0: the search varies " + parameter
          + " in that section, which would inject nothing");
    }
    // checked now as every step will apply it, at both ends of the range (base and value together: a base latency with
    // random_delay_range_ms was refused only at the second step, once fixed_delay_ms came beside it, and the search failed)
    for (double end : new double[] {from, to}) {
      io.faultline.chaos.config.ChaosJson.convert(stepConfig(base, parameter, end), io.faultline.chaos.config.ChaosConfig.class, "base");
    }
    Plan plan = new Plan(parameter, from, to, step == null ? 0 : step, bisect, res, Math.round(s * 1000), metric, operator,
        threshold, Params.integer(q, "min_requests", 10, 1, 1_000_000), base);
    return handle -> run(plan, handle);
  }

  private Future<JsonObject> run(Plan plan, Experiments.Handle handle) {
    DeliveryOptions source = new DeliveryOptions().addHeader(Addresses.SOURCE_HEADER, "experiment:" + handle.id());
    List<JsonObject> tried = new ArrayList<>();
    return request(InternalAddresses.CHAOS_SAVED, new JsonObject(), source).compose(before -> {
      Future<JsonObject> search = plan.bisect() ? bisect(plan, tried, handle, source) : linear(plan, tried, handle, source);
      // overridden, the config stays as whoever changed it set it: switching chaos off must stay off; else it is put
      // back as an orchestration's is, rules put meanwhile kept
      JsonObject restoring = InternalAddresses.restoring(before);
      return search.transform(ar -> ar.failed() && ar.cause() instanceof Overridden o && !o.rulesOnly ? Future.failedFuture(ar.cause())
          : request(InternalAddresses.CHAOS_RESTORE, restoring, source).transform(restored -> ar.succeeded() ? Future.succeededFuture(ar.result())
              : Future.failedFuture(ar.cause() instanceof Experiments.Stopped ? new Experiments.Stopped(partial(plan, tried)) : ar.cause())));
    });
  }

  /** What a search stopped early found: the values tried, the highest that held below the first that failed. */
  private static JsonObject partial(Plan plan, List<JsonObject> tried) {
    double direction = Math.signum(plan.to() - plan.from());
    Double firstFailing = null;
    for (JsonObject t : tried) {
      double v = t.getDouble("value");
      if (!t.getBoolean("held") && (firstFailing == null || v * direction < firstFailing * direction)) {
        firstFailing = v;
      }
    }
    JsonObject result = result(plan, tried, firstFailing);
    return result.put("conclusion", "stopped after " + tried.size() + " value" + (tried.size() == 1 ? "" : "s") + " tried"
        + (tried.isEmpty() ? "" : ": " + result.getString("conclusion")));
  }

  private Future<JsonObject> linear(Plan plan, List<JsonObject> tried, Experiments.Handle handle, DeliveryOptions source) {
    double direction = Math.signum(plan.to() - plan.from());
    Promise<JsonObject> done = Promise.promise();
    next(plan, plan.from(), direction, tried, handle, source, done);
    return done.future();
  }

  private void next(Plan plan, double next, double direction, List<JsonObject> tried, Experiments.Handle handle,
      DeliveryOptions source, Promise<JsonObject> done) {
    boolean past = direction > 0 ? next > plan.to() + 1e-9 : next < plan.to() - 1e-9;
    if (past && Math.abs(next - direction * plan.step() - plan.to()) <= 1e-9) { // to itself was the last step
      done.complete(result(plan, tried, null));
      return;
    }
    double value = past ? plan.to() : next; // a step past to: to itself is tried last, the bound asked for
    attempt(plan, value, tried, handle, source).onFailure(done::fail).onSuccess(held -> {
      if (!held) {
        done.complete(result(plan, tried, value));
      } else {
        next(plan, rounded(plan.parameter(), value + direction * plan.step()), direction, tried, handle, source, done);
      }
    });
  }

  private Future<JsonObject> bisect(Plan plan, List<JsonObject> tried, Experiments.Handle handle, DeliveryOptions source) {
    return attempt(plan, plan.from(), tried, handle, source).compose(lowHeld -> {
      if (!lowHeld) {
        return Future.succeededFuture(result(plan, tried, plan.from()));
      }
      return attempt(plan, plan.to(), tried, handle, source).compose(highHeld -> highHeld
          ? Future.succeededFuture(result(plan, tried, null))
          : halve(plan, plan.from(), plan.to(), tried, handle, source));
    });
  }

  private Future<JsonObject> halve(Plan plan, double held, double failed, List<JsonObject> tried, Experiments.Handle handle,
      DeliveryOptions source) {
    if (Math.abs(failed - held) <= plan.resolution()) {
      return Future.succeededFuture(result(plan, tried, failed));
    }
    // a whole-number field's midpoint is rounded before it is tried: the value tried, recorded and reported is the one applied
    double mid = rounded(plan.parameter(), (held + failed) / 2);
    if (mid == held || mid == failed) {
      return Future.succeededFuture(result(plan, tried, failed)); // nothing left between them to try
    }
    return attempt(plan, mid, tried, handle, source)
        .compose(ok -> ok ? halve(plan, mid, failed, tried, handle, source) : halve(plan, held, mid, tried, handle, source));
  }

  /** The config a step at {@code value} sets: {@code base}, on, with the value in the searched field. */
  private static JsonObject stepConfig(JsonObject base, String parameter, double value) {
    JsonObject config = base.copy().put("enabled", true);
    String[] path = parameter.split("\\.");
    JsonObject section = config.getJsonObject(path[0], new JsonObject()).copy();
    section.put(path[1], whole(parameter) ? (Object) Math.round(value) : (Object) value);
    if (path[1].equals("http_error_probability") && !section.containsKey("http_errors")) {
      section.put("http_errors", new JsonArray().add(500));
    }
    config.put(path[0], section);
    return config;
  }

  /** Applies one value, lets the traffic run, and judges what it saw. */
  private Future<Boolean> attempt(Plan plan, double value, List<JsonObject> tried, Experiments.Handle handle, DeliveryOptions source) {
    JsonObject config = stepConfig(plan.base(), plan.parameter(), value);
    return handle.goOn().compose(go -> request(Addresses.CHAOS_SET, config, source)).compose(applied -> {
      long version = applied.getLong("version");
      long from = System.currentTimeMillis();
      Promise<Void> waited = Promise.promise();
      long timer = vertx.setTimer(plan.stepMs(), t -> waited.tryComplete());
      handle.stopAsked().onComplete(stop -> {
        vertx.cancelTimer(timer);
        waited.tryFail(new Experiments.Stopped(null));
      });
      // another's change (the kill switch) ends the step at once, not when it was due (up to step_seconds, an hour, later,
      // the search holding the config meanwhile); once this node has it: a change another node made is announced before
      // this node takes the cluster's state (which it announces to nobody), so it is looked for until it has come
      long[] looking = {-1};
      Runnable look = () -> request(Addresses.CHAOS_STATUS, new JsonObject(), new DeliveryOptions()).onSuccess(now -> {
        if (now.getLong("version") != version) {
          vertx.cancelTimer(timer);
          waited.tryComplete();
        }
      });
      io.vertx.core.eventbus.MessageConsumer<JsonObject> changes = vertx.eventBus().consumer(Addresses.CHAOS_CHANGED, changed -> {
        if (changed.body().getLong("version", version) > version && looking[0] < 0 && !waited.future().isComplete()) {
          look.run();
          looking[0] = vertx.setPeriodic(100, id -> look.run());
        }
      });
      waited.future().onComplete(over -> {
        changes.unregister();
        vertx.cancelTimer(looking[0]);
      });
      return waited.future().compose(v -> request(Addresses.CHAOS_STATUS, new JsonObject(), new DeliveryOptions())).compose(now -> {
        long current = now.getLong("version");
        if (current != version) {
          // a rule put or removed (a user's, a distributed task's) leaves the search's own config in place: put back at the end
          boolean rulesOnly = InternalAddresses.withoutRules(applied.getJsonObject("config"))
              .equals(InternalAddresses.withoutRules(now.getJsonObject("config")));
          return Future.failedFuture(new Overridden("the chaos config was changed by another (version " + version + " became "
              + current + ") while " + plan.parameter() + " = " + value + " was tried: the search stopped and "
              + (rulesOnly ? "put back the config it found (the change was to the rules, which stay)" : "left the config as that change set it"),
              rulesOnly));
        }
        // only the requests this value decided: those the value before still held end in this step too
        return request(Metrics.WINDOW_ADDRESS, new JsonObject().put("from", from).put("to", System.currentTimeMillis())
            .put("started_after", from), new DeliveryOptions());
      });
    }).compose(metrics -> {
      long requests = metrics.getLong("request_count", 0L);
      if (requests < plan.minRequests()) {
        return Future.failedFuture("only " + requests + " requests at " + plan.parameter() + " = " + value
            + ": not enough traffic to judge (min_requests " + plan.minRequests() + "; a search counts the traffic of the node"
            + " it was started on, in a cluster too: send it through that node)");
      }
      double measured = metrics.getValue(plan.metric()) instanceof Number n ? n.doubleValue() : Double.NaN;
      boolean held = holds(measured, plan.operator(), plan.threshold());
      tried.add(new JsonObject().put("value", value).put("held", held).put(plan.metric(), measured).put("metrics", metrics));
      return handle.progress(new JsonObject().put("tried", new JsonArray(new ArrayList<>(tried)))).map(held);
    });
  }

  /**
   * Someone else changed the chaos config during a step (switched chaos off, started a scenario, put a rule): the search
   * gives way. A change of the rules alone ({@code rulesOnly}) left the search's step config on: that is put back.
   */
  static final class Overridden extends RuntimeException {
    final boolean rulesOnly;

    Overridden(String message, boolean rulesOnly) {
      super(message, null, false, false);
      this.rulesOnly = rulesOnly;
    }
  }

  static boolean holds(double value, String operator, double threshold) {
    return switch (operator) {
      case "less_than" -> value < threshold;
      case "less_than_or_equal" -> value <= threshold;
      case "greater_than" -> value > threshold;
      default -> value >= threshold;
    };
  }

  private static JsonObject result(Plan plan, List<JsonObject> tried, Double firstFailing) {
    Double highest = null;
    for (JsonObject t : tried) {
      double v = t.getDouble("value");
      boolean beyond = firstFailing != null && (plan.to() > plan.from() ? v >= firstFailing : v <= firstFailing);
      if (t.getBoolean("held") && !beyond && (highest == null || (plan.to() > plan.from() ? v > highest : v < highest))) {
        highest = v;
      }
    }
    String assertion = plan.metric() + " " + plan.operator() + " " + plan.threshold();
    String conclusion = highest == null ? "the assertion " + assertion + " failed already at " + plan.parameter() + " = " + plan.from()
        : firstFailing == null ? "the assertion " + assertion + " held at every value tried, up to " + highest
        : plan.parameter() + " = " + highest + " held, " + firstFailing + " broke " + assertion;
    return new JsonObject().put("parameter", plan.parameter()).put("method", plan.bisect() ? "bisect" : "linear")
        .put("assertion", new JsonObject().put("metric", plan.metric()).put("operator", plan.operator()).put("threshold", plan.threshold()))
        .put("highest_holding", highest).put("first_failing", firstFailing)
        .put("precision", plan.bisect() ? plan.resolution() : plan.step()).put("conclusion", conclusion)
        .put("tried", new JsonArray(tried));
  }

  private static double within(JsonObject q, String field, double[] range) {
    Double v = Params.number(q, field);
    if (v == null || v < range[0] || v > range[1]) {
      throw new ChaosConfigException(field, "is required, between " + range[0] + " and " + range[1] + ", got " + q.getValue(field));
    }
    return v;
  }

  /** Whether the parameter takes whole numbers (milliseconds, bytes a second). */
  private static boolean whole(String parameter) {
    return parameter.endsWith("_ms") || parameter.endsWith("_bps");
  }

  /**
   * {@code v} as the parameter takes it: a whole number for {@code _ms} and {@code _bps} (rounded to 1e-9, a bandwidth
   * above 9.2e9 saturated a long, and a linear search from 1e12 stopped after its first value), else rounded to 1e-9.
   */
  private static double rounded(String parameter, double v) {
    return whole(parameter) ? Math.round(v) : Math.round(v * 1e9) / 1e9;
  }

  private Future<JsonObject> request(String address, JsonObject body, DeliveryOptions options) {
    return vertx.eventBus().<JsonObject>request(address, body, options).map(m -> m.body());
  }
}
