package io.faultline.admin.toxiproxy;

import io.faultline.chaos.control.Addresses;
import io.faultline.chaos.control.InternalAddresses;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Toxiproxy's proxies as Faultline has them, read and changed only through the event-bus addresses: a
 * proxy is a tcp listener of this node ({@code faultline.listeners.*}), its toxics and its
 * {@code enabled} flag are the {@code tcp} section ({@code toxics}, {@code down}) of the rule
 * {@code listener:NAME}, the listener's own chaos ({@code faultline.chaos.rules.*}). Changes run one at
 * a time, so two requests never edit the same rule from the same copy.
 */
final class Proxies {

  static final String TCP = "tcp";
  private static final DeliveryOptions SOURCE = new DeliveryOptions().addHeader(Addresses.SOURCE_HEADER, "toxiproxy");

  private final EventBus bus;
  private Future<?> last = Future.succeededFuture();

  Proxies(EventBus bus) {
    this.bus = bus;
  }

  /** Runs {@code change} once every change before it has finished. */
  <T> Future<T> serially(Supplier<Future<T>> change) {
    Future<T> next = last.transform(ar -> change.get());
    last = next;
    return next;
  }

  /**
   * Runs {@code read} once every change asked before it has finished (it holds no later change back): a read while a
   * proxy restarted, moved or was replaced by a populate answered 404 for up to 2 s, where Toxiproxy's lock shows the old
   * proxy or the new one.
   */
  <T> Future<T> afterChanges(Supplier<Future<T>> read) {
    return last.transform(ar -> read.get());
  }

  Future<JsonObject> request(String address, JsonObject body) {
    return bus.<JsonObject>request(address, body, SOURCE).map(m -> m.body());
  }

  static String ruleName(String proxy) {
    return "listener:" + proxy;
  }

  /** Every proxy of this node by name, each as Toxiproxy shows it. */
  Future<Map<String, JsonObject>> all() {
    return Future.all(request(Addresses.LISTENERS_LIST, null), request(Addresses.RULES_LIST, null), request(Addresses.CHAOS_STATUS, null))
        .map(both -> {
      JsonArray listeners = both.<JsonObject>resultAt(0).getJsonArray("listeners");
      JsonArray rules = both.<JsonObject>resultAt(1).getJsonArray("rules");
      boolean chaosOn = both.<JsonObject>resultAt(2).getBoolean("enabled", false);
      Map<String, JsonObject> proxies = new LinkedHashMap<>();
      for (int i = 0; i < listeners.size(); i++) {
        JsonObject listener = listeners.getJsonObject(i);
        if (TCP.equals(listener.getString("protocol"))) {
          proxies.put(listener.getString("name"), ProxyJson.proxy(listener, tcpOf(find(rules, ruleName(listener.getString("name")))), chaosOn));
        }
      }
      return proxies;
    });
  }

  /** The proxy called {@code name}, or a failure saying it is not found. */
  Future<JsonObject> proxy(String name) {
    return all().compose(proxies -> proxies.containsKey(name) ? Future.succeededFuture(proxies.get(name))
        : Future.failedFuture(ToxiproxyError.proxyNotFound(name)));
  }

  /** The name of any listener of this node called {@code name}, whatever its protocol (null: none). */
  Future<String> listenerProtocol(String name) {
    return request(Addresses.LISTENERS_LIST, null).map(list -> {
      JsonArray listeners = list.getJsonArray("listeners");
      for (int i = 0; i < listeners.size(); i++) {
        if (listeners.getJsonObject(i).getString("name").equals(name)) {
          return listeners.getJsonObject(i).getString("protocol");
        }
      }
      return null;
    });
  }

  /**
   * Replaces the {@code tcp} section of proxy {@code name}'s rule with {@code tcp} (null: none, and the
   * rule goes when it sets nothing else), keeping the rule's other sections; switches chaos on when
   * {@code switchOn} (a toxic added, a proxy disabled) and the section does something, since a Toxiproxy client expects
   * its toxics to act; then waits until the listener acted on a change of {@code down}. Only then: a toxic updated or
   * removed, or a proxy enabled, after the kill switch switched all chaos back on, every listener's.
   */
  Future<Void> setTcp(String name, JsonObject tcp, boolean switchOn) {
    return request(Addresses.RULES_LIST, null).compose(list -> {
      JsonObject existing = find(list.getJsonArray("rules"), ruleName(name));
      JsonObject rule = existing != null ? existing.copy()
          : new JsonObject().put("name", ruleName(name)).put("match", new JsonObject().put("listener", name));
      rule.remove(TCP);
      boolean acts = tcp != null && (tcp.getBoolean("down", false) || !tcp.getJsonArray("toxics", new JsonArray()).isEmpty());
      if (tcp != null && acts) {
        rule.put(TCP, tcp);
      }
      boolean onlyMatch = rule.fieldNames().stream().allMatch(f -> f.equals("name") || f.equals("enabled") || f.equals("match"));
      Future<JsonObject> changed = onlyMatch
          ? existing == null ? Future.succeededFuture(null) : request(Addresses.RULES_REMOVE, new JsonObject().put("name", ruleName(name)))
          : request(Addresses.RULES_PUT, rule);
      return changed.compose(status -> switchOn && acts && status != null && !status.getBoolean("enabled", false)
          ? request(Addresses.CHAOS_ENABLE, null) : Future.succeededFuture(status));
    }).compose(v -> request(InternalAddresses.LISTENERS_SETTLE, new JsonObject().put("name", name))).mapEmpty();
  }

  /** The {@code tcp} section of proxy {@code name}'s rule, or an empty one. */
  Future<JsonObject> tcp(String name) {
    return request(Addresses.RULES_LIST, null).map(list -> tcpOf(find(list.getJsonArray("rules"), ruleName(name))));
  }

  private static JsonObject tcpOf(JsonObject rule) {
    JsonObject tcp = rule == null ? null : rule.getJsonObject(TCP);
    return tcp == null ? new JsonObject().put("down", false).put("toxics", new JsonArray()) : tcp.copy();
  }

  static JsonObject find(JsonArray rules, String name) {
    for (int i = 0; i < rules.size(); i++) {
      if (name.equals(rules.getJsonObject(i).getString("name"))) {
        return rules.getJsonObject(i);
      }
    }
    return null;
  }
}
