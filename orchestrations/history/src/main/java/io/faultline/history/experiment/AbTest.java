package io.faultline.history.experiment;

import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.chaos.control.Addresses;
import io.faultline.chaos.control.ControlError;
import io.faultline.chaos.control.InternalAddresses;
import io.faultline.history.HistoryAddresses;
import io.faultline.history.Params;
import io.faultline.history.runs.RunFeed;
import io.faultline.history.score.LatencyHistogram;
import io.faultline.history.score.ResilienceScore;
import io.faultline.history.stats.PermutationTest;
import io.faultline.history.stats.ProportionTest;
import io.faultline.history.stats.RankTest;
import io.faultline.orchestration.parse.Parsing;
import io.faultline.orchestration.parse.Requests;
import io.faultline.orchestration.parse.ScenarioNames;
import io.faultline.orchestration.OrchestratorVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reference 002's A/B test, measured: orchestrations A and B (library entries or orchestration text)
 * run alternately, A, B, A, B, ... {@code samples} times each, while the traffic goes on; each run is
 * scored as history scores every run. The variants are compared on {@code metric} (resilience_score,
 * higher is better; error_rate, p95_latency or avg_latency, lower is better) with an exact permutation
 * test: the better mean wins when p is below {@code alpha}, else there is no significant difference.
 * Pooled error rates (two-proportion test) and latency distributions (Mann–Whitney) are reported beside it.
 * A sample that saw no traffic ({@code min_requests}, default 1) or was stopped by someone else ends the
 * test as failed: neither measured anything to compare.
 */
public final class AbTest {

  static final List<String> METRICS = List.of("resilience_score", "error_rate", "p95_latency", "avg_latency");

  private final Vertx vertx;
  private final Map<String, Promise<JsonObject>> waiting = new HashMap<>();

