package io.faultline.admin;

import io.faultline.admin.api.ApiError;
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
 */
final class SameOrigin {

  private SameOrigin() {
  }

  static void check(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String origin = request.getHeader("Origin");
    boolean changes = request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD
        && request.method() != HttpMethod.OPTIONS;
    if (origin == null || !changes && !request.canUpgradeToWebSocket() || sameAs(origin, request.getHeader("Host"))) {
      ctx.next();
      return;
    }
    ApiError.send(ctx, 403, "cross-origin request refused: Origin " + origin + " is not this admin port ("
        + request.getHeader("Host") + ")", "Origin");
  }

  private static boolean sameAs(String origin, String host) {
    if (host == null) {
      return false;
    }
    String o = origin.toLowerCase(Locale.ROOT);
    String h = host.toLowerCase(Locale.ROOT);
    return o.equals("http://" + h) || o.equals("https://" + h);
  }
}
