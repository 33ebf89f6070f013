package io.faultline.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The admin port with a token: the console's files load without it, the API does not; browsers' cross-site
 * requests that change something are refused; a GraphQL socket may give its token in connection_init.
 */
class ConsoleServingTest {

  private static final String TOKEN = "s3cret";

  private final Vertx vertx = Vertx.vertx();
  private final WebClient web = WebClient.create(vertx);
  private final WebSocketClient sockets = vertx.createWebSocketClient();
  private int port;

  @BeforeEach
  void start() {
    AdminVerticle admin = new AdminVerticle(new AdminConfig("127.0.0.1", 0, TOKEN));
    vertx.deployVerticle(admin).await();
    port = admin.actualPort();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  @Test
  void theConsoleLoadsWithoutTheTokenUnderAStrictPolicy() {
    HttpResponse<Buffer> page = send(HttpMethod.GET, "/", null, null);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.getHeader("Content-Type")).startsWith("text/html");
    assertThat(page.bodyAsString()).contains("<title>Faultline</title>").contains("Admin token");
    assertThat(page.getHeader("Content-Security-Policy")).contains("script-src 'self'").contains("frame-ancestors 'none'");
    assertThat(page.getHeader("X-Frame-Options")).isEqualTo("DENY");
    HttpResponse<Buffer> uplot = send(HttpMethod.GET, "/console/vendor/uplot/uPlot.esm.js", null, null);
    assertThat(uplot.statusCode()).isEqualTo(200);
    assertThat(uplot.bodyAsString()).contains("export");
  }

  @Test
  void theApiStillNeedsTheToken() {
    assertThat(send(HttpMethod.GET, "/api/chaos/schema", null, null).statusCode()).isEqualTo(401);
    HttpResponse<Buffer> schema = send(HttpMethod.GET, "/api/chaos/schema", "Bearer " + TOKEN, null);
    assertThat(schema.statusCode()).isEqualTo(200);
    assertThat(schema.bodyAsJsonObject().getJsonObject("sections").fieldNames()).contains("latency");
  }

  @Test
  void aChangeAskedByAPageOfAnotherSiteIsRefusedEvenWithTheToken() {
    HttpResponse<Buffer> refused = send(HttpMethod.POST, "/api/chaos/orchestration/convert?to=json", "Bearer " + TOKEN, "http://evil.example");
    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(refused.bodyAsJsonObject().getString("field")).isEqualTo("Origin");
    HttpResponse<Buffer> same = send(HttpMethod.POST, "/api/chaos/orchestration/convert?to=json", "Bearer " + TOKEN,
        "http://127.0.0.1:" + port);
    assertThat(same.statusCode()).isEqualTo(200);
    assertThat(same.bodyAsJsonObject()).isEqualTo(new JsonObject().put("name", "x").put("steps", new io.vertx.core.json.JsonArray()));
  }

  /**
   * Over HTTP/2 (a browser's choice over TLS) the name comes as :authority, with no Host header: every change
   * asked from the console's own page was refused as cross-origin, and the Host check was skipped.
   */
  @Test
  void overHttp2TheAuthorityIsTheHost() {
    io.vertx.core.http.HttpClient h2 = vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions()
        .setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
    try {
      assertThat(h2Send(h2, "127.0.0.1", "http://127.0.0.1:" + port)).isEqualTo("HTTP_2 200");
      assertThat(h2Send(h2, "127.0.0.1", "http://evil.example")).startsWith("HTTP_2 403").contains("\"field\":\"Origin\"");
      AdminVerticle open = new AdminVerticle(new AdminConfig("127.0.0.1", 0, null));
      vertx.deployVerticle(open).await();
      io.vertx.core.http.HttpClientResponse rebound = h2.request(new io.vertx.core.http.RequestOptions().setMethod(HttpMethod.GET)
              .setHost("127.0.0.1").setPort(open.actualPort()).setURI("/api/chaos/schema"))
          .compose(r -> r.authority(io.vertx.core.net.HostAndPort.create("evil.example", open.actualPort())).send()).await();
      assertThat(rebound.statusCode()).as("a rebinding page's name over h2").isEqualTo(403);
    } finally {
      h2.close().await();
    }
  }

  private String h2Send(io.vertx.core.http.HttpClient h2, String host, String origin) {
    return h2.request(new io.vertx.core.http.RequestOptions().setMethod(HttpMethod.POST).setHost(host).setPort(port)
            .setURI("/api/chaos/orchestration/convert?to=json").putHeader("Authorization", "Bearer " + TOKEN).putHeader("Origin", origin))
        .compose(r -> r.send(Buffer.buffer("name: x\nsteps: []\n")))
        .compose(r -> r.body().map(b -> r.version() + " " + r.statusCode() + (r.statusCode() == 200 ? "" : " " + b))).await();
  }

