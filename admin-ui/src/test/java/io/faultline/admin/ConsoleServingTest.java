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

  @Test
  void aGraphQlSocketGivesItsTokenInConnectionInit() throws Exception {
    assertThat(handshake(new JsonObject().put("Authorization", "Bearer " + TOKEN), null)).isEqualTo("connection_ack");
    assertThat(handshake(new JsonObject().put("Authorization", "Bearer wrong"), null)).isEqualTo("closed 4401");
    assertThat(handshake(null, null)).isEqualTo("closed 4401");
    assertThat(handshake(null, "http://evil.example")).startsWith("refused");
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
