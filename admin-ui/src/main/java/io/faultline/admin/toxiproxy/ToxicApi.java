package io.faultline.admin.toxiproxy;

import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.chaos.config.ChaosJson;
import io.faultline.chaos.config.TcpToxic;
import io.faultline.chaos.config.TcpToxicTypes;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.Map;

/**
 * Toxiproxy's toxic endpoints: {@code GET/POST /proxies/{proxy}/toxics} and
 * {@code GET/POST/PATCH/DELETE /proxies/{proxy}/toxics/{toxic}}. A toxic is read in two steps, as
 * Toxiproxy reads one: its wrapper first (stream, then type, each refused with Toxiproxy's own error),
 * then its type's attributes; an update changes the attributes it names and the toxicity.
 */
final class ToxicApi {

  private final Proxies proxies;

  ToxicApi(Proxies proxies) {
    this.proxies = proxies;
  }

  void mount(Router router) {
    router.get("/proxies/:proxy/toxics").handler(ctx -> Answers.json(ctx, 200, proxies.afterChanges(() -> toxics(ctx.pathParam("proxy")))));
    router.post("/proxies/:proxy/toxics").handler(ctx ->
        Answers.json(ctx, 200, proxies.serially(() -> create(ctx.pathParam("proxy"), () -> Answers.object(ctx)))));
    router.get("/proxies/:proxy/toxics/:toxic").handler(ctx -> Answers.json(ctx, 200,
        proxies.afterChanges(() -> toxics(ctx.pathParam("proxy"))).map(all -> find(all, ctx.pathParam("toxic")))));
    router.route("/proxies/:proxy/toxics/:toxic").method(HttpMethod.POST).method(HttpMethod.PATCH).handler(ctx ->
        Answers.json(ctx, 200, proxies.serially(() -> update(ctx.pathParam("proxy"), ctx.pathParam("toxic"), () -> Answers.object(ctx)))));
    router.delete("/proxies/:proxy/toxics/:toxic").handler(ctx ->
        Answers.empty(ctx, proxies.serially(() -> delete(ctx.pathParam("proxy"), ctx.pathParam("toxic")))));
  }

  private Future<JsonArray> toxics(String proxy) {
    return proxies.proxy(proxy).map(p -> p.getJsonArray("toxics"));
  }

  /** {@code read}: the request's body, read once the proxy is found. */
  private Future<JsonObject> create(String proxy, java.util.function.Supplier<JsonObject> read) {
    // the proxy first, as Toxiproxy looks: a bad body sent to a proxy that is not there is answered 404, not 400
    return proxies.proxy(proxy).compose(p -> {
      JsonObject body = read.get();
      ProxyJson.onlyKnown(body, ProxyJson.TOXIC_FIELDS, "toxic");
      Object stream = TcpToxic.stream(body.getValue("stream"));
      if (!TcpToxic.STREAMS.contains(stream)) {
        throw ToxiproxyError.invalidStream(stream);
      }
      if (TcpToxicTypes.find(ProxyJson.string(body, "type")) == null) {
        throw ToxiproxyError.invalidToxicType(body.getValue("type"), TcpToxicTypes.names());
      }
      return add(proxy, json(read(body.getMap())));
    });
  }

  private Future<JsonObject> add(String proxy, JsonObject toxic) {
    return proxies.tcp(proxy).compose(tcp -> {
      JsonArray list = tcp.getJsonArray("toxics", new JsonArray());
      if (index(list, toxic.getString("name")) >= 0) {
        return Future.failedFuture(ToxiproxyError.toxicExists(toxic.getString("name")));
      }
      return proxies.setTcp(proxy, tcp.put("toxics", list.copy().add(toxic)), true).map(v -> toxic);
    });
  }

