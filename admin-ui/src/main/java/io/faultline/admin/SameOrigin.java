package io.faultline.admin;

import io.faultline.admin.api.ApiError;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/**
 * Refuses what a page from another site could make a browser do to the admin port: a request that
 * changes something (any method but GET, HEAD and OPTIONS) or opens a WebSocket, when it carries an
 * {@code Origin} other than this server's own. Browsers always send {@code Origin} on those; the CLI,
 * curl and scripts send none and pass. Without a token the admin port would otherwise obey any page
 * the user visits (a form posted to {@code /api/chaos/enable} needs no CORS permission).
 *
 * <p>An admin port on loopback also answers only requests addressed to a loopback name ({@code Host}
 * {@code localhost}, {@code 127.x.x.x} or {@code [::1]}): a page whose own DNS name is made to point at
 * 127.0.0.1 (DNS rebinding) is then of the same origin as far as the browser knows, and would pass the
 * check above, but names its own host. {@code admin.allowed_hosts} adds the names a reverse proxy passes on,
 * and applies the check to an admin port beyond loopback too.
 */
public final class SameOrigin {

  private SameOrigin() {
  }

  /**
   * The guard for an admin port: with the {@code Host} check when it listens on loopback only, or when
   * {@code allowed_hosts} names the hosts it answers (loopback names always pass).
   */
  static Handler<RoutingContext> guard(AdminConfig config) {
    boolean checked = config.loopback() || !config.allowedHosts().isEmpty();
    return ctx -> {
      String host = host(ctx.request());
      if (checked && host != null && !loopbackName(host) && !config.allows(host)) {
        ApiError.send(ctx, 403, "request for host " + host + " refused: this admin port answers only "
            + (config.allowedHosts().isEmpty() ? "" : String.join(", ", config.allowedHosts()) + " and ")
            + "localhost, 127.0.0.1 or [::1] (a page whose DNS name points at it could otherwise drive it); "
            + "to reach it by another name, as through a reverse proxy that passes its own Host on, list that name in "
            + "admin.allowed_hosts (--admin-allowed-hosts)", "Host");
        return;
      }
      check(ctx, config);
    };
  }

  private static void check(RoutingContext ctx, AdminConfig config) {
    HttpServerRequest request = ctx.request();
    String origin = request.getHeader("Origin");
    boolean changes = request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD
        && request.method() != HttpMethod.OPTIONS;
    if (origin == null || !changes && !request.canUpgradeToWebSocket() || sameAs(origin, host(request))
        || listed(origin, config)) {
      ctx.next();
      return;
    }
    ApiError.send(ctx, 403, "cross-origin request refused: Origin " + origin + " is not this admin port ("
        + host(request) + ")", "Origin");
  }

  /**
   * The name the request was addressed to: its {@code Host} header, or over HTTP/2 its {@code :authority} (an
   * HTTP/2 request has no Host: every change a console served over TLS asked for, the browser speaking h2, was
   * refused as cross-origin, and the Host check was skipped for every HTTP/2 request).
   */
  public static String host(HttpServerRequest request) {
    String host = request.getHeader("Host");
    if (host != null || request.authority() == null) {
      return host;
    }
    var authority = request.authority();
    return authority.port() >= 0 ? authority.host() + ":" + authority.port() : authority.host();
  }

  /**
   * The name {@code request} was addressed to when a port bound to {@code boundHost} must refuse it: the port listens on
   * loopback only and the name is no loopback one (a page whose DNS name was rebound to 127.0.0.1); else null. The
   * Toxiproxy and metrics ports' check (the admin port's also takes {@code admin.allowed_hosts}).
   */
  public static String foreignName(String boundHost, HttpServerRequest request) {
    String named = host(request);
    return io.faultline.chaos.config.Hosts.loopback(boundHost) && named != null && !loopbackName(named) ? named : null;
  }

  /** {@code Host} (with or without a port) names a loopback address: localhost, *.localhost, 127.x.x.x or [::1]. */
  public static boolean loopbackName(String host) {
    String name = name(host);
    return name != null && (name.equals("[::1]") || name.equals("localhost") || name.endsWith(".localhost")
        || name.matches("127(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}"));
  }

  /**
   * The host name a {@code Host} header gives, lower-cased, without its port ({@code [::1]} keeps its brackets);
   * null when what follows the name is not a colon and a port number.
   */
  static String name(String host) {
    String h = host.trim().toLowerCase(Locale.ROOT);
    int colon = h.indexOf(':');
    int nameEnd = h.startsWith("[") ? h.indexOf(']') + 1 : colon < 0 ? h.length() : colon;
    if (nameEnd <= 0) {
      return null; // an empty name, or a "[" never closed
    }
    String rest = h.substring(nameEnd);
    return rest.isEmpty() || rest.matches(":\\d{1,5}") ? h.substring(0, nameEnd) : null;
  }

  /**
   * {@code origin} is a page of a host {@code allowed_hosts} lists, on any port: a proxy's {@code Host} often
   * drops the port (nginx's {@code $host}) that the browser's {@code Origin} keeps, and no page can claim another's origin.
   */
  private static boolean listed(String origin, AdminConfig config) {
    String o = origin.toLowerCase(Locale.ROOT);
    int start = o.startsWith("https://") ? 8 : o.startsWith("http://") ? 7 : -1;
    return start > 0 && !config.allowedHosts().isEmpty() && config.allows(o.substring(start));
  }

  private static boolean sameAs(String origin, String host) {
    if (host == null) {
      return false;
    }
    String o = origin.toLowerCase(Locale.ROOT);
    String h = host.toLowerCase(Locale.ROOT);
    // a default port one side names and the other leaves out is the same origin
    return o.equals("http://" + h) || o.equals("https://" + h) || o.equals("http://" + withoutPort(h, ":80"))
        || o.equals("https://" + withoutPort(h, ":443"));
  }

  private static String withoutPort(String host, String port) {
    return host.endsWith(port) ? host.substring(0, host.length() - port.length()) : host;
  }
}
