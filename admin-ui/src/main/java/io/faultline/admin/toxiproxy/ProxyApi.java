package io.faultline.admin.toxiproxy;

import io.faultline.chaos.control.Addresses;
import io.faultline.chaos.control.InternalAddresses;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/**
 * Toxiproxy's proxy endpoints: {@code GET/POST /proxies}, {@code POST /populate},
 * {@code GET/POST/PATCH/DELETE /proxies/{name}}, {@code POST /reset}. Creating a proxy starts a tcp
 * listener on this node (listening before the answer, which gives the port it got); deleting it stops the
 * listener; {@code enabled: false} takes the listener down (its port refuses) through its chaos.
 */
final class ProxyApi {

  private final Proxies proxies;

  ProxyApi(Proxies proxies) {
    this.proxies = proxies;
  }

  void mount(Router router) {
    router.get("/proxies").handler(ctx -> Answers.json(ctx, 200,
        proxies.afterChanges(proxies::all).map(all -> new JsonObject(new java.util.LinkedHashMap<>(all)))));
    router.post("/proxies").handler(ctx -> Answers.json(ctx, 201, proxies.serially(() -> create(Answers.object(ctx), false))));
    router.post("/populate").handler(ctx -> populate(ctx, Answers.array(ctx)));
    router.get("/proxies/:proxy").handler(ctx -> Answers.json(ctx, 200, proxies.afterChanges(() -> proxies.proxy(ctx.pathParam("proxy")))));
    router.route("/proxies/:proxy").method(io.vertx.core.http.HttpMethod.POST).method(io.vertx.core.http.HttpMethod.PATCH)
        .handler(ctx -> Answers.json(ctx, 200, proxies.serially(() -> update(ctx.pathParam("proxy"), Answers.object(ctx)))));
    router.delete("/proxies/:proxy").handler(ctx -> Answers.empty(ctx, proxies.serially(() -> delete(ctx.pathParam("proxy")))));
    router.post("/reset").handler(ctx -> Answers.empty(ctx, proxies.serially(this::reset)));
  }

  /** {@code body}'s listen: absent or "" (Toxiproxy's Go client sends "listen": "" when none is given) is a free port on the loopback. */
  private static Object listenGiven(JsonObject body) {
    Object given = body.getValue("listen");
    return given == null || "".equals(given) ? "127.0.0.1:0" : given;
  }

  /** A new proxy from {@code body}; with {@code replace}, one of that name that differs is replaced (populate). */
  private Future<JsonObject> create(JsonObject body, boolean replace) {
    ProxyJson.onlyKnown(body, ProxyJson.PROXY_FIELDS, "proxy");
    String name = ProxyJson.string(body, "name");
    String upstream = ProxyJson.string(body, "upstream");
    if (name == null || name.isEmpty()) {
      throw ToxiproxyError.missingField("name");
    }
    if (upstream == null || upstream.isEmpty()) {
      throw ToxiproxyError.missingField("upstream");
    }
    // a toxics list is ignored, as Toxiproxy's create and populate ignore it: the Go client's Proxy carries the toxics it
    // read (Populate of a list read from Proxies() was refused whole); toxics are added with POST /proxies/{proxy}/toxics
    Object[] listen = ProxyJson.listen(listenGiven(body));
    boolean enabled = !Boolean.FALSE.equals(ProxyJson.bool(body, "enabled"));
    return proxies.listenerProtocol(name).compose(protocol -> {
      if (protocol == null) {
        return start(name, listen, upstream, enabled);
      }
      if (!replace || !Proxies.TCP.equals(protocol)) {
        return Future.failedFuture(ToxiproxyError.proxyExists(name + (Proxies.TCP.equals(protocol) ? "" : " (a " + protocol + " listener)")));
      }
      // replaced as an update restarts it: checked first, and put back as it was (its toxics too) if the new one cannot
      // start; once replaced, it has no toxics, as Toxiproxy's populate makes a new proxy
      return proxies.proxy(name).compose(existing -> same(existing, listen, upstream, true) ? Future.succeededFuture(existing)
          : restart(existing, listen, upstream, false).compose(v -> enabled ? Future.<Void>succeededFuture() : setDown(name, true))
              .compose(v -> proxies.proxy(name)));
    });
  }

  private static JsonObject listener(String name, Object[] listen, String upstream) {
    return new JsonObject().put("name", name).put("protocol", Proxies.TCP).put("host", listen[0]).put("port", listen[1])
        .put("upstream", upstream);
  }

  private Future<JsonObject> start(String name, Object[] listen, String upstream, boolean enabled) {
    return proxies.request(Addresses.LISTENERS_ADD, listener(name, listen, upstream))
        .compose(v -> enabled ? Future.succeededFuture() : setDown(name, true))
        .compose(v -> proxies.proxy(name));
  }