  private Future<JsonObject> update(String proxy, String name, java.util.function.Supplier<JsonObject> read) {
    JsonObject[] sent = new JsonObject[1];
    return proxies.proxy(proxy).compose(p -> {
      sent[0] = read.get();
      ProxyJson.onlyKnown(sent[0], ProxyJson.TOXIC_FIELDS, "toxic");
      return proxies.tcp(proxy);
    }).compose(tcp -> {
      JsonObject body = sent[0];
      JsonArray list = tcp.getJsonArray("toxics", new JsonArray());
      int at = index(list, name);
      if (at < 0) {
        return Future.failedFuture(ToxiproxyError.toxicNotFound(name));
      }
      JsonObject existing = list.getJsonObject(at);
      for (String fixed : new String[] {"name", "type", "stream"}) {
        // null is left out, as Toxiproxy reads only attributes and toxicity here (a null answered 500)
        // "" as not given, as a create reads it (a client echoing the create's body sends "name": "", "stream": "")
        Object value = "".equals(body.getValue(fixed)) ? null : body.getValue(fixed);
        Object given = fixed.equals("stream") && value != null ? TcpToxic.stream(value) : value;
        if (given != null && !given.equals(existing.getValue(fixed))) { // a stream in any case, as it was created
          throw ToxiproxyError.badBody(fixed + ": a toxic's " + fixed + " cannot change (delete it and add another), got "
              + body.getValue(fixed));
        }
      }
      // null as absent: the Go client's UpdateToxic(name, toxicity, nil) sends "attributes": null, and Toxiproxy keeps them
      Object attributes = body.getValue("attributes") == null ? new JsonObject() : body.getValue("attributes");
      if (!(attributes instanceof JsonObject changed)) {
        throw ToxiproxyError.badBody("attributes: must be an object, got " + attributes);
      }
      // a null leaves the value as it is, as Toxiproxy decodes the body into the toxic it has (a null toxicity became
      // 1.0, a null jitter 0)
      JsonObject merged = existing.copy();
      JsonObject attributesNow = existing.getJsonObject("attributes").copy();
      changed.forEach(e -> {
        if (e.getValue() != null) {
          attributesNow.put(e.getKey(), e.getValue());
        }
      });
      merged.put("attributes", attributesNow);
      if (body.getValue("toxicity") != null) {
        merged.put("toxicity", body.getValue("toxicity"));
      }
      JsonObject toxic = json(read(merged.getMap()));
      JsonArray next = list.copy();
      next.set(at, toxic);
      return proxies.setTcp(proxy, tcp.put("toxics", next), false).map(v -> toxic);
    });
  }

  private Future<Void> delete(String proxy, String name) {
    return proxies.proxy(proxy).compose(p -> proxies.tcp(proxy)).compose(tcp -> {
      JsonArray list = tcp.getJsonArray("toxics", new JsonArray());
      int at = index(list, name);
      if (at < 0) {
        return Future.failedFuture(ToxiproxyError.toxicNotFound(name));
      }
      JsonArray next = list.copy();
      next.remove(at);
      return proxies.setTcp(proxy, tcp.put("toxics", next), false);
    });
  }

  /** A toxic as the config reads it: every attribute checked against its type, refused naming the one that is wrong. */
  private static TcpToxic read(Map<String, Object> toxic) {
    try {
      return ChaosJson.convert(toxic, TcpToxic.class, "");
    } catch (ChaosConfigException e) {
      throw ToxiproxyError.from(e);
    }
  }

  private static JsonObject json(TcpToxic toxic) {
    return new JsonObject(ChaosJson.toMap(toxic));
  }

  private static JsonObject find(JsonArray toxics, String name) {
    int at = index(toxics, name);
    if (at < 0) {
      throw ToxiproxyError.toxicNotFound(name);
    }
    return toxics.getJsonObject(at);
  }

  private static int index(JsonArray toxics, String name) {
    for (int i = 0; i < toxics.size(); i++) {
      if (name.equals(toxics.getJsonObject(i).getString("name"))) {
        return i;
      }
    }
    return -1;
  }
}
