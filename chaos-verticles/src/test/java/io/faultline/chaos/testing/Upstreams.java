package io.faultline.chaos.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Real upstream servers for tests, on 127.0.0.1 and a free port.
 *
 * <p>{@link #echoHttp} answers: {@code /bytes/N} with N bytes, {@code /chunked/N} with N bytes chunked, {@code /slow/MS} after MS ms,
 * {@code /status/CODE} with that status, {@code /drip/COUNT/MS} with COUNT chunks MS ms apart, {@code /stall/MS}
 * with a first chunk at once and the end MS ms later, {@code /cut/N} with N bytes of a chunked body and then its connection
 * closed (no last chunk), {@code /close} with {@code Connection: close}, and anything else with JSON of the method, path, headers
 * and body it received (bodies over 4 KiB are summarised by their length). Every request is counted in {@link Echo#hits()}, every connection in {@link Echo#connections()}.
 */
public final class Upstreams {

  private Upstreams() {
  }

  /** A running echo upstream. */
  public record Echo(HttpServer server, AtomicInteger hits, AtomicInteger connections) {
    public int port() {
      return server.actualPort();
    }

    public String url() {
      return "http://127.0.0.1:" + port();
    }
  }

  public static Echo echoHttp(Vertx vertx) {
    AtomicInteger hits = new AtomicInteger();
    AtomicInteger connections = new AtomicInteger();
    // takes heads as large as a listener does (its own defaults are 4 KiB lines and 8 KiB of headers)
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(portToListenOn())
            .setMaxInitialLineLength(64 * 1024).setMaxHeaderSize(64 * 1024))
        .connectionHandler(connection -> connections.incrementAndGet())
        .requestHandler(request -> {
          hits.incrementAndGet();
          String path = request.path();
          if (path.startsWith("/bytes/")) {
            int n = Integer.parseInt(path.substring(7));
            request.response().putHeader("Content-Type", "application/octet-stream").end(Buffer.buffer(pattern(n)));
          } else if (path.startsWith("/chunked/")) {
            // /chunked/N: N bytes as a chunked body (no Content-Length), whole
            int n = Integer.parseInt(path.substring(9));
            request.response().setChunked(true).putHeader("Content-Type", "application/octet-stream").end(Buffer.buffer(pattern(n)));
          } else if (path.startsWith("/slow/")) {
            long ms = Long.parseLong(path.substring(6));
            vertx.setTimer(ms, id -> request.response().end("slow"));
          } else if (path.startsWith("/drip/")) {
            // /drip/COUNT/MS: COUNT chunks of "tick\n", one every MS ms, then the end
            String[] parts = path.substring(6).split("/");
            drip(vertx, request.response().setChunked(true), Integer.parseInt(parts[0]), Long.parseLong(parts[1]));
          } else if (path.startsWith("/stall/")) {
            // /stall/MS: the head and a first chunk at once, the end MS ms later
            long ms = Long.parseLong(path.substring(7));
            request.response().setChunked(true).write("first\n");
            vertx.setTimer(ms, id -> request.response().end("last\n"));
          } else if (path.startsWith("/cut/")) {
            // /cut/N: a chunked answer whose upstream dies after N bytes (no last chunk)
            int n = Integer.parseInt(path.substring(5));
            request.response().setChunked(true).write(Buffer.buffer(pattern(n))).onComplete(v -> request.connection().close());
          } else if (path.equals("/drop")) {
            // the upstream closes the connection without an answer
            request.connection().close();
          } else if (path.equals("/head-then-close")) {
            // the head of a 100-byte answer, then the connection closes before any of its body
            request.response().putHeader("Content-Length", "100").writeHead().onComplete(v -> request.connection().close());
          } else if (path.equals("/close")) {
            // the answer says the upstream closes the connection after it
            request.response().putHeader("Connection", "close").end("closing");
          } else if (path.startsWith("/status/")) {
            request.response().setStatusCode(Integer.parseInt(path.substring(8))).end();
          } else {
            request.body().onSuccess(body -> {
              JsonObject headers = new JsonObject();
              request.headers().forEach(e -> headers.put(e.getKey().toLowerCase(), e.getValue()));
              request.response().putHeader("Content-Type", "application/json").end(new JsonObject()
                  .put("method", request.method().name())
                  .put("uri", request.uri())
                  .put("headers", headers)
                  .put("body", body.length() <= 4096 ? body.toString() : "(" + body.length() + " bytes)")
                  .put("body_length", body.length())
                  .encode());
            });
          }
        });
    server.listen().await();
    return new Echo(server, hits, connections);
  }

  private static void drip(Vertx vertx, io.vertx.core.http.HttpServerResponse response, int left, long ms) {
    if (left == 0) {
      response.end();
      return;
    }
    vertx.setTimer(ms, id -> {
      if (!response.closed()) {
        response.write("tick\n");
        drip(vertx, response, left - 1, ms);
      }
    });
  }

  /**
   * A TCP echo server on 127.0.0.1 (a free port): every byte a client sends comes back, with back-pressure;
   * it closes a connection when its client does. Answers the port.
   */
  public static int echoTcp(Vertx vertx) {
    return vertx.createNetServer()
        .connectHandler(socket -> socket.pipeTo(socket))
        .listen(portToListenOn(), "127.0.0.1").await().actualPort();
  }

  /** Reads up to {@code n} bytes from {@code in}, fewer when the stream ends first (a connection cut short). */
  public static byte[] readUpTo(java.io.InputStream in, int n) throws java.io.IOException {
    byte[] buffer = new byte[n];
    int got = 0;
    while (got < n) {
      int r = in.read(buffer, got, n - got);
      if (r < 0) {
        break;
      }
      got += r;
    }
    return java.util.Arrays.copyOf(buffer, got);
  }

  /** Deterministic bytes (0..250 repeating), so a truncated or reordered body is detectable. */
  public static byte[] pattern(int n) {
    byte[] bytes = new byte[n];
    for (int i = 0; i < n; i++) {
      bytes[i] = (byte) (i % 251);
    }
    return bytes;
  }

  /**
   * A free port on 127.0.0.1 for a server a test starts later (a Hazelcast member, a bridge, Prometheus), or
   * for a test's upstream. Taken below the kernel's ephemeral range, so neither an outgoing connection nor a
   * {@code listen(0)} of this or another test JVM (modules' suites can run side by side) can grab it in the
   * meantime, nor once its server has closed: a test that closes its upstream and expects a refusal gets one.
   */
  public static int portToListenOn() {
    int ephemeralLow = 32768;
    try (java.io.BufferedReader reader = java.nio.file.Files.newBufferedReader(java.nio.file.Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
      ephemeralLow = Integer.parseInt(reader.readLine().trim().split("\\s+")[0]); // (Files.readString misreads /proc files)
    } catch (java.io.IOException | RuntimeException e) {
      // not Linux: keep the usual default
    }
    if (ephemeralLow < 2_048) {
      ephemeralLow = 32768;
    }
    int low = Math.max(1024, ephemeralLow - 12_000);
    java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = random.nextInt(low, ephemeralLow);
      try (java.net.ServerSocket socket = new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
        return port;
      } catch (java.io.IOException e) {
        // taken: try another
      }
    }
    throw new IllegalStateException("no free port on 127.0.0.1 between " + low + " and " + ephemeralLow);
  }

  /**
   * A port on 127.0.0.1 with nothing listening, for a test that expects a refusal there. Picked as
   * {@link #portToListenOn()} picks, outside the ephemeral range, so that no {@code listen(0)} of a test JVM takes it;
   * another test's random pick of the same port stays possible, about once in 12,000 picks.
   */
  public static int closedPort() {
    return portToListenOn();
  }

}
