package io.faultline.admin.api;

import io.faultline.chaos.config.ChaosJson;
import io.faultline.chaos.control.Addresses;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Function;

/** Turns REST calls into event-bus requests: the REST API is a thin layer over {@code faultline.*} addresses. */
public final class ControlBus {

  private final EventBus bus;

  public ControlBus(EventBus bus) {
    this.bus = bus;
  }

  /** Sends {@code body} to {@code address} and answers with the reply as JSON (or the failure). */
  public void forward(RoutingContext ctx, String address, JsonObject body) {
    forward(ctx, address, body, 200, reply -> reply);
  }

  public void forward(RoutingContext ctx, String address, JsonObject body, int status, Function<JsonObject, Object> view) {
    forward(ctx, address, body, status, view, "not found: " + ctx.request().path());
  }

  /** Answers the reply's {@code view} with {@code status}, or 404 with {@code notFound} when the view is null. */
  public void forward(RoutingContext ctx, String address, JsonObject body, int status, Function<JsonObject, Object> view,
      String notFound) {
    // this node's own handlers: on a clustered bus an address not used before was first looked up in Hazelcast, which
    // waits out a hung member (up to its failure timeout: a kill switch took 10 s to act even on this node)
    bus.<JsonObject>request(address, body, new DeliveryOptions().addHeader(Addresses.SOURCE_HEADER, source(ctx))
            .setSendTimeout(Addresses.replyTimeoutMs(body)).setLocalOnly(true))
        .onComplete(ar -> {
      if (ar.failed()) {
        ApiError.fromFailure(ctx, ar.cause());
        return;
      }
      Object result = view.apply(ar.result().body());
      if (result == null) {
        ApiError.send(ctx, 404, notFound, null);
        return;
      }
      ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
          .end(result instanceof JsonObject json ? json.encodePrettily() : String.valueOf(result));
    });
  }

  /**
   * Where a REST call comes from, for the chaos change log: the CLI and the console say so with
   * {@code X-Faultline-Source}; anything else is {@code rest}.
   */
  static String source(RoutingContext ctx) {
    String said = ctx.request().getHeader(SOURCE_HEADER);
    return "cli".equals(said) || "console".equals(said) ? said : "rest";
  }

  /** The request header the CLI and the console send to name themselves ({@code cli}, {@code console}). */
  public static final String SOURCE_HEADER = "X-Faultline-Source";

  /**
   * Runs {@code action} for a request that takes no body: none, blank, or {@code {}} (what some clients send
   * for "nothing"). Anything else is a 400 naming it, since what it asked for would be silently ignored (a
   * {@code duration_seconds} for a scenario, {@code {"enabled": false}} to {@code /enable}); {@code hint} says
   * what to do instead, or is null.
   */
  public static void noBody(RoutingContext ctx, String hint, Runnable action) {
    if (!ctx.queryParams().isEmpty()) {
      String name = ctx.queryParams().names().iterator().next();
      ApiError.badRequest(ctx, ctx.request().method() + " " + ctx.request().path() + " takes no query parameters, and would ignore "
          + name + (hint == null ? "" : ": " + hint), name);
      return;
    }
    bodiless(ctx, hint, action);
  }

  /** Runs {@code action} with the query parameters (see {@link #query}) of a request that takes no body (see {@link #noBody}). */
  public static void queryOnly(RoutingContext ctx, java.util.function.Consumer<JsonObject> action) {
    JsonObject query = query(ctx);
    if (query != null) {
      bodiless(ctx, null, () -> action.accept(query));
    }
  }

  private static void bodiless(RoutingContext ctx, String hint, Runnable action) {
    String text = ctx.body().asString();
    if (text != null && !text.isBlank() && !text.replaceAll("\\s", "").equals("{}")) {
      ApiError.badRequest(ctx, ctx.request().method() + " " + ctx.request().path() + " takes no body, and would ignore this one"
          + (hint == null ? "" : ": " + hint), "body");
      return;
    }
    action.run();
  }

  /**
   * True when the request's query parameters are among {@code allowed}, each given once; else false after a 400
   * naming the first that is not (a misspelt {@code ?variabels=} started a run with the file's own values).
   */
  public static boolean params(RoutingContext ctx, String... allowed) {
    java.util.List<String> known = java.util.List.of(allowed);
    for (String name : ctx.queryParams().names()) {
      if (!known.contains(name)) {
        String takes = known.isEmpty() ? " takes no query parameters" : " takes only " + String.join(", ", known);
        ApiError.badRequest(ctx, ctx.request().method() + " " + ctx.request().path() + takes + ", and would ignore " + name, name);
        return false;
      }
    }
    return query(ctx) != null;
  }

  /**
   * The query parameters as a JSON object of texts, for the handler to check as it checks a body, or null after
   * a 400: a parameter given twice is refused, naming it (which value was meant cannot be told).
   */
  public static JsonObject query(RoutingContext ctx) {
    JsonObject body = new JsonObject();
    for (String name : ctx.queryParams().names()) {
      java.util.List<String> values = ctx.queryParams().getAll(name);
      if (values.size() > 1) {
        ApiError.send(ctx, 400, "query parameter " + name + " is given " + values.size() + " times; give it once", name);
        return null;
      }
      body.put(name, values.get(0));
    }
    return body;
  }

  /** The request body as a JSON object, or null after answering 400 naming what is wrong. */
  public static JsonObject jsonBody(RoutingContext ctx) {
    String text = ctx.body().asString();
    if (text == null || text.isBlank()) {
      ApiError.badRequest(ctx, "a JSON object body is required", "body");
      return null;
    }
    try {
      // Jackson with duplicate keys refused: {"a": 1, "a": 2} must not quietly mean {"a": 2}
      com.fasterxml.jackson.databind.JsonNode parsed = ChaosJson.mapper().readTree(text);
      if (parsed != null && parsed.isObject()) {
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> map = ChaosJson.mapper().convertValue(parsed, java.util.Map.class);
        return new JsonObject(map);
      }
      ApiError.badRequest(ctx, "the body must be a JSON object", "body");
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      ApiError.badRequest(ctx, ChaosJson.malformed(e), "body");
    }
    return null;
  }
}
