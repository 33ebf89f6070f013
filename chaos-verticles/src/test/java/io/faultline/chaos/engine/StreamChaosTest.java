package io.faultline.chaos.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.config.LatencyConfig;
import io.faultline.chaos.config.WebSocketConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Message fates on a connection: seeded, by direction, and each fault at its probability. */
class StreamChaosTest {

  private static WebSocketConfig websocket(String direction, double drop, double duplicate, double corrupt, double disconnect,
      int disconnectAfter) {
    return new WebSocketConfig(true, direction, null, drop, duplicate, corrupt, null, null, disconnect, disconnectAfter, null,
        null, null);
  }

  private static List<StreamChaos.Fate> fates(StreamChaos chaos, int n) {
    List<StreamChaos.Fate> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(chaos.next(true));
    }
    return out;
  }

  @Test
  void theSameSeedGivesTheSameFates() {
    WebSocketConfig config = websocket("both", 0.3, 0.2, 0.1, 0, 0);
    List<StreamChaos.Fate> first = fates(new StreamChaos(new MessageFault.Fates(config, null, 42)), 200);
    assertThat(fates(new StreamChaos(new MessageFault.Fates(config, null, 42)), 200)).isEqualTo(first);
    assertThat(fates(new StreamChaos(new MessageFault.Fates(config, null, 43)), 200)).isNotEqualTo(first);
  }

  /**
   * Each direction draws from its own stream: a service pushing while its client sends interleaves the two
   * differently from run to run, and with one stream for both the same seed faulted different messages.
   */
  @Test
  void eachDirectionsFatesAreTheSameHoweverTheDirectionsInterleave() {
    WebSocketConfig config = websocket("both", 0.3, 0.2, 0.1, 0, 0);
    StreamChaos oneThenOther = new StreamChaos(new MessageFault.Fates(config, null, 42));
    List<StreamChaos.Fate> down = fates(oneThenOther, 100);
    List<StreamChaos.Fate> up = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      up.add(oneThenOther.next(false));
    }
    StreamChaos alternating = new StreamChaos(new MessageFault.Fates(config, null, 42));
    for (int i = 0; i < 100; i++) {
      assertThat(alternating.next(false)).as("upstream message %d", i).isEqualTo(up.get(i));
      assertThat(alternating.next(true)).as("downstream message %d", i).isEqualTo(down.get(i));
    }
    assertThat(up).as("the two directions draw differently").isNotEqualTo(down);
  }

  @Test
  void eachFaultComesAtItsProbabilityAndADroppedMessageIsNothingElse() {
    List<StreamChaos.Fate> fates = fates(new StreamChaos(new MessageFault.Fates(websocket("both", 0.3, 0.2, 0, 0, 0), null, 7)), 2_000);
    long drops = fates.stream().filter(StreamChaos.Fate::drop).count();
    long duplicates = fates.stream().filter(StreamChaos.Fate::duplicate).count();
    // 2,000 draws: drops ~600 (sd 20), duplicates ~0.2 of the 1,400 kept (~280, sd 15); bounds at about 5 sd.
    assertThat(drops).isBetween(500L, 700L);
    assertThat(duplicates).isBetween(200L, 360L);
    assertThat(fates).filteredOn(StreamChaos.Fate::drop).allMatch(f -> !f.duplicate() && !f.corrupt() && f.delayMs() == 0);
  }

  @Test
  void directionsSayWhichWayMessagesAreSubjectToChaos() {
    StreamChaos down = new StreamChaos(new MessageFault.Fates(websocket("downstream", 1, 0, 0, 0, 0), null, 1));
    assertThat(down.affects(true)).isTrue();
    assertThat(down.affects(false)).isFalse();
    StreamChaos both = new StreamChaos(new MessageFault.Fates(websocket("both", 1, 0, 0, 0, 0), null, 1));
    assertThat(both.affects(true)).isTrue();
    assertThat(both.affects(false)).isTrue();
  }

  @Test
  void latencyAloneDelaysEachMessageByADrawPlusThePerMessageDelay() {
    LatencyConfig latency = new LatencyConfig(true, null, List.of(100L, 200L), null, null, 5L);
    StreamChaos chaos = new StreamChaos(new MessageFault.Fates(null, latency, 3));
    assertThat(chaos.config().enabled()).as("no websocket section: its faults are off").isFalse();
    for (StreamChaos.Fate fate : fates(chaos, 100)) {
      assertThat(fate.delayMs()).isBetween(105L, 205L);
      assertThat(fate.drop() || fate.duplicate() || fate.corrupt() || fate.disconnect()).isFalse();
    }
  }

  @Test
  void aConnectionEndsAfterItsMessageCountOrWhenADisconnectComesUp() {
    StreamChaos after = new StreamChaos(new MessageFault.Fates(websocket("both", 0, 0, 0, 0, 3), null, 1));
    List<StreamChaos.Fate> fates = fates(after, 3);
    assertThat(fates.subList(0, 2)).allMatch(StreamChaos.Fate::isPass);
    assertThat(fates.get(2).disconnectAfter()).as("delivered, then the connection closes").isTrue();
    StreamChaos always = new StreamChaos(new MessageFault.Fates(websocket("both", 0, 0, 0, 1.0, 0), null, 1));
    assertThat(always.next(false).disconnect()).isTrue();
  }

  /**
   * The messages after the one that carries the disconnect are no second disconnect; once that close was let go unsaid
   * (the kill switch released what waited before it), the next message carries it again, with no change of chaos seen.
   */
  @Test
  void aDisconnectLetGoUnsaidIsDecidedAgainAtTheNextMessage() {
    StreamChaos after = new StreamChaos(new MessageFault.Fates(websocket("both", 0, 0, 0, 0, 1), null, 1));
    assertThat(after.next(true).disconnectAfter()).isTrue();
    assertThat(after.next(true).disconnectAfter()).as("decided already").isFalse();
    after.disconnectUnsaid();
    assertThat(after.next(true).disconnectAfter()).as("decided again").isTrue();
  }
}
