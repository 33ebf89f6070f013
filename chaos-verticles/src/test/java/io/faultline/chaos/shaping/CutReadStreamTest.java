package io.faultline.chaos.shaping;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A cut body: the first bytes, split exactly at the limit, then the cut instead of an end. */
class CutReadStreamTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  private record Seen(List<Integer> chunks, boolean ended) {
  }

  private Seen read(List<Buffer> buffers, long limit) throws Exception {
    Context context = vertx.getOrCreateContext();
    FakeSource source = new FakeSource(context, buffers);
    List<Integer> chunks = new CopyOnWriteArrayList<>();
    AtomicBoolean ended = new AtomicBoolean();
    Promise<Void> cut = Promise.promise();
    context.runOnContext(v -> new CutReadStream(source, limit, cut::complete)
        .endHandler(x -> ended.set(true))
        .handler(b -> chunks.add(b.length())));
    cut.future().await(5, TimeUnit.SECONDS);
    return new Seen(chunks, ended.get());
  }

  @Test
  void passesTheBytesBeforeTheLimitSplittingTheBufferThatCrossesIt() throws Exception {
    Seen seen = read(List.of(Buffer.buffer(new byte[300]), Buffer.buffer(new byte[300]), Buffer.buffer(new byte[300])), 500);
    assertThat(seen.chunks()).containsExactly(300, 200);
    assertThat(seen.ended()).as("a cut body never ends").isFalse();
  }

  @Test
  void aZeroLimitCutsBeforeAnyByte() throws Exception {
    Seen seen = read(List.of(Buffer.buffer(new byte[300])), 0);
    assertThat(seen.chunks()).isEmpty();
  }

  @Test
  void aBodyShorterThanTheLimitIsCutWhereItWouldHaveEnded() throws Exception {
    Seen seen = read(List.of(Buffer.buffer(new byte[100]), Buffer.buffer(new byte[100])), 1_000);
    assertThat(seen.chunks()).containsExactly(100, 100);
    assertThat(seen.ended()).isFalse();
  }

  @Test
  void aLimitOnABufferBoundaryPassesThatBufferWhole() throws Exception {
    Seen seen = read(List.of(Buffer.buffer(new byte[250]), Buffer.buffer(new byte[250])), 250);
    assertThat(seen.chunks()).containsExactly(250);
  }
}