  @Test
  void aGraphQlSocketGivesItsTokenInConnectionInit() throws Exception {
    assertThat(handshake(new JsonObject().put("Authorization", "Bearer " + TOKEN), null)).isEqualTo("connection_ack");
    assertThat(handshake(new JsonObject().put("Authorization", "Bearer wrong"), null)).isEqualTo("closed 4401");
    assertThat(handshake(null, null)).isEqualTo("closed 4401");
    assertThat(handshake(null, "http://evil.example")).startsWith("refused");
  }

  @Test
  void aLoopbackAdminWithoutATokenAnswersOnlyLoopbackHostNamesSoARebindingPageCannotDriveIt() throws Exception {
    AdminVerticle open = new AdminVerticle(new AdminConfig("127.0.0.1", 0, null));
    vertx.deployVerticle(open).await();
    int openPort = open.actualPort();
    // a page on evil.example whose name now resolves to 127.0.0.1: same origin as far as its browser knows
    String rebound = raw(openPort, "POST /api/chaos/enable HTTP/1.1\r\nHost: evil.example:" + openPort
        + "\r\nOrigin: http://evil.example:" + openPort + "\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n\r\n");
    assertThat(rebound).startsWith("HTTP/1.1 403").contains("\"field\":\"Host\"").contains("request for host evil.example:" + openPort);
    assertThat(raw(openPort, "GET /api/chaos/schema HTTP/1.1\r\nHost: evil.example\r\n\r\n")).startsWith("HTTP/1.1 403");
    for (String host : new String[] {"127.0.0.1:" + openPort, "localhost:" + openPort, "LOCALHOST", "[::1]:" + openPort,
        "127.0.0.2", "app.localhost:" + openPort}) {
      assertThat(raw(openPort, "GET /api/chaos/schema HTTP/1.1\r\nHost: " + host + "\r\n\r\n")).as(host).startsWith("HTTP/1.1 200");
    }
    for (String host : new String[] {"127.0.0.1.evil.example", "localhost.evil.example:" + openPort, "127.0.0.256", "[::2]"}) {
      assertThat(raw(openPort, "GET /api/chaos/schema HTTP/1.1\r\nHost: " + host + "\r\n\r\n")).as(host).startsWith("HTTP/1.1 403");
    }
    assertThat(raw(openPort, "GET /health HTTP/1.1\r\nHost: evil.example\r\n\r\n")).as("a probe").startsWith("HTTP/1.1 200");

    // an admin port listening beyond loopback is reached by whatever name the machine has: no Host check there
    AdminVerticle wide = new AdminVerticle(new AdminConfig("0.0.0.0", 0, TOKEN));
    vertx.deployVerticle(wide).await();
    assertThat(raw(wide.actualPort(), "GET /api/chaos/schema HTTP/1.1\r\nHost: gateway.internal\r\nAuthorization: Bearer " + TOKEN
        + "\r\n\r\n")).startsWith("HTTP/1.1 200");
  }

  /**
   * Behind a reverse proxy that passes the browser's Host on (nginx's {@code proxy_set_header Host $host}), the
   * console's own writes carry that name as Origin too: listing it in allowed_hosts lets them through, on
   * loopback, and on a wider address it limits the port to the names listed (and loopback ones).
   */
  @Test
  void anAdminBehindAReverseProxyAnswersTheNamesItsAllowedHostsListAndOnlyThose() throws Exception {
    AdminVerticle proxied = new AdminVerticle(new AdminConfig("127.0.0.1", 0, null, null, java.util.List.of("Faultline.Example.com")));
    vertx.deployVerticle(proxied).await();
    int port = proxied.actualPort();
    String enable = "POST /api/chaos/enable HTTP/1.1\r\nHost: faultline.example.com\r\nOrigin: https://faultline.example.com"
        + "\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n\r\n";
    // past the guard to the API (no chaos control runs behind this admin verticle alone: 503 naming the path)
    assertThat(raw(port, enable)).as("the console's write through the proxy").startsWith("HTTP/1.1 503")
        .contains("nothing answers /api/chaos/enable");
    assertThat(raw(port, "GET /api/chaos/schema HTTP/1.1\r\nHost: FAULTLINE.example.com:443\r\n\r\n")).startsWith("HTTP/1.1 200");
    assertThat(raw(port, "GET /api/chaos/schema HTTP/1.1\r\nHost: localhost:" + port + "\r\n\r\n")).startsWith("HTTP/1.1 200");
    String other = raw(port, "GET /api/chaos/schema HTTP/1.1\r\nHost: evil.example\r\n\r\n");
    assertThat(other).startsWith("HTTP/1.1 403").contains("\"field\":\"Host\"").contains("faultline.example.com and localhost")
        .contains("admin.allowed_hosts");
    for (String host : new String[] {"faultline.example.com.evil.example", "faultline.example.com:x", "faultline.example.com:"}) {
      assertThat(raw(port, "GET /api/chaos/schema HTTP/1.1\r\nHost: " + host + "\r\n\r\n")).as(host)
          .matches("(?s)HTTP/1.1 40[03] .*"); // a malformed Host is Vert.x's own 400
    }
    // nginx's $host drops the port that the browser's Origin keeps: a listed name's page is still the console's own
    assertThat(raw(port, enable.replace("Origin: https://faultline.example.com", "Origin: http://faultline.example.com:8443")))
        .startsWith("HTTP/1.1 503");
    assertThat(raw(port, enable.replace("Origin: https://faultline.example.com", "Origin: http://faultline.example.com.evil.example")))
        .startsWith("HTTP/1.1 403");
    // a page elsewhere still cannot write through the proxy's name: its Origin is not the Host
    assertThat(raw(port, enable.replace("Origin: https://faultline.example.com", "Origin: https://evil.example")))
        .startsWith("HTTP/1.1 403").contains("\"field\":\"Origin\"");

    AdminVerticle wide = new AdminVerticle(new AdminConfig("0.0.0.0", 0, TOKEN, null, java.util.List.of("chaos.internal")));
    vertx.deployVerticle(wide).await();
    String auth = "\r\nAuthorization: Bearer " + TOKEN + "\r\n\r\n";
    assertThat(raw(wide.actualPort(), "GET /api/chaos/schema HTTP/1.1\r\nHost: chaos.internal" + auth)).startsWith("HTTP/1.1 200");
    assertThat(raw(wide.actualPort(), "GET /api/chaos/schema HTTP/1.1\r\nHost: gateway.internal" + auth)).startsWith("HTTP/1.1 403");
  }

