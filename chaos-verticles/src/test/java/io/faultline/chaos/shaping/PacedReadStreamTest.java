package io.faultline.chaos.shaping;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A paced body on a real event loop: the rate, the chunking, back-pressure both ways and the end. */
class PacedReadStreamTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void deliversEveryByteInChunksOfTwentyMillisecondsAtTheRate() throws Exception {
    Context context = vertx.getOrCreateContext();
    FakeSource source = new FakeSource(context, List.of(Buffer.buffer(new byte[60_000]), Buffer.buffer(new byte[40_000])));
    List<Integer> chunks = new CopyOnWriteArrayList<>();
    Promise<Long> done = Promise.promise();
    long start = System.nanoTime();
    context.runOnContext(v -> new PacedReadStream(vertx, source, 200_000)
        .endHandler(x -> done.complete(System.nanoTime() - start))
        .handler(b -> chunks.add(b.length())));
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(done.future().await(10, TimeUnit.SECONDS));
    assertThat(chunks.stream().mapToInt(Integer::intValue).sum()).isEqualTo(100_000);
    assertThat(chunks).as("20 ms of 200,000 B/s each").allMatch(n -> n <= 4_000);
    // 100,000 B at 200,000 B/s is 500 ms, each chunk going when its last byte would have come; the upper bound
    // leaves room for a loaded machine, the lower one is what pacing guarantees.
    assertThat(elapsedMs).isBetween(495L, 1_500L);
  }

  /**
   * A body smaller than one chunk comes when its last byte would have come over the limited link: 1,500 bytes at
   * 100,000 B/s take 15 ms. It went at once (each chunk went at the start of its slot), so typical API answers under a
   * bandwidth limit were not slowed at all, and every body ended a chunk early.
   */
  @Test
  void aBodySmallerThanAChunkTakesItsTimeAtTheRate() throws Exception {
    Context context = vertx.getOrCreateContext();
    FakeSource source = new FakeSource(context, List.of(Buffer.buffer(new byte[1_500])));
    Promise<Long> got = Promise.promise();
    long start = System.nanoTime();
    context.runOnContext(v -> new PacedReadStream(vertx, source, 100_000).handler(b -> got.tryComplete(System.nanoTime() - start)));
    assertThat(TimeUnit.NANOSECONDS.toMillis(got.future().await(10, TimeUnit.SECONDS))).isBetween(14L, 2_000L);
  }

  @Test
  void holdsTheSourceWhileItsChunksWaitAndHonoursTheConsumersPause() throws Exception {
    Context context = vertx.getOrCreateContext();
    FakeSource source = new FakeSource(context, List.of(Buffer.buffer(new byte[1_000]), Buffer.buffer(new byte[1_000]),
        Buffer.buffer(new byte[1_000])));
    List<Integer> chunks = new CopyOnWriteArrayList<>();
    PacedReadStream[] paced = new PacedReadStream[1];
    Promise<Void> first = Promise.promise();
    context.runOnContext(v -> {
      paced[0] = new PacedReadStream(vertx, source, 1_000_000_000L);
      paced[0].pause();
      paced[0].handler(b -> {
        chunks.add(b.length());
        first.tryComplete();
      });
      paced[0].fetch(1);
    });
    first.future().await(5, TimeUnit.SECONDS);
    // One chunk was asked for: it came, and the source was asked for no more than the one buffer it needed.
    assertThat(afterAWhile(() -> chunks.size())).isEqualTo(1);
    assertThat(source.delivered).isEqualTo(1);
    Promise<Void> ended = Promise.promise();
    context.runOnContext(v -> paced[0].endHandler(x -> ended.complete()).resume());
    ended.future().await(5, TimeUnit.SECONDS);
    assertThat(chunks).containsExactly(1_000, 1_000, 1_000);
    assertThat(source.ended()).isTrue();
  }

  /** The value once the event loop has had time to do anything more it would (it must not). */
  private <T> T afterAWhile(java.util.function.Supplier<T> value) throws Exception {
    Promise<Void> tick = Promise.promise();
    vertx.setTimer(100, id -> tick.complete());
    tick.future().await(5, TimeUnit.SECONDS);
    return value.get();
  }
}
