package io.faultline.history.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The writer's retry of a batch the store could not take, on a pinned clock and a store that fails as told. */
class WriterTest {

  private final Vertx vertx = Vertx.vertx();
  private final AtomicLong now = new AtomicLong(1_000_000);
  private final BoundedQueue<Integer> queue = new BoundedQueue<>(100);
  private final List<Integer> stored = new ArrayList<>();
  private final AtomicInteger failures = new AtomicInteger();
  private SQLException failure = new SQLException("Connection to 127.0.0.1:5432 refused", "08001");
  private final Writer<Integer> writer = new Writer<>(vertx, "run", queue, 2, items -> {
    if (failures.getAndDecrement() > 0) {
      return Future.failedFuture(failure);
    }
    stored.addAll(items);
    return Future.succeededFuture();
  }, now::get);

  @AfterEach
  void close() {
    vertx.close().await();
  }

  private void offer(int... items) {
    for (int item : items) {
      queue.offer(item);
    }
  }

  @Test
  void aBatchTheDatabaseCouldNotTakeIsWrittenLaterBeforeAnythingNewer() {
    failures.set(3);
    offer(1, 2, 3);
    writer.drain();
    assertThat(stored).isEmpty();
    writer.drain();
    assertThat(stored).as("not retried before its back-off").isEmpty();
    for (int i = 0; i < 10 && stored.isEmpty(); i++) {
      now.addAndGet(5_000);
      writer.drain();
    }
    offer(4);
    for (int i = 0; i < 3; i++) {
      writer.drain();
    }
    assertThat(stored).containsExactly(1, 2, 3, 4);
    assertThat(writer.abandoned()).isZero();
  }

  @Test
  void aBatchStillNotWrittenAfterTheRetryTimeIsDroppedAndCounted() {
    failures.set(Integer.MAX_VALUE);
    offer(1, 2, 3);
    writer.drain();
    long waited = 0;
    while (writer.abandoned() == 0 && waited <= Writer.RETRY_FOR_MS + 5_000) {
      now.addAndGet(5_000);
      waited += 5_000;
      writer.drain();
    }
    assertThat(writer.abandoned()).isEqualTo(2);
    assertThat(waited).as("retried for the whole retry time").isGreaterThanOrEqualTo(Writer.RETRY_FOR_MS);
    failures.set(0);
    writer.drain();
    assertThat(stored).as("the next batch is written once the database answers").containsExactly(3);
  }

  @Test
  void aBatchTheDatabaseRefusesForItsContentIsDroppedAtOnceAndCounted() {
    failure = new SQLException("duplicate key", "23505");
    firstBatchDroppedAtOnce();
  }

  /** The first batch of three records (two to a batch) fails with {@link #failure}: it is dropped at once, the next written. */
  private void firstBatchDroppedAtOnce() {
    failures.set(1);
    offer(1, 2, 3);
    writer.drain();
    writer.drain();
    assertThat(writer.abandoned()).isEqualTo(2);
    assertThat(stored).containsExactly(3);
  }

  /**
   * SQLite's refusals carry no SQLSTATE: one for a batch's content (here a real NOT NULL refusal from SQLite) was taken
   * for the database being out of reach, and the batch held every newer record back for five minutes before it was
   * dropped all the same. A busy database file is still waited for.
   */
  @Test
  void aBatchSqliteRefusesForItsContentIsDroppedAtOnceAndABusyFileIsWaitedFor() throws Exception {
    try (var db = java.sql.DriverManager.getConnection("jdbc:sqlite::memory:"); var statement = db.createStatement()) {
      statement.execute("CREATE TABLE t (x TEXT NOT NULL)");
      failure = org.assertj.core.api.Assertions.catchThrowableOfType(() -> statement.execute("INSERT INTO t VALUES (NULL)"),
          SQLException.class);
    }
    assertThat(failure.getSQLState()).as("what made it look like an outage").isNull();
    firstBatchDroppedAtOnce();
    assertThat(Connections.worthRetrying(new org.sqlite.SQLiteException("database is locked",
        org.sqlite.SQLiteErrorCode.SQLITE_BUSY))).isTrue();
  }

  /** A clean stop writes the whole queue: it wrote five batches and dropped the rest without counting them. */
  @Test
  void aStopWritesEverythingQueued() {
    for (int i = 0; i < 40; i++) {
      queue.offer(i);
    }
    writer.stop().await();
    assertThat(stored).hasSize(40).startsWith(0, 1, 2).endsWith(38, 39);
    assertThat(writer.abandoned()).isZero();
  }

  /**
   * A stop that comes while a batch is being written waits for it, and then writes one batch at a time: the write in
   * flight, once done, chained the next full batch beside the stop's own, two inserts at once on one store.
   */
  @Test
  void aStopWaitsForTheBatchInFlightAndWritesOneBatchAtATime() {
    List<Promise<Void>> inFlight = new ArrayList<>();
    AtomicInteger most = new AtomicInteger();
    Writer<Integer> held = new Writer<>(vertx, "run", queue, 2, items -> {
      Promise<Void> written = Promise.promise();
      inFlight.add(written);
      most.accumulateAndGet(inFlight.size(), Math::max);
      return written.future().onSuccess(v -> stored.addAll(items));
    }, now::get);
    offer(1, 2, 3, 4, 5, 6);
    held.drain();
    Future<Void> stopped = held.stop();
    while (!inFlight.isEmpty()) {
      inFlight.remove(0).complete();
    }
    assertThat(stopped.succeeded()).isTrue();
    assertThat(most.get()).as("batches written at once").isEqualTo(1);
    assertThat(stored).containsExactly(1, 2, 3, 4, 5, 6);
  }

  /** A store too slow to take it all within the stop's bound: what is left is dropped and counted, not lost unseen. */
  @Test
  void whatAStopCannotWriteInTimeIsCounted() {
    Writer<Integer> slow = new Writer<>(vertx, "exchange", queue, 2, items -> {
      stored.addAll(items);
      now.addAndGet(4_000); // each batch takes 4 s of the stop's 10
      return Future.succeededFuture();
    }, now::get);
    for (int i = 0; i < 40; i++) {
      queue.offer(i);
    }
    slow.stop().await();
    assertThat(stored).hasSize(6);
    assertThat(slow.abandoned()).isEqualTo(34);
    assertThat(queue.size()).isZero();
  }
}
