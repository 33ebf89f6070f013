package io.faultline.orchestration.parse;

import io.faultline.chaos.config.ChaosConfigException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.Map;

/**
 * Parses orchestrations where the admin API cannot feel it: on a worker thread, within
 * {@link #BUDGET_MS}. A text the parser refuses outright (see {@link OrchestrationParser.Result#refused})
 * or that takes longer than the budget fails with an error naming {@code text}, which the REST API
 * answers with 400.
 */
public final class Parsing {

  /**
   * Generous: with anchors refused and the text capped at 1 MiB, parsing is linear and takes well under
   * a second, but the first parse in a fresh JVM loads the YAML and JSON machinery, on a busy machine too.
   */
  public static final long BUDGET_MS = 10_000;

  private Parsing() {
  }

  /** The parse of {@code text}: valid or not, unless refused or over budget. */
  public static Future<OrchestrationParser.Result> parse(Vertx vertx, String text) {
    return parse(vertx, text, Map.of());
  }

  /** Like {@link #parse(Vertx, String)}, filling in {@code given} over the declared variables. */
  public static Future<OrchestrationParser.Result> parse(Vertx vertx, String text, Map<String, Object> given) {
    Promise<OrchestrationParser.Result> result = Promise.promise();
    long timer = vertx.setTimer(BUDGET_MS, id -> result.tryFail(new ChaosConfigException("text",
        "the orchestration took longer than " + BUDGET_MS / 1000 + " s to read and is refused")));
    vertx.executeBlocking(() -> OrchestrationParser.parse(text, given), false).onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.failed()) {
        result.tryFail(ar.cause());
      } else if (ar.result().refused()) {
        var problem = ar.result().problems().get(0);
        result.tryFail(new ChaosConfigException("text", (problem.line() > 0 ? "line " + problem.line() + ": " : "") + problem.message()));
      } else {
        result.tryComplete(ar.result());
      }
    });
    return result.future();
  }

  /** Like {@link #parse}, failing with the first problem unless the orchestration is valid. */
  public static Future<OrchestrationParser.Result> valid(Vertx vertx, String text) {
    return valid(vertx, text, Map.of());
  }

  /** Like {@link #valid(Vertx, String)}, filling in {@code given} over the declared variables. */
  public static Future<OrchestrationParser.Result> valid(Vertx vertx, String text, Map<String, Object> given) {
    return parse(vertx, text, given).compose(parsed -> parsed.valid() ? Future.succeededFuture(parsed) : Future.failedFuture(Requests.invalid(parsed)));
  }
}
