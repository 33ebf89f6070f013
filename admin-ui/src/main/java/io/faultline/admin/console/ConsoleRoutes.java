package io.faultline.admin.console;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The web console's files, served from the jar: {@code /} is the console, {@code /console/*} its
 * scripts and styles, {@code /console/vendor/uplot/*} the uPlot webjar. They hold no data and are
 * served without the token (the sign-in page must load); everything they show comes from the API,
 * which asks for it. Each answer forbids scripts from anywhere but this origin, inline scripts, and
 * framing by other pages.
 */
public final class ConsoleRoutes {

  /** The uPlot webjar's version, as in admin-ui's pom. */
  public static final String UPLOT = "1.6.30";

  /**
   * No inline or foreign scripts; styles inline too only because the HTML reports shown in a frame carry
   * their own; live data over this origin's WebSocket; never framed by another site (the kill switch).
   */
  static final String POLICY = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:;"
      + " connect-src 'self'; frame-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

  private ConsoleRoutes() {
  }

  public static void mount(Router router) {
    router.get("/").handler(ctx -> ctx.reroute("/console/index.html"));
    router.get("/console/*").handler(ConsoleRoutes::headers);
    router.get("/console/vendor/uplot/*").handler(StaticHandler.create("META-INF/resources/webjars/uplot/" + UPLOT + "/dist")
        .setCachingEnabled(true).setMaxAgeSeconds(7 * 24 * 3600));
    // Revalidated on every load (no max-age), so a new version of the console is picked up at once.
    router.get("/console/*").handler(StaticHandler.create("io/faultline/admin/console")
        .setCachingEnabled(true).setMaxAgeSeconds(0).setIndexPage("index.html"));
  }

  private static void headers(RoutingContext ctx) {
    ctx.response()
        .putHeader("Content-Security-Policy", POLICY)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "no-referrer")
        .putHeader("X-Frame-Options", "DENY");
    ctx.next();
  }
}
