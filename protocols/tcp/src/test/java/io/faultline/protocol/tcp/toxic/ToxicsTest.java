package io.faultline.protocol.tcp.toxic;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.config.TcpToxic;
import io.faultline.chaos.engine.ChaosRandom;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The toxics' arithmetic on chunks, without sockets: slices, cuts, pacing slots and delays. */
class ToxicsTest {

  private static final long MS = 1_000_000L;

  private static List<Chunk> pass(Toxic toxic, Chunk chunk) {
    List<Chunk> out = new ArrayList<>();
    toxic.data(chunk, out);
    return out;
  }

  private static Toxic create(String type, Map<String, Object> attributes) {
    return Toxics.create(new TcpToxic(null, type, null, null, attributes), ChaosRandom.forRequest(3, 1));
  }

  @Test
  void theSlicerCutsEveryByteIntoSlicesNearTheAverageSpacedByItsDelay() {
    Toxic slicer = create("slicer", Map.of("average_size", 100, "size_variation", 20, "delay", 1000));
    List<Chunk> slices = pass(slicer, Chunk.data(Buffer.buffer(new byte[1000]), 0));
    assertThat(slices.stream().mapToInt(Chunk::length).sum()).isEqualTo(1000);
    assertThat(slices).allSatisfy(s -> assertThat(s.length()).isBetween(1, 120 + 1));
    for (int i = 0; i < slices.size(); i++) {
      assertThat(slices.get(i).dueNanos()).isEqualTo(i * 1000L * 1000);
    }
    assertThat(pass(slicer, Chunk.data(Buffer.buffer(new byte[10]), 0)).get(0).dueNanos())
        .as("the next chunk waits for the delay after the last slice").isEqualTo(slices.size() * 1_000_000L);
  }

  @Test
  void limitDataLetsExactlyItsBytesThroughThenClosesAndDropsTheRest() {
    Toxic limit = create("limit_data", Map.of("bytes", 25));
    assertThat(pass(limit, Chunk.data(Buffer.buffer(new byte[10]), 0))).extracting(Chunk::length).containsExactly(10);
    List<Chunk> crossing = pass(limit, Chunk.data(Buffer.buffer(new byte[30]), 0));
    assertThat(crossing).extracting(Chunk::kind).containsExactly(Chunk.Kind.DATA, Chunk.Kind.CLOSE);
    assertThat(crossing.get(0).length()).isEqualTo(15);
    assertThat(pass(limit, Chunk.data(Buffer.buffer(new byte[5]), 0))).isEmpty();
  }

  @Test
  void latencyCountsFromArrivalAndJitterStaysWithinItsBounds() {
    Toxic latency = create("latency", Map.of("latency", 100, "jitter", 10));
    for (int i = 0; i < 200; i++) {
      long due = pass(latency, Chunk.data(Buffer.buffer("x"), 5 * MS)).get(0).dueNanos();
      assertThat(due).isBetween(5 * MS + 90 * MS, 5 * MS + 109 * MS);
    }
    Chunk late = Chunk.data(Buffer.buffer("x"), 0).notBefore(300 * MS); // already held longer by an earlier toxic
    assertThat(pass(create("latency", Map.of("latency", 100)), late).get(0).dueNanos()).isEqualTo(300 * MS);
  }

  /**
   * Latencies one after another add up, as Toxiproxy's do (its latency moves the chunk's timestamp on by what it slept):
   * counted from arrival, two of 300 ms held a chunk 300 ms. Time spent in a toxic before a latency still counts.
   */
  @Test
  void latenciesOneAfterAnotherAddUp() {
    Toxic first = create("latency", Map.of("latency", 300));
    Toxic second = create("latency", Map.of("latency", 300));
    Chunk chunk = pass(second, pass(first, Chunk.data(Buffer.buffer("x"), 5 * MS)).get(0)).get(0);
    assertThat(chunk.dueNanos()).isEqualTo(605 * MS);
    Chunk paced = Chunk.data(Buffer.buffer("x"), 0).notBefore(100 * MS); // 100 ms in a bandwidth toxic first
    Chunk after = pass(second, pass(first, paced).get(0)).get(0);
    assertThat(after.dueNanos()).as("Toxiproxy: the first sleeps 200, the second 300 - 100").isEqualTo(500 * MS);
  }

  @Test
  void bandwidthGivesEachPieceTheNextSlotOfItsRate() {
    Toxic bandwidth = create("bandwidth", Map.of("rate", 100)); // 100,000 B/s: pieces of 2,000 bytes (20 ms)
    long now = System.nanoTime();
    List<Chunk> pieces = pass(bandwidth, Chunk.data(Buffer.buffer(new byte[10_000]), now));
    assertThat(pieces).extracting(Chunk::length).containsOnly(2_000);
    assertThat(pieces.get(4).dueNanos() - pieces.get(1).dueNanos()).isEqualTo(60 * MS);
    assertThat(((BandwidthToxic) create("bandwidth", Map.of("rate", 0))).cuts()).as("rate 0: nothing passes (the link holds it)").isTrue();
    assertThat(((BandwidthToxic) bandwidth).cuts()).isFalse();
  }

  @Test
  void slowCloseDelaysOnlyTheEnd() {
    Toxic slow = create("slow_close", Map.of("delay", 250));
    assertThat(pass(slow, Chunk.data(Buffer.buffer("x"), 0)).get(0).dueNanos()).isZero();
    List<Chunk> out = new ArrayList<>();
    slow.end(Chunk.end(0), out);
    assertThat(out.get(0).dueNanos()).isEqualTo(250 * MS);
  }
}
