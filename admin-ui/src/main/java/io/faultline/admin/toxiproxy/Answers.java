package io.faultline.admin.toxiproxy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.faultline.chaos.config.ChaosJson;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;

/** Reading the Toxiproxy API's JSON bodies and writing its answers: JSON, or the error shape of {@link ToxiproxyError}. */
final class Answers {

  private Answers() {
  }

  /** The body as a JSON object (duplicate keys refused); anything else is a bad request body naming what it is. */
  static JsonObject object(RoutingContext ctx) {
    JsonNode node = parse(ctx);
    if (!node.isObject()) {
      throw ToxiproxyError.badBody("must be a JSON object, got " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> map = ChaosJson.mapper().convertValue(node, Map.class);
    return new JsonObject(map);
  }

  /** The body as a JSON array, or null after answering why it is not one. */
  static JsonArray array(RoutingContext ctx) {
    try {
      JsonNode node = parse(ctx);
      if (!node.isArray()) {
        throw ToxiproxyError.badBody("must be a JSON array of proxies");
      }
      return new JsonArray(ChaosJson.mapper().convertValue(node, List.class));
    } catch (ToxiproxyError e) {
      fail(ctx, e);
      return null;
    }
  }

  private static JsonNode parse(RoutingContext ctx) {
    String text = ctx.body() == null ? null : ctx.body().asString();
    if (text == null || text.isBlank()) {
      throw ToxiproxyError.badBody("a JSON body is required");
    }
    try {
      return ChaosJson.mapper().readTree(text);
    } catch (JsonProcessingException e) {
      throw ToxiproxyError.badBody(ChaosJson.malformed(e));
    }
  }

  /** Answers {@code status} with the result (a JSON object or array), or the failure as {@link ToxiproxyError}. */
  static void json(RoutingContext ctx, int status, Future<?> result) {
    result.onComplete(ar -> {
      if (ar.failed()) {
        fail(ctx, ar.cause());
      } else {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
            .end(ar.result() instanceof JsonArray array ? array.encode() : ((JsonObject) ar.result()).encode());
      }
    });
  }

  /** Answers 204 with no body once {@code result} succeeds, as Toxiproxy's deletes and reset do. */
  static void empty(RoutingContext ctx, Future<?> result) {
    result.onComplete(ar -> {
      if (ar.failed()) {
        fail(ctx, ar.cause());
      } else {
        ctx.response().setStatusCode(204).end();
      }
    });
  }

  static void send(RoutingContext ctx, int status, JsonObject body) {
    if (!ctx.response().ended()) {
      ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
    }
  }

  static void fail(RoutingContext ctx, Throwable failure) {
    ToxiproxyError error = ToxiproxyError.from(failure);
    send(ctx, error.status, error.body());
  }
}
