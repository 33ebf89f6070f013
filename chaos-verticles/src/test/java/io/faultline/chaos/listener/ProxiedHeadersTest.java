package io.faultline.chaos.listener;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.testing.Upstreams;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** An upstream's answer headers as the plain path copies them, read from a real Vert.x client response. */
class ProxiedHeadersTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  @Test
  void anUpstreamAnswersHeadersAreReadAsNettysOwnAndCopiedButTheHopByHopOnesAndThoseConnectionNames() {
    HttpServer upstream = vertx.createHttpServer().requestHandler(request -> request.response()
        .putHeader("Set-Cookie", List.<String>of("a=1", "b=2"))
        .putHeader("Connection", List.<String>of("Keep-Alive,\tX-Gone ,", "x-other"))
        .putHeader("Keep-Alive", "timeout=5")
        .putHeader("X-Gone", "named by Connection")
        .putHeader("X-Other", "named by its second field")
        .putHeader("X-Custom", "kept as sent")
        .end("ok")).listen(Upstreams.portToListenOn(), "127.0.0.1").await();
    HttpClientResponse answer = vertx.createHttpClient()
        .request(HttpMethod.GET, upstream.actualPort(), "127.0.0.1", "/")
        .compose(request -> request.send())
        .await();

    // the client response's map is Vert.x's adaptor around Netty's: read inside, not copied as Strings
    assertThat(answer.headers()).isNotInstanceOf(io.netty.handler.codec.http.HttpHeaders.class);
    assertThat(ProxiedHeaders.netty(answer.headers())).as("the Netty map inside the adaptor").isNotNull();

    MultiMap copied = MultiMap.caseInsensitiveMultiMap();
    ProxiedHeaders.answer(answer.headers(), copied);
    assertThat(copied.getAll("set-cookie")).containsExactly("a=1", "b=2");
    assertThat(copied.get("x-custom")).isEqualTo("kept as sent");
    assertThat(copied.get("content-length")).isEqualTo("2");
    assertThat(copied.contains("connection")).isFalse();
    assertThat(copied.contains("keep-alive")).isFalse();
    assertThat(copied.entries().stream().map(Map.Entry::getKey).map(String::toLowerCase))
        .containsExactlyInAnyOrder("set-cookie", "set-cookie", "x-custom", "content-length");
  }
}
