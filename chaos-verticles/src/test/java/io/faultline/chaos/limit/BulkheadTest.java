package io.faultline.chaos.limit;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The simulated bulkhead: permits, its queue, the queue timeout, and permits handed on as they come back. */
class BulkheadTest {

  private final Vertx vertx = Vertx.vertx();
  private final Context context = vertx.getOrCreateContext();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  /** Asks for a permit on the event loop, as requests do. */
  private Future<Void> acquire(Bulkhead bulkhead) {
    Promise<Void> result = Promise.promise();
    context.runOnContext(v -> bulkhead.acquire(context).onComplete(result));
    return result.future();
  }

  @Test
  void givesItsPermitsAtOnceThenQueuesThenRefuses() throws Exception {
    Bulkhead bulkhead = new Bulkhead(2, 1, 60_000);
    acquire(bulkhead).await(5, TimeUnit.SECONDS);
    acquire(bulkhead).await(5, TimeUnit.SECONDS);
    Future<Void> waiting = acquire(bulkhead);
    Future<Void> refused = acquire(bulkhead);
    assertThat(refused.transform(ar -> Future.succeededFuture(ar.cause())).await(5, TimeUnit.SECONDS))
        .isInstanceOf(Bulkhead.Full.class).hasMessage("bulkhead full");
    assertThat(bulkhead.active()).isEqualTo(2);
    assertThat(bulkhead.queued()).isEqualTo(1);
    assertThat(waiting.isComplete()).isFalse();

    context.runOnContext(v -> bulkhead.release());
    waiting.await(5, TimeUnit.SECONDS);
    assertThat(bulkhead.active()).as("the released permit went to the waiter").isEqualTo(2);
    assertThat(bulkhead.queued()).isZero();
  }

  @Test
  void aWaiterGivesUpAfterTheQueueTimeoutAndLeavesTheQueue() throws Exception {
    Bulkhead bulkhead = new Bulkhead(1, 5, 100);
    acquire(bulkhead).await(5, TimeUnit.SECONDS);
    long start = System.nanoTime();
    Throwable failure = acquire(bulkhead).transform(ar -> Future.succeededFuture(ar.cause())).await(5, TimeUnit.SECONDS);
    long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(failure).isInstanceOf(Bulkhead.Full.class).hasMessage("bulkhead queue timeout");
    assertThat(waitedMs).as("queue_timeout_ms is 100").isGreaterThanOrEqualTo(95);
    assertThat(bulkhead.queued()).isZero();
    context.runOnContext(v -> bulkhead.release());
    assertThat(acquire(bulkhead).await(5, TimeUnit.SECONDS)).as("the permit is free again, not promised to the one who left").isNull();
    assertThat(bulkhead.active()).isEqualTo(1);
  }

  @Test
  void withNoQueueTheFirstRequestOverTheLimitIsRefused() throws Exception {
    Bulkhead bulkhead = new Bulkhead(1, 0, 5_000);
    acquire(bulkhead).await(5, TimeUnit.SECONDS);
    Throwable refused = acquire(bulkhead).transform(ar -> Future.succeededFuture(ar.cause())).await(5, TimeUnit.SECONDS);
    assertThat(refused).isInstanceOf(Bulkhead.Full.class).hasMessage("bulkhead full");
    assertThat(bulkhead.queued()).isZero();
    assertThat(bulkhead.active()).isEqualTo(bulkhead.maxConcurrent()).isEqualTo(1);
  }
}