  private Future<Void> stop(String name) {
    return proxies.request(Addresses.LISTENERS_REMOVE, new JsonObject().put("name", name)).mapEmpty();
  }

  /** Toxiproxy's update: a changed listen or upstream restarts the listener; enabled takes it down or up. */
  private Future<JsonObject> update(String name, JsonObject body) {
    ProxyJson.onlyKnown(body, ProxyJson.PROXY_FIELDS, "proxy");
    // toxics it carries are left alone, as Toxiproxy's update ignores them: the Go client's Enable() and Disable() send
    // the proxy back as they last read it, stale after a RemoveToxic (refused, it left the proxy disabled)
    return proxies.proxy(name).compose(existing -> {
      String newName = ProxyJson.string(body, "name");
      if (newName != null && !newName.equals(name)) {
        throw ToxiproxyError.badBody("name: a proxy cannot be renamed (delete it and create " + newName + ")");
      }
      // absent or null: unchanged, as Toxiproxy's update reads it (a client that sends its whole object with nulls was refused
      // "upstream: is required", and its enabled: false was not applied)
      String asked = ProxyJson.string(body, "upstream");
      String upstream = asked != null ? asked : existing.getString("upstream");
      Object given = body.getValue("listen");
      Object[] listen = ProxyJson.listen(given == null || "".equals(given) ? existing.getString("listen") : given);
      Boolean enabled = ProxyJson.bool(body, "enabled");
      // an update to port 0 asks for a new port, as Toxiproxy's Differs sees it (it was taken as the port it has)
      Future<Void> restarted = same(existing, listen, upstream, false) ? Future.succeededFuture() : restart(existing, listen, upstream, true);
      // against what the proxy does: after the kill switch a disabled proxy listens (shown enabled), so a Disable() takes it
      // down again (switching chaos on, as any disable does), and an Enable() clears the down it still has (else the next
      // enable of chaos took it down); a Disable() of one shown disabled was skipped as no change and answered 200
      return restarted
          .compose(v -> enabled == null ? Future.<Void>succeededFuture() : proxies.tcp(name).compose(tcp -> {
            boolean down = tcp.getBoolean("down", false);
            return enabled == down || !enabled && existing.getBoolean("enabled") ? setDown(name, !enabled) : Future.<Void>succeededFuture();
          }))
          .compose(v -> proxies.proxy(name));
    });
  }

  /**
   * Stops the listener and starts it on its new address; if that fails, the old one comes back and the error is answered.
   * The new one is checked first, as an add checks it: one that cannot be (an upstream that is no host:port, a port a
   * listener holds) is refused with the old one left running, its connections open. {@code keepToxics}: the toxics stay
   * on the new one (an update); they always come back with the old one.
   */
  private Future<Void> restart(JsonObject existing, Object[] listen, String upstream, boolean keepToxics) {
    String name = existing.getString("name");
    Object[] old = ProxyJson.listen(existing.getString("listen"));
    // a removed listener takes its rule (the toxics) with it: a restart is no removal, so the rule is put back
    return proxies.request(InternalAddresses.LISTENERS_CHECK, listener(name, listen, upstream))
        .compose(checked -> proxies.request(Addresses.RULES_LIST, null)).compose(list -> {
      JsonObject toxics = Proxies.find(list.getJsonArray("rules"), Proxies.ruleName(name));
      Future<Void> restarted = stop(name).compose(v -> start(name, listen, upstream, true).<Void>mapEmpty()
          .recover(error -> start(name, old, existing.getString("upstream"), true).transform(ar -> Future.<Void>failedFuture(error))));
      return restarted.transform(done -> {
        Future<Void> back = toxics == null || done.succeeded() && !keepToxics ? Future.succeededFuture()
            : proxies.request(Addresses.RULES_PUT, toxics).mapEmpty();
        return back.compose(v -> done.succeeded() ? Future.<Void>succeededFuture() : Future.<Void>failedFuture(done.cause()));
      });
    });
  }

  /** The proxy's listener goes, and its toxics (the rule listener:NAME) with it, as every listener removal does. */
  private Future<Void> delete(String name) {
    return proxies.proxy(name).compose(p -> stop(name));
  }

  /** Every proxy up again and without toxics; the rest of each listener's chaos stays. */
  private Future<Void> reset() {
    return proxies.all().compose(all -> {
      Future<Void> chain = Future.succeededFuture();
      for (String name : all.keySet()) {
        chain = chain.compose(v -> proxies.setTcp(name, null, false));
      }
      return chain;
    });
  }

