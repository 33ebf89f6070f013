package io.faultline.chaos.listener;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.config.ListenerConfig;
import io.faultline.chaos.config.Upstream;
import io.faultline.chaos.testing.Upstreams;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The upstream connections of HTTP's plain path and GraphQL's operations, against a real upstream, on one event loop as a verticle uses them. */
class UpstreamChannelsTest {

  private final Vertx vertx = Vertx.vertx();
  private final Context loop = vertx.getOrCreateContext();
  private final Upstreams.Echo echo = Upstreams.echoHttp(vertx);

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  /** Runs {@code action} on the event loop and waits for what it answers. */
  private <T> T onLoop(Callable<Future<T>> action) {
    Promise<T> done = Promise.promise();
    loop.runOnContext(v -> {
      try {
        action.call().onComplete(done);
      } catch (Exception e) {
        done.fail(e);
      }
    });
    return done.future().await();
  }

  private UpstreamChannels connections(int max) {
    ListenerConfig listener = new ListenerConfig("web", "http", "127.0.0.1", 0, echo.url(), null, null, null, null, null, null);
    return onLoop(() -> Future.succeededFuture(new UpstreamChannels(vertx, listener, max, 60_000)));
  }

  /** GETs {@code path} on {@code connection}: the answer's body, once it came whole (the connection is not given back). */
  private static Future<String> get(UpstreamChannel connection, String path) {
    Promise<String> body = Promise.promise();
    StringBuilder read = new StringBuilder();
    connection.begin(new UpstreamChannel.Exchange() {
      @Override
      public void head(HttpResponse head) {
      }

      @Override
      public void piece(HttpContent piece) {
        read.append(piece.content().toString(StandardCharsets.ISO_8859_1));
        piece.release();
        if (piece instanceof LastHttpContent) {
          body.complete(read.toString());
        }
      }

      @Override
      public void readDone() {
      }

      @Override
      public void writable() {
      }

      @Override
      public void failed(Throwable cause) {
        body.tryFail(cause);
      }
    }, false);
    DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
    request.headers().set(HttpHeaderNames.HOST, "127.0.0.1");
    connection.write(request, true);
    return body.future();
  }

  /** Gives {@code connection} back after its exchange, {@code reusable} or not, on the event loop. */
  private void release(UpstreamChannel connection, boolean reusable) {
    onLoop(() -> {
      connection.done(reusable);
      return Future.succeededFuture();
    });
  }

  @Test
  void pastItsMaximumAnExchangeWaitsForAConnectionGivenBack() {
    Upstream upstream = Upstream.parse(echo.url(), "upstream");
    UpstreamChannels connections = connections(2);
    List<Future<UpstreamChannel>> asked = onLoop(() -> {
      List<Future<UpstreamChannel>> futures = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        futures.add(connections.acquire(upstream, 0));
      }
      return Future.succeededFuture(futures);
    });
    UpstreamChannel first = asked.get(0).await();
    UpstreamChannel second = asked.get(1).await();
    assertThat(onLoop(() -> get(second, "/bytes/2"))).hasSize(2);
    assertThat(asked.get(2).isComplete()).as("a third while two are open: it waits").isFalse();
    assertThat(onLoop(() -> get(first, "/bytes/3"))).hasSize(3);
    release(first, true);
    assertThat(asked.get(2).await()).as("the one given back").isSameAs(first);
    assertThat(onLoop(() -> get(first, "/bytes/4"))).hasSize(4);
    // (the upstream counts a connection when its first request comes in)
    assertThat(echo.connections().get()).isEqualTo(2);
  }

  /** A request waits for a busy upstream's connection at most its route's timeout (connections held by stalled answers kept it for ever). */
  @Test
  void aWaitForAConnectionEndsAtItsTimeout() {
    Upstream upstream = Upstream.parse(echo.url(), "upstream");
    UpstreamChannels connections = connections(1);
    UpstreamChannel only = onLoop(() -> connections.acquire(upstream, 0));
    long start = System.nanoTime();
    Throwable failure = onLoop(() -> connections.acquire(upstream, 200).transform(ar -> Future.<Throwable>succeededFuture(ar.cause())));
    long waitedMs = (System.nanoTime() - start) / 1_000_000;
    assertThat(failure).isInstanceOf(java.util.concurrent.TimeoutException.class).hasMessageContaining("within 200 ms");
    assertThat(waitedMs).isBetween(150L, 5_000L);
    release(only, true);
    assertThat(onLoop(() -> connections.acquire(upstream, 200))).as("the one given back goes to the next, not the one that gave up")
        .isSameAs(only);
  }

  @Test
  void aConnectionGivenBackAsNotReusableIsClosedAndAWaiterGetsANewOne() {
    Upstream upstream = Upstream.parse(echo.url(), "upstream");
    UpstreamChannels connections = connections(1);
    UpstreamChannel only = onLoop(() -> connections.acquire(upstream, 0));
    assertThat(onLoop(() -> get(only, "/bytes/1"))).hasSize(1);
    Future<UpstreamChannel> waiting = onLoop(() -> Future.succeededFuture(connections.acquire(upstream, 0)));
    release(only, false);
    UpstreamChannel next = waiting.await();
    assertThat(next).isNotSameAs(only);
    assertThat(onLoop(() -> get(next, "/bytes/5"))).hasSize(5);
    assertThat(echo.connections().get()).isEqualTo(2);
  }

  @Test
  void anUpstreamNobodyListensOnFailsEveryoneWaitingNotJustTheFirst() {
    // port 1: nothing listens there, and it is outside the ephemeral range (a closed server's port 0 pick is inside it,
    // and a connection to it could be given the same port as its source and connect to itself: seen once in CI)
    Upstream upstream = Upstream.parse("http://127.0.0.1:1", "upstream");
    UpstreamChannels connections = connections(1);
    List<Future<UpstreamChannel>> asked = onLoop(() -> {
      List<Future<UpstreamChannel>> futures = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        futures.add(connections.acquire(upstream, 0));
      }
      return Future.succeededFuture(futures);
    });
    for (Future<UpstreamChannel> future : asked) {
      assertThat(future.transform(ar -> Future.succeededFuture(ar.cause())).await()).isInstanceOf(ConnectException.class);
    }
  }
}
