package io.faultline.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NodeStatusTest {

  private static JsonObject node(String member, long lastHeartbeat, String status) {
    return new JsonObject().put("id", "n").put("member", member).put("last_heartbeat", lastHeartbeat).put("status", status);
  }

  @Test
  void aMemberWithARecentHeartbeatIsActiveAndALateOneSuspect() {
    assertThat(NodeStatus.of(node("m1", 10_000, "active"), Set.of("m1"), 12_999, 1_000)).isEqualTo(NodeStatus.ACTIVE);
    assertThat(NodeStatus.of(node("m1", 10_000, "active"), Set.of("m1"), 13_001, 1_000)).as("three intervals late").isEqualTo(NodeStatus.SUSPECT);
  }

  @Test
  void aNodeWhoseMemberIsGoneFailedAndOneThatSaidGoodbyeLeft() {
    assertThat(NodeStatus.of(node("m1", 10_000, "active"), Set.of("m2"), 10_000, 1_000)).isEqualTo(NodeStatus.FAILED);
    assertThat(NodeStatus.of(node("m1", 10_000, "left"), Set.of("m1"), 10_000, 1_000)).isEqualTo(NodeStatus.LEFT);
    assertThat(NodeStatus.LEFT.label()).isEqualTo("left");
  }

  @Test
  void onlyMembersThatDidNotLeaveTakePart() {
    assertThat(NodeStatus.live(node("m1", 0, "active"), Set.of("m1"))).as("late but a member").isTrue();
    assertThat(NodeStatus.live(node("m1", 0, "left"), Set.of("m1"))).isFalse();
    assertThat(NodeStatus.live(node("m1", 0, "active"), Set.of())).isFalse();
  }
}