  @Test
  void aBrokenWebSocketHandshakeIsTheClientsMistakeNotAnInternalError() throws Exception {
    java.util.List<java.util.logging.LogRecord> severe = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.logging.Logger log = java.util.logging.Logger.getLogger(io.faultline.admin.api.ApiError.class.getName());
    java.util.logging.Handler capture = new java.util.logging.Handler() {
      @Override
      public void publish(java.util.logging.LogRecord record) {
        if (record.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue()) {
          severe.add(record);
        }
      }

      @Override
      public void flush() {
      }

      @Override
      public void close() {
      }
    };
    log.addHandler(capture);
    try {
      // no Sec-WebSocket-Key: not a handshake a WebSocket client would send
      String answer = raw(port, "GET /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
          + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n");
      assertThat(answer).startsWith("HTTP/1.1 400");
      assertThat(severe).as("nothing logged as an internal error").isEmpty();
    } finally {
      log.removeHandler(capture);
    }
  }

  @Test
  void aRequestTooLongToReadIsAnsweredWithAJsonErrorSayingWhichLimit() throws Exception {
    String line = raw(port, "GET /api/chaos/scenarios/" + "x".repeat(7000) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    assertThat(line).as("the version is unread too").startsWith("HTTP/1.0 414").contains("{\"error\":\"request line too long: the admin API reads at most 4096 bytes of it\"}");
    String headers = raw(port, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "y".repeat(9000) + "\r\n\r\n");
    assertThat(headers).startsWith("HTTP/1.1 431").contains("request headers too large");
  }

  /** Sends {@code request} as it is written and answers what came back within a second of the last byte. */
  private String raw(int to, String request) throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", to)) {
      socket.setSoTimeout(1_000);
      socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream();
      byte[] chunk = new byte[8192];
      try {
        for (int n; (n = socket.getInputStream().read(chunk)) > 0; ) {
          answer.write(chunk, 0, n);
          if (answer.toString(java.nio.charset.StandardCharsets.ISO_8859_1).matches("(?s).*\\r\\n\\r\\n.*")) {
            socket.setSoTimeout(200); // the head is in: the body follows at once
          }
        }
      } catch (java.net.SocketTimeoutException e) {
        // the connection stays open (keep-alive): what came is the answer
      }
      return answer.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
    }
  }

  private HttpResponse<Buffer> send(HttpMethod method, String path, String authorization, String origin) {
    var request = web.request(method, port, "127.0.0.1", path);
    if (authorization != null) {
      request.putHeader("Authorization", authorization);
    }
    if (origin != null) {
      request.putHeader("Origin", origin);
    }
    return method == HttpMethod.POST ? request.sendBuffer(Buffer.buffer("name: x\nsteps: []\n")).await() : request.send().await();
  }

  /** Opens a graphql-transport-ws socket, sends connection_init with {@code payload}: what came back. */
  private String handshake(JsonObject payload, String origin) throws Exception {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/graphql")
        .addSubProtocol("graphql-transport-ws");
    if (origin != null) {
      options.addHeader("Origin", origin);
    }
    CompletableFuture<String> outcome = new CompletableFuture<>();
    WebSocket socket;
    try {
      socket = sockets.connect(options).await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      return "refused: " + e.getMessage();
    }
    socket.textMessageHandler(text -> outcome.complete(new JsonObject(text).getString("type")));
    socket.closeHandler(v -> outcome.complete("closed " + socket.closeStatusCode()));
    JsonObject init = new JsonObject().put("type", "connection_init");
    if (payload != null) {
      init.put("payload", payload);
    }
    socket.writeTextMessage(init.encode());
    String result = outcome.get(10, TimeUnit.SECONDS);
    socket.close();
    return result;
  }
}
