package io.faultline.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.faultline.chaos.config.ChaosConfigException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** Reading task submissions: Faultline's fields, reference 000's names for them, and the field each refusal names. */
class TaskSpecTest {

  private static final String CONFIG = "\"config\": {\"latency\": {\"fixed_delay_ms\": 5}}";

  private static ChaosConfigException refused(String json) {
    return catchThrowableOfType(ChaosConfigException.class, () -> TaskSpec.read(new JsonObject(json)));
  }

  @Test
  void reference000sDistributedTaskIsReadAsWritten() {
    // DistributedTask { id, orchestration, target_nodes, coordination_mode, created_at, started_at, completed_at, status } as JSON
    TaskSpec spec = TaskSpec.read(new JsonObject("""
        {"id": "task-1", "orchestration": "resilience-test", "target_nodes": ["node-1", "node-2"],
         "coordination_mode": "Parallel", "created_at": "2025-01-01T00:00:00Z", "started_at": null, "completed_at": null,
         "status": "Pending"}
        """));
    assertThat(spec.id()).isEqualTo("task-1");
    assertThat(spec.mode()).isEqualTo("parallel");
    assertThat(spec.targets()).isEqualTo(new JsonObject().put("nodes", new JsonArray().add("node-1").add("node-2")));
    assertThat(spec.targetsField()).isEqualTo("target_nodes");
    assertThat(spec.orchestration()).isEqualTo("resilience-test");
    assertThat(spec.durationSeconds()).as("an orchestration lasts as long as its run").isNull();
    assertThat(TaskSpec.read(new JsonObject("{\"coordination_mode\": \"LeaderAssigned\", " + CONFIG + "}")).mode()).isEqualTo("leader_assigned");
    assertThat(TaskSpec.read(new JsonObject("{\"mode\": \"PeerToPeer\", " + CONFIG + "}")).mode()).isEqualTo("peer_to_peer");
    assertThat(TaskSpec.read(new JsonObject("{\"coordination_mode\": \"sequential\", " + CONFIG + "}")).mode()).isEqualTo("sequential");
    TaskSpec plain = TaskSpec.read(new JsonObject("{" + CONFIG + "}"));
    assertThat(plain.mode()).isEqualTo("parallel");
    assertThat(plain.durationSeconds()).isEqualTo(10.0);
    assertThat(plain.targets()).isEqualTo(new JsonObject());
  }

  @Test
  void bothSpellingsOfAFieldAreRefusedNamingBoth() {
    ChaosConfigException mode = refused("{\"mode\": \"parallel\", \"coordination_mode\": \"Sequential\", " + CONFIG + "}");
    assertThat(mode.field()).isEqualTo("coordination_mode");
    assertThat(mode.getMessage()).isEqualTo("both mode and coordination_mode are set; they mean the same field (coordination_mode"
        + " is reference 000's name for it): keep one of them");
    ChaosConfigException targets = refused("{\"targets\": {\"regions\": [\"eu\"]}, \"target_nodes\": [\"n1\"], " + CONFIG + "}");
    assertThat(targets.field()).isEqualTo("target_nodes");
    assertThat(targets.getMessage()).startsWith("both targets and target_nodes are set");
  }

  @Test
  void badSubmissionsAreRefusedNamingTheFieldAndTheValue() {
    assertThat(refused("{\"coordination_mode\": \"RoundRobin\", " + CONFIG + "}")).satisfies(e -> {
      assertThat(e.field()).isEqualTo("coordination_mode");
      assertThat(e.getMessage()).isEqualTo("must be one of [parallel, sequential, leader_assigned, peer_to_peer] (or reference 000's"
          + " [LeaderAssigned, Parallel, PeerToPeer, Sequential]), got RoundRobin");
    });
    assertThat(refused("{\"mode\": 3, " + CONFIG + "}").field()).isEqualTo("mode");
    assertThat(refused("{\"target_nodes\": [], " + CONFIG + "}").field()).isEqualTo("target_nodes");
    assertThat(refused("{\"target_nodes\": \"n1\", " + CONFIG + "}").getMessage()).isEqualTo("must be a non-empty list of node ids, got n1");
    assertThat(refused("{\"target_nodes\": [\"n1\", 2], " + CONFIG + "}").field()).isEqualTo("target_nodes");
    assertThat(refused("{\"orchestration\": \"o\", \"duration_seconds\": 5}").field()).isEqualTo("duration_seconds");
    // under a millisecond, the item's timer came to 0 ms, which Vert.x refuses: the item stayed running, its chaos on
    assertThat(refused("{\"duration_seconds\": 0.0005, " + CONFIG + "}").getMessage())
        .isEqualTo("must be a number of seconds from 0.001 (a millisecond) to 86400, got 5.0E-4");
    assertThat(refused("{\"orchestration\": \"o\", " + CONFIG + "}")).satisfies(e -> {
      assertThat(e.field()).isEqualTo("orchestration");
      assertThat(e.getMessage()).endsWith("got [config, orchestration]");
    });
    assertThat(refused("{}").getMessage()).endsWith("got none");
    assertThat(refused("{\"orchestrations\": \"o\"}").field()).as("an unknown field is not ignored").isEqualTo("orchestrations");
    assertThat(refused("{\"status\": \"Completed\", " + CONFIG + "}").field()).isEqualTo("status");
    assertThat(refused("{\"started_at\": \"2025-01-01T00:00:00Z\", " + CONFIG + "}").field()).isEqualTo("started_at");
    assertThat(refused("{\"stop_on_failure\": \"yes\", " + CONFIG + "}").field()).isEqualTo("stop_on_failure");
    assertThat(refused("{\"id\": \"a b\", " + CONFIG + "}").field()).isEqualTo("id");
    // . and .. are resolved away in a URL's path: /api/cluster/tasks/../cancel could never reach such a task
    for (String dots : new String[] {".", ".."}) {
      assertThat(refused("{\"id\": \"" + dots + "\", " + CONFIG + "}").getMessage()).as(dots).contains("not . or ..");
    }
    assertThat(refused("{\"scenario\": 5}").field()).isEqualTo("scenario");
    assertThat(refused("{\"mode\": \"" + "x".repeat(5000) + "\", " + CONFIG + "}").getMessage()).as("bounded").hasSizeLessThan(300);
  }
}
