package io.faultline.protocol.http;

import io.faultline.chaos.listener.ListenerServers;
import io.faultline.chaos.listener.UnreadableHeads;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/**
 * The built-in upstream an {@code http} listener forwards to when none is configured, on
 * 127.0.0.1 and a free port, so the gateway works on its own:
 * <ul>
 *   <li>{@code GET /api/test}: a small JSON document;</li>
 *   <li>{@code /api/echo}: the method, path, headers and body it received, as JSON;</li>
 *   <li>{@code /api/status/CODE}: an empty answer with that status;</li>
 *   <li>{@code /api/bytes/N}: N bytes of {@code 'x'}, with Content-Length;</li>
 *   <li>the admin API's paths ({@code /api/chaos/...}, {@code /api/recorder/...}, {@code /api/history/...}, ...): 404 saying this is a traffic port, not the admin
 *       API (the reference documents put their API on :3000, which is Faultline's traffic port);</li>
 *   <li>anything else: JSON naming the method and path.</li>
 * </ul>
 */
public final class MockUpstream extends VerticleBase {

  private static final int MAX_BYTES = 64 * 1024 * 1024;

  private HttpServer server;

  @Override
  public Future<?> start() {
    // the heads a listener takes (8 KiB request lines, 32 KiB of headers), so what passes the gateway reaches the mock;
    // Vert.x's 8 KiB default answered a bare 431 to requests the listener had taken
    server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)
            .setMaxInitialLineLength(ListenerServers.MAX_REQUEST_LINE_BYTES).setMaxHeaderSize(ListenerServers.MAX_HEADER_BYTES))
        .invalidRequestHandler(UnreadableHeads.answer("the mock upstream", ListenerServers.MAX_REQUEST_LINE_BYTES,
            ListenerServers.MAX_HEADER_BYTES, response -> { }))
        .requestHandler(this::handle);
    return server.listen();
  }

  public int actualPort() {
    return server.actualPort();
  }

  private void handle(HttpServerRequest request) {
    String path = io.faultline.chaos.listener.RequestChecks.path(request);
    if (path.equals("/api/echo")) {
      request.body().onSuccess(body -> json(request, 200, new JsonObject()
          .put("method", request.method().name())
          .put("path", path)
          .put("query", request.query())
          .put("headers", headers(request.headers()))
          .put("body", body.toString())));
    } else if (path.startsWith("/api/status/")) {
      long code = parse(path.substring("/api/status/".length()), 0); // no number: 400, as the README says
      // a final answer's status: a 1xx is no answer (a 100 left the client waiting until the route timeout, a 101
      // switched protocols for a request that asked for no upgrade)
      request.response().setStatusCode(code >= 200 && code <= 599 ? (int) code : 400).end();
    } else if (path.startsWith("/api/bytes/")) {
      // parsed as a long, then capped: 3000000000 overflowed an int and answered nothing
      int n = (int) Math.min(MAX_BYTES, Math.max(0, parse(path.substring("/api/bytes/".length()), 0)));
      HttpServerResponse response = request.response().putHeader("Content-Type", "application/octet-stream")
          .putHeader("Content-Length", Integer.toString(n));
      if (request.method() == io.vertx.core.http.HttpMethod.HEAD) {
        response.end();
      } else {
        bytes(response, n);
      }
    } else if (adminPath(path)) {
      json(request, 404, new JsonObject()
          .put("error", "this is a Faultline traffic port (the built-in mock upstream), not the admin API; "
              + "the admin API listens on the admin port, 127.0.0.1:9000 by default (serve --admin-port)")
          .put("path", path));
    } else if (path.equals("/api/test")) {
      json(request, 200, new JsonObject()
          .put("status", "ok")
          .put("message", "Faultline built-in mock upstream")
          .put("timestamp", Instant.now().toString()));
    } else {
      json(request, 200, new JsonObject().put("method", request.method().name()).put("path", path)
          .put("message", "Faultline built-in mock upstream"));
    }
  }

  /**
   * The admin API's own paths, as the reference documents call them on the traffic port (001's recorder
   * search, 000's analytics): a mock 200 there read as a search that found nothing.
   */
  private static final List<String> ADMIN_PREFIXES = List.of("/api/chaos", "/api/cluster", "/api/recorder", "/api/history",
      "/api/analytics", "/api/config", "/api/listeners", "/api/traffic");

  static boolean adminPath(String path) {
    for (String prefix : ADMIN_PREFIXES) {
      if (path.equals(prefix) || path.startsWith(prefix + "/")) {
        return true;
      }
    }
    return false;
  }

  /** A block of {@code 'x'} the bodies of {@code /api/bytes/N} are written from. */
  private static final Buffer BLOCK = Buffer.buffer("x".repeat(64 * 1024));

  /**
   * Writes {@code left} bytes of {@code 'x'}, a block at a time as the connection takes them: the first byte
   * goes at once and memory stays flat (the whole body built first took 0.3 s for 60 MB, and twice its size
   * in heap).
   */
  private static void bytes(HttpServerResponse response, long left) {
    while (left > 0 && !response.writeQueueFull()) {
      int size = (int) Math.min(BLOCK.length(), left);
      response.write(size == BLOCK.length() ? BLOCK : BLOCK.getBuffer(0, size));
      left -= size;
    }
    if (left == 0) {
      response.end();
      return;
    }
    long rest = left;
    response.drainHandler(v -> bytes(response, rest));
  }

  private static void json(HttpServerRequest request, int status, JsonObject body) {
    request.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }

  private static JsonObject headers(MultiMap headers) {
    JsonObject json = new JsonObject();
    headers.forEach(e -> json.put(e.getKey().toLowerCase(java.util.Locale.ROOT), e.getValue()));
    return json;
  }

  private static long parse(String text, long fallback) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      return text.chars().allMatch(Character::isDigit) && !text.isEmpty() ? Long.MAX_VALUE : fallback; // beyond a long: capped
    }
  }
}
