package io.faultline.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.chaos.testing.TestCertificates;
import io.faultline.chaos.testing.Upstreams;
import io.faultline.gateway.config.ConfigLoader;
import io.faultline.gateway.config.GatewayConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientOptions;
import io.vertx.grpc.server.GrpcServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS termination on every protocol's listener, each checked by a real TLS client of that protocol
 * (HTTPS with HTTP/2 through ALPN, gRPC over TLS, wss, GraphQL over HTTPS), and mutual TLS refusing a
 * client without a certificate. Certificates are made by the test.
 */
@org.junit.jupiter.api.Timeout(60)
class TlsGatewayTest {

  @TempDir
  Path dir;

  private final Vertx vertx = Vertx.vertx();
  private TestCertificates certificates;
  private TestCertificates.Pem served;
  private Gateway gateway;

  @BeforeEach
  void start() throws Exception {
    certificates = new TestCertificates(dir, "test");
    TestCertificates.Pem server = certificates.server("gateway");
    served = server;
    Upstreams.Echo http = Upstreams.echoHttp(vertx);
    GrpcServer grpc = GrpcServer.server(vertx);
    grpc.callHandler(call -> call.last().onSuccess(body -> call.response().end(Buffer.buffer("pong:").appendBuffer(body))));
    int grpcPort = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(Upstreams.portToListenOn())).requestHandler(grpc)
        .listen().await().actualPort();
    int wsPort = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(Upstreams.portToListenOn()))
        .webSocketHandler(ws -> ws.textMessageHandler(ws::writeTextMessage)).listen().await().actualPort();
    String tls = "{cert_file: \"" + server.cert() + "\", key_file: \"" + server.key() + "\"}";
    Path file = dir.resolve("faultline.yaml");
    Files.writeString(file, """
        admin: { port: 0 }
        listeners:
          - { name: web, protocol: http, port: 0, upstream: "%s", tls: %s }
          - { name: mock, protocol: http, port: 0, tls: %s }
          - { name: rpc, protocol: grpc, port: 0, upstream: "127.0.0.1:%d", tls: %s }
          - { name: live, protocol: websocket, port: 0, upstream: "ws://127.0.0.1:%d", tls: %s }
          - { name: gql, protocol: graphql, port: 0, upstream: "%s/graphql", tls: %s }
          - name: mutual
            protocol: http
            port: 0
            upstream: "%s"
            tls: { cert_file: "%s", key_file: "%s", client_ca_file: "%s" }
        """.formatted(http.url(), tls, tls, grpcPort, tls, wsPort, tls, http.url(), tls, http.url(), server.cert(), server.key(),
        certificates.caFile()));
    GatewayConfig config = ConfigLoader.load(file, Map.of(), Map.of());
    gateway = Gateway.start(config, file, null).await();
  }

  @AfterEach
  void stop() {
    gateway.close().await();
    vertx.close().await();
  }

  private PemTrustOptions trust() {
    return new PemTrustOptions().addCertPath(certificates.caFile().toString());
  }

  @Test
  void aKeyThatIsNotTheCertificatesIsRefusedAtStartAndNotTakenOnReload() throws Exception {
    TestCertificates.Pem other = certificates.server("other");
    TestCertificates.Pem server = certificates.server("second");
    Path file = dir.resolve("mismatch.yaml");
    Files.writeString(file, """
        admin: { port: 0 }
        listeners: [{ name: web, port: 0, upstream: "http://127.0.0.1:1", tls: { cert_file: "%s", key_file: "%s" } }]
        """.formatted(server.cert(), other.key()));
    GatewayConfig config = ConfigLoader.load(file, Map.of(), Map.of());
    assertThatThrownBy(() -> Gateway.start(config, file, null).await())
        .isInstanceOf(io.faultline.chaos.config.ChaosConfigException.class)
        .hasMessageContaining("is not the private key of the certificate")
        .extracting("field").isEqualTo("listeners[0].tls.key_file");

    // the running gateway's key file replaced by another key: the certificate it serves stays the working one
    Files.copy(other.key(), served.key(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Thread.sleep(2_500); // two looks of the certificate watch
    WebClient client = WebClient.create(vertx, new WebClientOptions().setSsl(true).setTrustOptions(trust()));
    assertThat(client.get(gateway.listenerPort("web"), "localhost", "/still").send().await().statusCode()).isEqualTo(200);
  }

  /**
   * A certificate and key replaced by another pair with the same times and sizes (files written within one
   * tick of the file system's clock, a ConfigMap's flip) are served: the watch looked at times and sizes,
   * and kept serving the old pair for good.
   */
  @Test
  void aCertificateReplacedByOneOfTheSameTimeAndSizeIsServed() throws Exception {
    int port = gateway.listenerPort("web");
    TestCertificates.Pem alpha = certificates.server("alpha");
    TestCertificates.Pem bravo = certificates.server("bravo");
    java.nio.file.attribute.FileTime time = java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 60_000);
    installSameShape(alpha, bravo, time);
    awaitServed(port, alpha);
    installSameShape(bravo, alpha, time);
    awaitServed(port, bravo);
  }

  /**
   * Puts {@code pem} in place of the served files, each padded to the size of the longer of it and {@code other}
   * and given {@code time}, then renamed over the served one (as a ConfigMap's flip or an atomic deploy does).
   */
  private void installSameShape(TestCertificates.Pem pem, TestCertificates.Pem other, java.nio.file.attribute.FileTime time)
      throws java.io.IOException {
    for (Path[] files : new Path[][] {{pem.cert(), other.cert(), served.cert()}, {pem.key(), other.key(), served.key()}}) {
      String text = Files.readString(files[0]);
      long size = Math.max(Files.size(files[0]), Files.size(files[1]));
      Path next = dir.resolve("next.pem");
      Files.writeString(next, text + "\n".repeat((int) (size - text.length())));
      Files.setLastModifiedTime(next, time);
      Files.move(next, files[2], java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
  }

  /** Waits until {@code pem}'s certificate is served to 8 new connections in a row (they go to every event loop's server). */
  private void awaitServed(int port, TestCertificates.Pem pem) throws Exception {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    List<java.math.BigInteger> served = new java.util.ArrayList<>();
    while (served.size() < 8 || !served.subList(served.size() - 8, served.size()).stream().allMatch(
        s -> s.equals(pem.certificate().getSerialNumber()))) {
      assertThat(System.nanoTime()).as("serials served, the newest last: " + served).isLessThan(deadline);
      served.add(certificates.servedSerial(port));
      Thread.sleep(20);
    }
  }

  /** POSTs a listener named {@code name} on TLS with these files; answers the status and body. */
  private io.vertx.ext.web.client.HttpResponse<Buffer> addTlsListener(String name, Path cert, Path key) {
    return WebClient.create(vertx).post(gateway.adminPort(), "127.0.0.1", "/api/listeners").sendJsonObject(new io.vertx.core.json.JsonObject()
        .put("name", name).put("protocol", "http").put("port", 0).put("upstream", "http://127.0.0.1:1")
        .put("tls", new io.vertx.core.json.JsonObject().put("cert_file", cert.toString()).put("key_file", key.toString()))).await();
  }

  /**
   * One PEM file holding the certificate and then its key serves, given as both files, as nginx and
   * HAProxy take it: it was refused with "cannot read ... as PEM certificates: signed fields invalid".
   */
  @Test
  void aFileHoldingTheCertificateAndItsKeyServes() throws Exception {
    TestCertificates.Pem server = certificates.server("combined");
    Path combined = dir.resolve("combined.pem");
    Files.writeString(combined, Files.readString(server.cert()) + Files.readString(server.key()));
    var added = addTlsListener("combined", combined, combined);
    assertThat(added.statusCode()).as(added.bodyAsString()).isEqualTo(201);
    int port = added.bodyAsJsonObject().getInteger("port");
    WebClient client = WebClient.create(vertx, new WebClientOptions().setSsl(true).setTrustOptions(trust()));
    assertThat(client.get(port, "localhost", "/x").send().await().statusCode()).as("the upstream is down: 502 over TLS").isEqualTo(502);
  }

  /**
   * An expired certificate is taken (nginx starts with one too, and a renewed file is read when it changes),
   * but said at once, naming the listener and the date: it was taken silently, and every client then failed.
   */
  @Test
  void anExpiredCertificateIsSaidNamingTheListenerAndTheDate() {
    TestCertificates.Pem expired = certificates.expiredServer("old");
    try (LogCapture log = LogCapture.of(io.faultline.gateway.listeners.ListenerRegistry.class)) {
      var added = addTlsListener("stale", expired.cert(), expired.key());
      assertThat(added.statusCode()).as(added.bodyAsString()).isEqualTo(201);
      assertThat(log.warnings()).anySatisfy(warning -> assertThat(warning).startsWith("listener stale: the TLS certificate in " + expired.cert())
          .contains("expired on " + expired.certificate().getNotAfter().toInstant()));
    }
  }

  @Test
  void aBadCertificateKeyOrClientCaStopsTheNodeBeforeAnythingListensNamingTheListenersFile() throws Exception {
    TestCertificates.Pem server = certificates.server("bad");
    java.security.KeyPairGenerator rsa = java.security.KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    Path rsaKey = dir.resolve("rsa.key"); // an RSA key for the EC certificate
    Files.writeString(rsaKey, "-----BEGIN PRIVATE KEY-----\n"
        + java.util.Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(rsa.generateKeyPair().getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n");
    Path encrypted = dir.resolve("encrypted.key");
    Files.writeString(encrypted, "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQI\n-----END ENCRYPTED PRIVATE KEY-----\n");
    String[][] cases = {
        {server.cert().toString(), rsaKey.toString(), null, "listeners[1].tls.key_file", "is not the private key of the certificate"},
        {server.cert().toString(), encrypted.toString(), null, "listeners[1].tls.key_file", "encrypted private key"},
        {server.cert().toString(), server.key().toString(), server.key().toString(), "listeners[1].tls.client_ca_file", "holds no PEM certificate"},
        {server.key().toString(), server.key().toString(), null, "listeners[1].tls.cert_file", "holds a private key instead"}};
    int adminPort = Upstreams.closedPort();
    for (String[] c : cases) {
      Path file = dir.resolve("bad.yaml");
      Files.writeString(file, """
          admin: { port: %d }
          listeners:
            - { name: plain, port: 0, upstream: "http://127.0.0.1:1" }
            - { name: secure, port: 0, upstream: "http://127.0.0.1:1", tls: { cert_file: "%s", key_file: "%s"%s } }
          """.formatted(adminPort, c[0], c[1], c[2] == null ? "" : ", client_ca_file: \"" + c[2] + "\""));
      GatewayConfig config = ConfigLoader.load(file, Map.of(), Map.of());
      assertThatThrownBy(() -> Gateway.start(config, file, null).await()).as(c[3] + " " + c[4])
          .isInstanceOf(io.faultline.chaos.config.ChaosConfigException.class)
          .hasMessageContaining(c[4])
          .extracting("field").isEqualTo(c[3]);
      // nothing came up: the admin port was never bound (it was, before the client CA was read)
      try (java.net.Socket probe = new java.net.Socket()) {
        assertThatThrownBy(() -> probe.connect(new java.net.InetSocketAddress("127.0.0.1", adminPort), 500)).as(c[3])
            .isInstanceOf(java.io.IOException.class);
      }
    }
  }

  @Test
  void httpsWithHttp2ThroughAlpn() {
    WebClient client = WebClient.create(vertx, new WebClientOptions().setSsl(true).setUseAlpn(true)
        .setProtocolVersion(HttpVersion.HTTP_2).setTrustOptions(trust()));
    var response = client.get(gateway.listenerPort("web"), "localhost", "/hello").send().await();
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.version()).isEqualTo(HttpVersion.HTTP_2);
    assertThat(response.bodyAsJsonObject().getString("uri")).isEqualTo("/hello");
  }

  /**
   * Every complete HTTP/2 answer over TLS is counted answered: a stream can close inside the write of its
   * last frame, before Vert.x calls the end handler, and 0.3-0.5% of them were counted dropped.
   */
  @Test
  void everyCompleteHttp2AnswerOverTlsIsCountedAnswered() {
    WebClient client = WebClient.create(vertx, new WebClientOptions().setSsl(true).setUseAlpn(true)
        .setProtocolVersion(HttpVersion.HTTP_2).setTrustOptions(trust()).setHttp2MultiplexingLimit(500));
    int answered = 0;
    for (int batch = 0; batch < 6; batch++) {
      java.util.List<io.vertx.core.Future<?>> calls = new java.util.ArrayList<>();
      for (int i = 0; i < 500; i++) {
        calls.add(client.get(gateway.listenerPort("mock"), "localhost", "/api/x" + i).send()
            .map(r -> r.statusCode() == 200 && r.body() != null && r.body().length() > 0 ? 1 : 0));
      }
      io.vertx.core.Future.all(calls).await();
      for (io.vertx.core.Future<?> call : calls) {
        answered += (Integer) call.result();
      }
    }
    assertThat(answered).isEqualTo(3000);
    String metrics = WebClient.create(vertx).get(gateway.adminPort(), "127.0.0.1", "/metrics").send().await().bodyAsString();
    assertThat(metrics).contains("faultline_requests_total{listener=\"mock\",outcome=\"2xx\",protocol=\"http\",route=\"default\"} 3000.0");
    assertThat(metrics).contains("faultline_requests_total{listener=\"mock\",outcome=\"dropped\",protocol=\"http\",route=\"default\"} 0.0");
  }

  @Test
  void grpcOverTls() {
    GrpcClient client = GrpcClient.client(vertx, new GrpcClientOptions(), new HttpClientOptions().setSsl(true).setUseAlpn(true)
        .setProtocolVersion(HttpVersion.HTTP_2).setTrustOptions(trust()));
    var answer = client.request(SocketAddress.inetSocketAddress(gateway.listenerPort("rpc"), "localhost"))
        .compose(call -> call.fullMethodName("any.Service/Ping").send(Buffer.buffer("tls")))
        .compose(response -> response.last()).await();
    assertThat(answer.toString()).isEqualTo("pong:tls");
  }

  @Test
  void secureWebSocket() {
    var client = vertx.createWebSocketClient(new WebSocketClientOptions().setSsl(true).setTrustOptions(trust()));
    try {
      var ws = client.connect(new WebSocketConnectOptions().setHost("localhost").setPort(gateway.listenerPort("live"))
          .setURI("/echo").setSsl(true)).await();
      var echoed = io.vertx.core.Promise.<String>promise();
      ws.textMessageHandler(echoed::tryComplete);
      ws.writeTextMessage("over wss").await();
      assertThat(echoed.future().await()).isEqualTo("over wss");
      ws.close().await();
    } finally {
      client.close().await();
    }
  }

  @Test
  void graphQlOverHttps() {
    WebClient client = WebClient.create(vertx, new WebClientOptions().setSsl(true).setTrustOptions(trust()));
    var response = client.post(gateway.listenerPort("gql"), "localhost", "/graphql")
        .sendJsonObject(new JsonObject().put("query", "{ hello }")).await();
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.bodyAsJsonObject().getString("uri")).isEqualTo("/graphql/graphql");
  }

  @Test
  void mutualTlsRefusesAClientWithoutACertificateAndServesOneWithIt() {
    WebClient anonymous = WebClient.create(vertx, new WebClientOptions().setSsl(true).setTrustOptions(trust()));
    assertThatThrownBy(() -> anonymous.get(gateway.listenerPort("mutual"), "localhost", "/x").send().await())
        .as("refused during the handshake").isInstanceOf(Exception.class);
    TestCertificates.Pem client = certificates.client("client");
    WebClient identified = WebClient.create(vertx, new WebClientOptions().setSsl(true).setTrustOptions(trust())
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(client.cert().toString()).setKeyPath(client.key().toString())));
    assertThat(identified.get(gateway.listenerPort("mutual"), "localhost", "/x").send().await().statusCode()).isEqualTo(200);
  }

  @Test
  void plainHttpToATlsListenerGetsNoAnswer() {
    WebClient plain = WebClient.create(vertx);
    assertThatThrownBy(() -> plain.get(gateway.listenerPort("web"), "127.0.0.1", "/x").send().await()).isInstanceOf(Exception.class);
  }
}
