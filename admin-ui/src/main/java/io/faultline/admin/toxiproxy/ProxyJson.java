package io.faultline.admin.toxiproxy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Toxiproxy's JSON shapes and how their fields map to Faultline's: a proxy is {@code {name, listen,
 * upstream, enabled, toxics}} where {@code listen} is the listener's {@code host:port} and
 * {@code enabled} is "its tcp section is not {@code down}"; a toxic is Faultline's toxic as it is. Bodies
 * are checked field by field, naming what is wrong.
 */
final class ProxyJson {

  static final List<String> PROXY_FIELDS = List.of("name", "listen", "upstream", "enabled", "toxics");
  static final List<String> TOXIC_FIELDS = List.of("name", "type", "stream", "toxicity", "attributes");

  private ProxyJson() {
  }

  /**
   * A proxy from its listener ({@code faultline.listeners.list}'s entry) and its tcp section; {@code chaosOn}: whether chaos
   * is on, without which a disabled proxy listens (the kill switch brings it back) and so is shown enabled, as it is.
   */
  static JsonObject proxy(JsonObject listener, JsonObject tcp, boolean chaosOn) {
    return new JsonObject()
        .put("name", listener.getString("name"))
        .put("listen", address(listener.getString("host"), listener.getInteger("port")))
        .put("upstream", listener.getString("upstream"))
        .put("enabled", !(chaosOn && tcp.getBoolean("down", false) && tcp.getBoolean("enabled", true)))
        .put("toxics", tcp.getJsonArray("toxics", new JsonArray()));
  }

  static String address(String host, int port) {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  /** A {@code listen} address as {@code [host, port]}: {@code host:port}, {@code [::1]:port}, or {@code :port} (every interface, as in Toxiproxy). */
  static Object[] listen(Object value) {
    if (!(value instanceof String text) || text.isBlank()) {
      throw ToxiproxyError.badBody("listen: must be host:port, got " + value);
    }
    int colon = text.lastIndexOf(':');
    String host = colon < 0 ? "" : text.substring(0, colon);
    String port = colon < 0 ? "" : text.substring(colon + 1);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    if (!port.matches("\\d{1,5}") || Integer.parseInt(port) > 65535) {
      throw ToxiproxyError.badBody("listen: must be host:port with a port from 0 to 65535, got " + text);
    }
    return new Object[] {host.isEmpty() ? "0.0.0.0" : host, Integer.parseInt(port)};
  }

  /** Refuses a field of {@code body} that is not one of {@code known}, naming it. */
  static void onlyKnown(JsonObject body, List<String> known, String what) {
    for (String field : body.fieldNames()) {
      if (!known.contains(field)) {
        throw ToxiproxyError.badBody("unknown field " + field + " of a " + what + "; expected one of " + known);
      }
    }
  }

  /** {@code body.field} as a non-empty string, or null when absent; anything else is refused naming it. */
  static String string(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String s)) {
      throw ToxiproxyError.badBody(field + ": must be a string, got " + value);
    }
    return s;
  }

  static Boolean bool(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value != null && !(value instanceof Boolean)) {
      throw ToxiproxyError.badBody(field + ": must be true or false, got " + value);
    }
    return (Boolean) value;
  }
}
