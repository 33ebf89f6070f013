package io.faultline.orchestration.hook;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.util.Map;

/**
 * The {@code http_request} action: calls {@code url} ({@code method}, {@code body}, {@code headers},
 * {@code timeout_ms}) if the node's allow list lets it, and fails on a status of 400 or more (or other
 * than {@code expected_status} when given), or when its answer's head is not in within {@code timeout_ms} of the start.
 */
final class HttpRequestAction {

  private final Vertx vertx;
  private final HttpClient http;
  private final HttpAllowList allowList;

  HttpRequestAction(Vertx vertx, HttpClient http, HttpAllowList allowList) {
    this.vertx = vertx;
    this.http = http;
    this.allowList = allowList;
  }

  Future<Void> run(Map<String, Object> f, HookContext context) {
    // trimmed as validation trims it: a YAML block (url: |) keeps its newline, and that URL passed validation
    String url = context.interpolate(String.valueOf(f.get("url"))).trim();
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new ActionFailed("http_request: not a URL: " + url, false));
    }
    String refusal = allowList.refusal(uri);
    if (refusal != null) {
      return Future.failedFuture(new ActionFailed("http_request to " + uri.getHost() + " refused: " + refusal, true));
    }
    String body = f.get("body") == null ? "" : context.interpolate(text(f.get("body")));
    long timeout = f.get("timeout_ms") instanceof Number n ? n.longValue() : 5_000;
    RequestOptions options = new RequestOptions().setAbsoluteURI(url)
        .setMethod(HttpMethod.valueOf(String.valueOf(f.getOrDefault("method", "GET")).toUpperCase()))
        .setTimeout(timeout);
    if (f.get("headers") instanceof Map<?, ?> headers) {
      headers.forEach((k, v) -> options.addHeader(String.valueOf(k), context.interpolate(String.valueOf(v))));
    }
    if (!body.isEmpty() && (options.getHeaders() == null || !options.getHeaders().contains("content-type"))) {
      // reference 004's webhook bodies are JSON; a receiver that is told nothing often refuses them
      options.addHeader("content-type", looksLikeJson(body) ? "application/json" : "text/plain; charset=utf-8");
    }
    context.expect("http_request " + url, timeout);
    int expected = f.get("expected_status") instanceof Number n ? n.intValue() : 0;
    // timeout_ms bounds the whole call: Vert.x's own bounds the connecting and the answer each, up to twice it in
    // all (past the run's watchdog, timeout_ms + 5 s, for one over 5 s), and its message names neither URL nor field
    Promise<Void> done = Promise.promise();
    io.vertx.core.http.HttpClientRequest[] sent = {null};
    long deadline = vertx.setTimer(timeout, id -> {
      if (done.tryFail(new ActionFailed("http_request " + url + " did not answer within " + timeout + " ms", false)) && sent[0] != null) {
        sent[0].reset();
      }
    });
    // the run stopped: the call goes with it, as a command does, and the run's clean-up runs now. Left to its own
    // timeout, a call longer than the stop's 5 s grace had the watchdog end the run, its post_orchestration hooks unrun
    long stopCheck = vertx.setPeriodic(CommandAction.STOP_CHECK_MS, id -> {
      if (context.stopping() && done.tryFail(new ActionFailed("http_request " + url + " was ended: the run stopped", false))
          && sent[0] != null) {
        sent[0].reset();
      }
    });
    done.future().onComplete(ended -> {
      vertx.cancelTimer(deadline);
      vertx.cancelTimer(stopCheck);
    });
    http.request(options).compose(r -> {
      if (done.future().isComplete()) { // connected after the deadline: the call is not made late
        r.reset();
        return Future.failedFuture("connected after the deadline");
      }
      sent[0] = r;
      return r.send(body);
    }).<Void>compose(response -> {
      context.log("http_request " + options.getMethod() + " " + url + " -> " + response.statusCode());
      boolean ok = expected == 0 ? response.statusCode() < 400 : response.statusCode() == expected;
      return ok ? Future.<Void>succeededFuture()
          : Future.failedFuture(new ActionFailed("http_request " + url + " answered " + response.statusCode(), false));
    }).onComplete(outcome -> {
      if (outcome.succeeded()) {
        done.tryComplete();
      } else {
        done.tryFail(outcome.cause());
      }
    });
    return done.future();
  }

  /** A body given as an object or a list is sent as its JSON (it went as Java's {@code {text=hello}}, labelled JSON). */
  private static String text(Object body) {
    if (body instanceof Map<?, ?> || body instanceof java.util.List<?>) {
      return io.vertx.core.json.Json.encode(body);
    }
    return String.valueOf(body);
  }

  private static boolean looksLikeJson(String body) {
    String text = body.strip();
    return text.startsWith("{") && text.endsWith("}") || text.startsWith("[") && text.endsWith("]");
  }
}