  private Future<Void> setDown(String name, boolean down) {
    return proxies.tcp(name).compose(tcp -> proxies.setTcp(name, tcp.put("down", down), down));
  }

  /**
   * Toxiproxy's populate, whole or not at all: every entry is checked before any is made (fields, listen
   * address, a name given twice), one that exists unchanged is left as it is, and if one cannot be made (its
   * port is taken) those made before it are undone: new ones removed, replaced ones back as they were.
   * (Toxiproxy keeps the ones made before the failure.)
   */
  private void populate(RoutingContext ctx, JsonArray entries) {
    if (entries == null) {
      return;
    }
    List<JsonObject> bodies = new ArrayList<>();
    java.util.Set<String> names = new java.util.HashSet<>();
    for (int i = 0; i < entries.size(); i++) {
      String at = "proxy " + (i + 1);
      if (!(entries.getValue(i) instanceof JsonObject entry)) {
        Answers.fail(ctx, ToxiproxyError.badBody(at + ": must be an object"));
        return;
      }
      for (String field : List.of("name", "upstream")) {
        if (!(entry.getValue(field) instanceof String s) || s.isEmpty()) {
          Answers.fail(ctx, ToxiproxyError.missingField(field + " at " + at));
          return;
        }
      }
      try {
        ProxyJson.onlyKnown(entry, ProxyJson.PROXY_FIELDS, "proxy");
        ProxyJson.listen(listenGiven(entry)); // checked as the start will read it: populate refused the Go client's ""
      } catch (ToxiproxyError e) {
        Answers.fail(ctx, ToxiproxyError.badBody(at + ": " + e.getMessage().replaceFirst("^bad request body: ", "")));
        return;
      }
      if (!names.add(entry.getString("name"))) {
        Answers.fail(ctx, ToxiproxyError.badBody(at + ": name " + entry.getString("name") + " is given twice"));
        return;
      }
      bodies.add(entry);
    }
    List<JsonObject> done = new ArrayList<>();
    List<java.util.function.Supplier<Future<?>>> undo = new ArrayList<>();
    proxies.serially(() -> {
      Future<Void> chain = Future.succeededFuture();
      for (JsonObject body : bodies) {
        String name = body.getString("name");
        JsonObject[] oldRule = new JsonObject[1];
        chain = chain.compose(v -> proxies.listenerProtocol(name))
            .compose(protocol -> !Proxies.TCP.equals(protocol) ? Future.<JsonObject>succeededFuture(null)
                // its rule too (toxics, enabled): a replaced proxy's goes with its listener, and the undo puts it back
                : proxies.request(Addresses.RULES_LIST, null).compose(list -> {
                  oldRule[0] = Proxies.find(list.getJsonArray("rules"), Proxies.ruleName(name));
                  return proxies.proxy(name);
                }))
            .compose(old -> create(body, true).map(made -> {
              done.add(made);
              if (old == null) {
                undo.add(0, () -> stop(name));
              } else if (!old.equals(made)) {
                undo.add(0, () -> proxies.proxy(name).compose(now -> restart(now, ProxyJson.listen(old.getString("listen")),
                    old.getString("upstream"), false)).compose(v -> oldRule[0] != null ? proxies.request(Addresses.RULES_PUT, oldRule[0])
                    : proxies.request(Addresses.RULES_REMOVE, new JsonObject().put("name", Proxies.ruleName(name)))));
              }
              return null;
            }));
      }
      return chain.recover(error -> {
        Future<Void> undone = Future.succeededFuture();
        for (java.util.function.Supplier<Future<?>> step : undo) {
          undone = undone.compose(v -> step.get().<Void>mapEmpty().recover(ignored -> Future.succeededFuture()));
        }
        done.clear();
        return undone.compose(v -> Future.failedFuture(error));
      });
    }).onComplete(ar -> {
      JsonObject answer = new JsonObject().put("proxies", new JsonArray(new ArrayList<>(done)));
      if (ar.succeeded()) {
        Answers.send(ctx, 201, answer);
      } else {
        ToxiproxyError error = ToxiproxyError.from(ar.cause());
        Answers.send(ctx, error.status, error.body().mergeIn(answer));
      }
    });
  }

  /**
   * Toxiproxy compares the listen address and upstream; when {@code anyPort} (populate, a create that replaces), a
   * requested port 0 matches the port the proxy got.
   */
  private static boolean same(JsonObject existing, Object[] listen, String upstream, boolean anyPort) {
    Object[] bound = ProxyJson.listen(existing.getString("listen"));
    return bound[0].equals(listen[0]) && (anyPort && (int) listen[1] == 0 || bound[1].equals(listen[1]))
        && existing.getString("upstream").equals(upstream);
  }
}