  public AbTest(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Listens for recorded runs (on whichever node recorded them). */
  public Future<Void> start() {
    return vertx.eventBus().<JsonObject>consumer(HistoryAddresses.RUN_RECORDED, m -> {
      Promise<JsonObject> p = waiting.remove(m.body().getString("id"));
      if (p != null) {
        p.tryComplete(m.body());
      }
    }).completion();
  }

  /**
   * Validates the request, library entries included (a name that is not in the library is refused here,
   * not found missing once the experiment runs); answers the job to run, with the variants' texts as they
   * were when it was asked for.
   */
  public Future<java.util.function.Function<Experiments.Handle, Future<JsonObject>>> plan(JsonObject q) {
    Params.only(q, List.of("a", "b", "samples", "metric", "alpha", "sample_timeout_seconds", "seed", "min_requests"));
    Params.numbersNotText(q, List.of("samples", "alpha", "sample_timeout_seconds", "seed", "min_requests"));
    int samples = Params.integer(q, "samples", 5, 2, 20);
    int minRequests = Params.integer(q, "min_requests", 1, 1, 1_000_000);
    String metric = Params.oneOf(q, "metric", "resilience_score", METRICS);
    Double alpha = Params.number(q, "alpha");
    double a = alpha == null ? 0.05 : alpha;
    if (!(a > 0 && a < 0.5)) {
      throw new ChaosConfigException("alpha", "must be above 0 and below 0.5, got " + alpha);
    }
    int timeout = Params.integer(q, "sample_timeout_seconds", 600, 1, 86_400);
    // read as the chaos config reads a seed: a whole number of the long range (1.5 was taken as 1)
    Long given = io.faultline.chaos.config.ChaosConfig.seed(q.getValue("seed"));
    long seed = given == null ? 42 : given;
    Object va = variant(q, "a");
    Object vb = variant(q, "b");
    // a, then b: the first variant at fault is the one named
    Future<JsonObject> checkedA = resolve(va, "a").compose(start -> startable(start, "a", (JsonObject) va));
    return checkedA.compose(a0 -> resolve(vb, "b").compose(start -> startable(start, "b", (JsonObject) vb))).map(startB -> handle -> {
      JsonObject startA = checkedA.result();
      List<JsonObject> runsA = new ArrayList<>();
      List<JsonObject> runsB = new ArrayList<>();
      // the node's chaos seed as its config has it (none: the node's default), put back when the test ends: each sample
      // draws from a seed of its own (sampleSeed)
      Object[] nodeSeed = new Object[1];
      boolean[] seedRead = new boolean[1];
      // the kill switch pressed between two samples (no sample run going to stop), or chaos switched off by any user, ends
      // the test too: its next sample switched chaos on again
      String[] killedBy = new String[1];
      io.vertx.core.eventbus.MessageConsumer<JsonObject> killSwitch = vertx.eventBus().consumer(Addresses.CHAOS_CHANGED, m -> {
        JsonObject change = m.body().getJsonObject("change");
        if (change != null && io.faultline.chaos.control.ChangeLog.switchedOffByAUser(change)) {
          killedBy[0] = io.faultline.chaos.control.ChangeLog.origin(change);
        }
      });
      Future<Void> chain = vertx.eventBus().<JsonObject>request(Addresses.CHAOS_GET, new JsonObject()).onSuccess(config -> {
        nodeSeed[0] = config.body().getValue("seed");
        seedRead[0] = true;
      }).mapEmpty();
      for (int i = 0; i < samples; i++) {
        int sample = i + 1;
        chain = chain.compose(v -> chaosSeed(sampleSeed(seed, sample, 0), handle))
            .compose(v -> sample(startA, "a", timeout, minRequests, handle, runsA, runsB, killedBy)).compose(run -> {
              runsA.add(run);
              return handle.progress(progress(sample, samples, runsA, runsB));
            }).compose(v -> chaosSeed(sampleSeed(seed, sample, 1), handle))
            .compose(v -> sample(startB, "b", timeout, minRequests, handle, runsA, runsB, killedBy)).compose(run -> {
              runsB.add(run);
              return handle.progress(progress(sample, samples, runsA, runsB));
            });
      }
      // (not read, no sample ran: the seed was never changed)
      return chain.eventually(() -> killSwitch.unregister())
          .eventually(() -> seedRead[0] ? chaosSeed(nodeSeed[0], handle) : Future.succeededFuture())
          .map(v -> compare(runsA, runsB, metric, a, seed));
    });
  }

  /**
   * One sample: a run of the variant, judged usable. A stop asked for ends the run and the test; a run
   * stopped by anyone else (the kill switch, a stop) ends the test too, as its next sample would switch
   * chaos on again; and a run that saw fewer than {@code minRequests} requests measured nothing.
   */
  private Future<JsonObject> sample(JsonObject start, String variant, int timeout, int minRequests, Experiments.Handle handle,
      List<JsonObject> runsA, List<JsonObject> runsB, String[] killedBy) {
    if (handle.stopAsked().isComplete()) {
      return Future.failedFuture(new Experiments.Stopped(stoppedAt(runsA, runsB)));
    }
    if (killedBy[0] != null) {
      return Future.failedFuture("chaos was switched off (by " + killedBy[0] + ") before sample run "
          + (runsA.size() + runsB.size() + 1) + ": the A/B test ended, and chaos stays off");
    }
    return runOnce(start, timeout, handle, killedBy).compose(run -> {
      String id = run.getString("id");
      if (handle.stopAsked().isComplete()) {
        return Future.failedFuture(new Experiments.Stopped(stoppedAt(runsA, runsB).put("stopped_run", id)));
      }
      if ("stopped".equals(run.getString("status"))) {
        // stopped by the test itself for a kill switch pressed as it started: said as the run says its own
        String why = errors(run).isEmpty() && killedBy[0] != null ? " (chaos was switched off by " + killedBy[0] + ")" : errors(run);
        return Future.failedFuture("sample run " + id + " of " + variant.toUpperCase() + " was stopped" + why
            + ": the A/B test ended with it");
      }
      Object requests = run.getJsonObject("metrics", new JsonObject()).getValue("request_count");
      long seen = requests instanceof Number n ? n.longValue() : 0;
      if (seen < minRequests) {
        return Future.failedFuture("sample run " + id + " of " + variant.toUpperCase() + " saw " + seen + " request"
            + (seen == 1 ? "" : "s") + " (min_requests " + minRequests + "): an A/B test compares what traffic saw; send traffic"
            + " through the gateway while it runs (in a cluster, through the node that runs the sample runs, the leader: a run"
            + " measures the traffic of the node it runs on)");
      }
      return Future.succeededFuture(run);
    });
  }

  private static String errors(JsonObject run) {
    JsonArray errors = run.getJsonArray("errors", new JsonArray());
    return errors.isEmpty() ? "" : " (" + String.join("; ", errors.stream().map(String::valueOf).toList()) + ")";
  }

  /** A stopped test's result: the runs it made, no comparison. */
  private static JsonObject stoppedAt(List<JsonObject> runsA, List<JsonObject> runsB) {
    return new JsonObject().put("winner", null)
        .put("conclusion", "stopped after " + runsA.size() + " run(s) of A and " + runsB.size() + " of B: no comparison made")
        .put("a", new JsonObject().put("runs", new JsonArray(runsA.stream().map(r -> r.getString("id")).toList())))
        .put("b", new JsonObject().put("runs", new JsonArray(runsB.stream().map(r -> r.getString("id")).toList())));
  }

  private static Object variant(JsonObject q, String field) {
    Object v = q.getValue(field);
    if (v instanceof String s && !s.isBlank()) {
      return new JsonObject().put("name", s);
    }
    if (v instanceof JsonObject o && (o.getValue("name") instanceof String || o.getValue("text") instanceof String)) {
      try {
        Params.only(o, List.of("name", "text", "variables"));
      } catch (ChaosConfigException e) {
        throw e.under(field);
      }
      if (o.containsKey("name") && o.containsKey("text")) {
        throw new ChaosConfigException(field, "give a library entry's name or a text, not both");
      }
      if (o.getValue("variables") != null && !(o.getValue("variables") instanceof JsonObject)) {
        throw new ChaosConfigException(field + ".variables", "must be an object of values, got " + o.getValue("variables"));
      }
      return o;
    }
    throw new ChaosConfigException(field, "is required: a library entry name, {\"name\", \"variables\"} or {\"text\"}");
  }

  /** The START body for a variant: its text (from the library for a name) and variables. */
  private Future<JsonObject> resolve(Object variant, String field) {
    JsonObject v = (JsonObject) variant;
    // absent or null: none (a null was taken for an object and failed with a Java message)
    JsonObject variables = v.getValue("variables") instanceof JsonObject given ? given : new JsonObject();
    if (v.getValue("text") instanceof String text) {
      return Future.succeededFuture(new JsonObject().put("text", text).put("variables", variables));
    }
    return vertx.eventBus().<JsonObject>request(OrchestratorVerticle.LIBRARY_GET, new JsonObject().put("name", v.getString("name")))
        .map(reply -> new JsonObject().put("text", reply.body().getString("text")).put("variables", variables))
        .recover(e -> Future.failedFuture(new ChaosConfigException(field, "library entry " + v.getString("name") + ": " + ControlError.reason(e))));
  }

  /**
   * What a start of the variant would refuse is refused now, with the variant's name: the text is checked with
   * its variables filled in, and the scenarios it names must be on this node.
   */
  private Future<JsonObject> startable(JsonObject start, String field, JsonObject given) {
    Map<String, Object> variables = start.getJsonObject("variables").getMap();
    return Parsing.valid(vertx, start.getString("text"), variables)
        .compose(parsed -> ScenarioNames.onNode(vertx.eventBus()).map(known -> {
          ScenarioNames.refuseUnknown(parsed.scenarios(), known, "");
          Requests.usedVariables(start.getString("text"), parsed.orchestration().variables().keySet(), variables);
          return start;
        }))
        .recover(e -> Future.failedFuture(e instanceof ChaosConfigException c
            ? c.field() == null || c.field().isEmpty() ? new ChaosConfigException(field + (given.containsKey("text") ? ".text" : ""), c.getMessage())
            : c.under(field)
            : new ChaosConfigException(field, ControlError.reason(e))));
  }

  /**
   * The chaos seed of sample {@code sample} of variant {@code arm} (0 for A, 1 for B), from the test's {@code seed}.
   * A run's draws start over with each config it applies, so every sample under one seed drew the very same faults
   * in the same request order: three samples were one draw counted three times, and the tests' p-values took them
   * for independent. Each sample now draws from its own seed, and the same test seed replays the same samples.
   */
  static long sampleSeed(long seed, int sample, int arm) {
    return new java.util.SplittableRandom(seed * 31 + sample * 2L + arm).nextLong();
  }

  /**
   * Sets the node's (the cluster's) chaos seed alone, in one change: the config read and written back whole undid a kill
   * switch pressed in between, and made an active scenario's own config what its stop went back to.
   */
  private Future<Void> chaosSeed(Object seed, Experiments.Handle handle) {
    io.vertx.core.eventbus.DeliveryOptions from = new io.vertx.core.eventbus.DeliveryOptions()
        .addHeader(Addresses.SOURCE_HEADER, "experiment:" + handle.id());
    return vertx.eventBus().request(InternalAddresses.CHAOS_SEED, new JsonObject().put("seed", seed), from).mapEmpty();
  }

  /**
   * Starts one run and answers its history document once it is recorded; a stop asked for stops the run, and so does a
   * kill switch pressed as it started ({@code killedBy}: after the look before the start, before the run listened for it),
   * which the run's first change would have undone: it then ends stopped, and the test with it.
   */
  private Future<JsonObject> runOnce(JsonObject start, int timeoutSeconds, Experiments.Handle handle, String[] killedBy) {
    // its own runs get past the hold the test keeps on the chaos config (others are refused while it runs)
    JsonObject own = start.copy().put("experiment", handle.id());
    io.vertx.core.eventbus.DeliveryOptions from = new io.vertx.core.eventbus.DeliveryOptions()
        .addHeader(Addresses.SOURCE_HEADER, "experiment:" + handle.id()); // its runs' word that the field is theirs
    return vertx.eventBus().<JsonObject>request(OrchestratorVerticle.START, own, from).compose(reply -> {
      String id = reply.body().getString("run_id");
      Promise<JsonObject> recorded = Promise.promise();
      waiting.put(id, recorded);
      // the run ends as a stop ends it (its config put back), then is recorded: that record ends the wait
      handle.stopAsked().onComplete(stop -> stopIfRunning(id));
      if (killedBy[0] != null) {
        stopIfRunning(id);
      }
      long timer = vertx.setTimer(timeoutSeconds * 1000L, t -> {
        waiting.remove(id);
        // the test has failed: its run, chaos on, went on for nobody. It fails once the run has stopped (its config
        // put back): failing first, the test put the node's seed back at once, into the run's config read before the
        // run's stop restored it, and so switched the run's chaos on again after it
        stopIfRunning(id).onComplete(stopped -> recorded.tryFail("run " + id + " was not recorded within " + timeoutSeconds
            + " s: it was stopped"));
      });
      return recorded.future().onComplete(ar -> vertx.cancelTimer(timer));
    });
  }

  /** Stops run {@code id} if it is the one running; completes once it has ended (its config put back), or could not be stopped. */
  private Future<Void> stopIfRunning(String id) {
    return vertx.eventBus().<JsonObject>request(OrchestratorVerticle.STATUS, new JsonObject()).compose(status -> {
      if (id.equals(status.body().getString("run_id")) && status.body().getBoolean("is_running", false)) {
        return vertx.eventBus().request(OrchestratorVerticle.STOP, new JsonObject()).<Void>mapEmpty(); // answers once it ended
      }
      return Future.<Void>succeededFuture();
    }).recover(e -> Future.succeededFuture());
  }

  private static JsonObject progress(int sample, int samples, List<JsonObject> a, List<JsonObject> b) {
    return new JsonObject().put("sample", sample).put("samples", samples)
        .put("a", new JsonArray(a.stream().map(r -> r.getString("id")).toList()))
        .put("b", new JsonArray(b.stream().map(r -> r.getString("id")).toList()));
  }

  /**
   * The samples compared, on {@code resilience_score} each scored against one baseline ({@link #oneBaseline}): history
   * scores a run against the calm before it, and only the first sample has one, the window before each later sample
   * holding the previous one's chaos. Those fell back to their own fault-free steps or to none, so arm A's mean
   * carried A1's other measure, and two identical variants differed by it. The result names the baseline.
   */
  static JsonObject compare(List<JsonObject> runsA, List<JsonObject> runsB, String metric, double alpha, long seed) {
    if (!metric.equals("resilience_score")) {
      return analyse(runsA, runsB, metric, alpha, seed);
    }
    JsonObject baseline = oneBaseline(runsA, runsB);
    return analyse(rescored(runsA, baseline), rescored(runsB, baseline), metric, alpha, seed).put("baseline", baseline);
  }

  /**
   * The baseline every sample is scored against: the first sample's window before it when that was calm (the traffic
   * before the test), else the fault-free steps of every sample pooled, else none.
   */
  static JsonObject oneBaseline(List<JsonObject> runsA, List<JsonObject> runsB) {
    JsonObject first = runsA.isEmpty() ? null : runsA.get(0).getJsonObject("resilience", new JsonObject()).getJsonObject("baseline");
    if (first != null && "pre_run_window".equals(first.getString("source"))) {
      return first;
    }
    JsonArray steps = new JsonArray();
    for (List<JsonObject> runs : List.of(runsA, runsB)) {
      runs.forEach(r -> steps.addAll(r.getJsonArray("steps", new JsonArray())));
    }
    return ResilienceScore.baseline(new JsonObject().put("steps", steps), null);
  }

  private static List<JsonObject> rescored(List<JsonObject> runs, JsonObject baseline) {
    return runs.stream().map(r -> r.copy().put("resilience_score", ResilienceScore.against(r, baseline).getValue("score"))).toList();
  }

  static JsonObject analyse(List<JsonObject> runsA, List<JsonObject> runsB, String metric, double alpha, long seed) {
    double[] a = values(runsA, metric);
    double[] b = values(runsB, metric);
    PermutationTest test = PermutationTest.of(a, b, seed);
    boolean higherBetter = metric.equals("resilience_score");
    boolean significant = test.pValue() < alpha;
    String better = test.meanA() == test.meanB() ? null : (test.meanA() > test.meanB()) == higherBetter ? "a" : "b";
    String winner = significant ? better : null;
    // exact: 2 / C(2n, n); sampled (past the exact test's splits), one draw in the sampled ones plus the observed split
    double smallest = test.exact() ? 2.0 / binomial(a.length + b.length, a.length) : 1.0 / (PermutationTest.SAMPLED + 1);
    String conclusion = winner != null
        ? String.format(java.util.Locale.ROOT, "%s is better: mean %s %.4g against %.4g, p = %.4g < %.3g (%s permutation test)",
            winner.toUpperCase(), metric, winner.equals("a") ? test.meanA() : test.meanB(),
            winner.equals("a") ? test.meanB() : test.meanA(), test.pValue(), alpha, test.exact() ? "exact" : "sampled")
        : String.format(java.util.Locale.ROOT, "no significant difference in %s: p = %.4g, not below %.3g%s", metric, test.pValue(),
            alpha, smallest >= alpha ? String.format(java.util.Locale.ROOT, " (with %d samples a side the smallest possible p is %.3g: "
                + "more samples are needed)", a.length, smallest) : "");
    long[] errors = new long[4];
    long[] histA = new long[LatencyHistogram.BUCKETS];
    long[] histB = new long[LatencyHistogram.BUCKETS];
    sum(runsA, errors, 0, histA);
    sum(runsB, errors, 2, histB);
    ProportionTest e = ProportionTest.of(errors[0], errors[1], errors[2], errors[3]);
    RankTest l = RankTest.of(histA, histB);
    return new JsonObject().put("winner", winner).put("conclusion", conclusion).put("metric", metric).put("alpha", alpha)
        .put("a", side(runsA, a)).put("b", side(runsB, b))
        .put("test", new JsonObject().put("method", "permutation test on the difference of means, two-sided")
            .put("p_value", test.pValue()).put("difference", test.meanA() - test.meanB())
            .put("cohen_d", Double.isFinite(test.cohenD()) ? test.cohenD() : null).put("splits", test.splits())
            .put("exact", test.exact()).put("smallest_possible_p", smallest))
        .put("error_rate_test", new JsonObject().put("method", "two-proportion z-test on pooled requests")
            .put("rate_a", finite(e.rateA())).put("rate_b", finite(e.rateB())).put("p_value", finite(e.pValue()))
            .put("cohen_h", finite(e.cohenH())))
        .put("latency_test", new JsonObject().put("method", "Mann-Whitney U on pooled latency histograms")
            .put("p_value", finite(l.pValue())).put("p_a_slower", finite(l.superiority())));
  }

  private static JsonObject side(List<JsonObject> runs, double[] values) {
    double mean = 0;
    for (double v : values) {
      mean += v / values.length;
    }
    return new JsonObject().put("runs", new JsonArray(runs.stream().map(r -> r.getString("id")).toList()))
        .put("values", new JsonArray(java.util.Arrays.stream(values).boxed().toList())).put("mean", mean);
  }

  private static double[] values(List<JsonObject> runs, String metric) {
    return runs.stream().mapToDouble(r -> {
      Object v = metric.equals("resilience_score") ? r.getValue("resilience_score") : r.getJsonObject("metrics", new JsonObject()).getValue(metric);
      return v instanceof Number n ? n.doubleValue() : 0;
    }).toArray();
  }

  private static void sum(List<JsonObject> runs, long[] errors, int at, long[] histogram) {
    for (JsonObject r : runs) {
      JsonObject m = r.getJsonObject("metrics", new JsonObject());
      errors[at] += m.getValue("error_count") instanceof Number n ? n.longValue() : 0;
      errors[at + 1] += m.getValue("request_count") instanceof Number n ? n.longValue() : 0;
      long[] h = RunFeed.histogram(r);
      for (int i = 0; h != null && i < h.length; i++) {
        histogram[i] += h[i];
      }
    }
  }

  private static double binomial(int n, int k) {
    double r = 1;
    for (int i = 1; i <= k; i++) {
      r = r * (n - k + i) / i;
    }
    return r;
  }

  private static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }
}
