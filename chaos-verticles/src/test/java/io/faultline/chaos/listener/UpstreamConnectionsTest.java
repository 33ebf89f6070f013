package io.faultline.chaos.listener;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.config.Upstream;
import io.faultline.chaos.testing.Upstreams;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The plain path's own upstream connections, against a real upstream, on one event loop as the verticle uses them. */
class UpstreamConnectionsTest {

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

  private UpstreamConnections connections(int max) {
    return onLoop(() -> Future.succeededFuture(new UpstreamConnections(vertx, vertx.createHttpClient(new HttpClientOptions()), max, 60_000)));
  }

  private static Future<String> get(HttpClientConnection connection, String path) {
    return connection.request(new RequestOptions().setMethod(HttpMethod.GET).setURI(path))
        .compose(request -> request.send().compose(response -> response.body()))
        .map(Object::toString);
  }

  @Test
  void pastItsMaximumAnExchangeWaitsForAConnectionGivenBack() {
    Upstream upstream = Upstream.parse(echo.url(), "upstream");
    UpstreamConnections connections = connections(2);
    List<Future<HttpClientConnection>> asked = onLoop(() -> {
      List<Future<HttpClientConnection>> futures = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        futures.add(connections.acquire(upstream, 0));
      }
      return Future.succeededFuture(futures);
    });
    HttpClientConnection first = asked.get(0).await();
    HttpClientConnection second = asked.get(1).await();
    assertThat(onLoop(() -> get(second, "/bytes/2"))).hasSize(2);
    assertThat(asked.get(2).isComplete()).as("a third while two are open: it waits").isFalse();
    assertThat(onLoop(() -> get(first, "/bytes/3"))).hasSize(3);
    onLoop(() -> {
      connections.release(upstream, first, true);
      return Future.succeededFuture();
    });
    assertThat(asked.get(2).await()).as("the one given back").isSameAs(first);
    assertThat(onLoop(() -> get(first, "/bytes/4"))).hasSize(4);
    // (the upstream counts a connection when its first request comes in)
    assertThat(echo.connections().get()).isEqualTo(2);
  }

  /** A request waits for a busy upstream's connection at most its route's timeout (connections held by stalled answers kept it for ever). */
  @Test
  void aWaitForAConnectionEndsAtItsTimeout() {
    Upstream upstream = Upstream.parse(echo.url(), "upstream");
    UpstreamConnections connections = connections(1);
    HttpClientConnection only = onLoop(() -> connections.acquire(upstream, 0));
    long start = System.nanoTime();
    Throwable failure = onLoop(() -> connections.acquire(upstream, 200).transform(ar -> Future.<Throwable>succeededFuture(ar.cause())));
    long waitedMs = (System.nanoTime() - start) / 1_000_000;
    assertThat(failure).isInstanceOf(java.util.concurrent.TimeoutException.class).hasMessageContaining("within 200 ms");
    assertThat(waitedMs).isBetween(150L, 5_000L);
    onLoop(() -> {
      connections.release(upstream, only, true);
      return Future.succeededFuture();
    });
    assertThat(onLoop(() -> connections.acquire(upstream, 200))).as("the one given back goes to the next, not the one that gave up")
        .isSameAs(only);
  }

  @Test
  void aConnectionGivenBackAsNotReusableIsClosedAndAWaiterGetsANewOne() {
    Upstream upstream = Upstream.parse(echo.url(), "upstream");
    UpstreamConnections connections = connections(1);
    HttpClientConnection only = onLoop(() -> connections.acquire(upstream, 0));
    assertThat(onLoop(() -> get(only, "/bytes/1"))).hasSize(1);
    Future<HttpClientConnection> waiting = onLoop(() -> Future.succeededFuture(connections.acquire(upstream, 0)));
    onLoop(() -> {
      connections.release(upstream, only, false);
      return Future.succeededFuture();
    });
    HttpClientConnection next = waiting.await();
    assertThat(next).isNotSameAs(only);
    assertThat(onLoop(() -> get(next, "/bytes/5"))).hasSize(5);
    assertThat(echo.connections().get()).isEqualTo(2);
  }

  @Test
  void anUpstreamNobodyListensOnFailsEveryoneWaitingNotJustTheFirst() {
    // port 1: nothing listens there, and it is outside the ephemeral range (a closed server's port 0 pick is inside it,
    // and a connection to it could be given the same port as its source and connect to itself: seen once in CI)
    Upstream upstream = Upstream.parse("http://127.0.0.1:1", "upstream");
    UpstreamConnections connections = connections(1);
    List<Future<HttpClientConnection>> asked = onLoop(() -> {
      List<Future<HttpClientConnection>> futures = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        futures.add(connections.acquire(upstream, 0));
      }
      return Future.succeededFuture(futures);
    });
    for (Future<HttpClientConnection> future : asked) {
      assertThat(future.transform(ar -> Future.succeededFuture(ar.cause())).await()).isInstanceOf(ConnectException.class);
    }
  }
}
