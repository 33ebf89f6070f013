package io.faultline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three clustered gateway nodes on 127.0.0.1 in one JVM (each its own Vert.x and Hazelcast member):
 * shared chaos state, a late joiner, leader failover, node-scoped chaos, the node registry.
 */
class ClusterGatewayTest {

  private final ClusterFixture cluster = new ClusterFixture();
  private final io.vertx.ext.web.client.WebClient web = cluster.web;
  private final List<Gateway> nodes = cluster.nodes;

  @AfterEach
  void stop() {
    cluster.close();
  }

  private Gateway start(int index) throws Exception {
    return cluster.start(index);
  }

  private JsonObject get(Gateway node, String path) {
    return cluster.get(node, path);
  }

  private String metrics(Gateway node) {
    return cluster.web.get(node.adminPort(), "127.0.0.1", "/metrics").send().await().bodyAsString();
  }

  private static void eventually(Supplier<Boolean> condition, String what) throws InterruptedException {
    ClusterFixture.eventually(condition, what);
  }

  private int status(Gateway node, io.vertx.core.http.HttpMethod method, String path, String body) {
    var request = web.request(method, node.adminPort(), "127.0.0.1", path);
    return (body == null ? request.send() : request.sendBuffer(Buffer.buffer(body))).await().statusCode();
  }

  /**
   * Saved scenarios are the cluster's, as the chaos state is: one saved on a node can be started on any
   * other (and a run the next leader resumes finds it), a delete reaches every node, and a node that joins
   * later keeps what the cluster holds. They stayed on the node that saved them.
   */
  @Test
  void savedScenariosAreTheClustersAndANodeThatJoinsLaterKeepsThem() throws Exception {
    Gateway n1 = start(0);
    Gateway n2 = start(1);
    var post = io.vertx.core.http.HttpMethod.POST;
    assertThat(status(n1, post, "/api/chaos/scenarios", "{\"name\": \"shared_slow\", \"config\": {\"latency\": {\"fixed_delay_ms\": 5}}}"))
        .isEqualTo(201);
    eventually(() -> status(n2, io.vertx.core.http.HttpMethod.GET, "/api/chaos/scenarios/shared_slow", null) == 200, "n2 has n1's scenario");
    assertThat(status(n2, post, "/api/chaos/scenarios/shared_slow", null)).as("started on the other node").isEqualTo(200);
    eventually(() -> "shared_slow".equals(get(n1, "/api/chaos/status").getString("scenario")), "the whole cluster runs it");
    assertThat(status(n1, post, "/api/chaos/scenarios/stop", null)).isEqualTo(200);
    assertThat(status(n1, post, "/api/chaos/scenarios", "{\"name\": \"kept\", \"config\": {\"latency\": {\"fixed_delay_ms\": 7}}}"))
        .isEqualTo(201);
    // an active scenario is not deleted: n2 deletes it once the stop has reached it (until then it still runs it: 409)
    eventually(() -> get(n2, "/api/chaos/status").getValue("scenario") == null, "the stop reaches n2");
    assertThat(status(n2, io.vertx.core.http.HttpMethod.DELETE, "/api/chaos/scenarios/shared_slow", null)).isEqualTo(200);
    eventually(() -> status(n1, io.vertx.core.http.HttpMethod.GET, "/api/chaos/scenarios/shared_slow", null) == 404, "the delete reaches n1");

    Gateway n3 = start(2);
    eventually(() -> status(n3, io.vertx.core.http.HttpMethod.GET, "/api/chaos/scenarios/kept", null) == 200, "a late joiner keeps them");
    assertThat(get(n3, "/api/chaos/scenarios/kept").getJsonObject("config").getJsonObject("latency").getLong("fixed_delay_ms")).isEqualTo(7L);
    assertThat(status(n3, io.vertx.core.http.HttpMethod.GET, "/api/chaos/scenarios/shared_slow", null)).as("not a deleted one").isEqualTo(404);
  }

  /**
   * A saved scenario the cluster could not store (the write failed) is offered again at each heartbeat until it is
   * stored: it was logged and lost, on the saving node only until its restart, and a delete left it on every other node.
   */
  @Test
  void aScenarioSaveOrDeleteTheClusterCouldNotStoreReachesTheOtherNodesOnceItCan() throws Exception {
    Gateway n1 = start(0);
    Gateway n2 = start(1);
    var map = sharedMap(n1, "faultline.scenarios");
    map.addInterceptor(new RefusingPuts());
    var post = io.vertx.core.http.HttpMethod.POST;
    var get = io.vertx.core.http.HttpMethod.GET;
    try {
      REFUSED.set("stored_late");
      assertThat(status(n1, post, "/api/chaos/scenarios", "{\"name\": \"stored_late\", \"config\": {\"latency\": {\"fixed_delay_ms\": 5}}}"))
          .isEqualTo(201);
      Thread.sleep(2_500); // heartbeats that still cannot store it
      assertThat(status(n2, get, "/api/chaos/scenarios/stored_late", null)).as("not on n2 while the cluster refuses it").isEqualTo(404);
    } finally {
      REFUSED.set(null);
    }
    eventually(() -> status(n2, get, "/api/chaos/scenarios/stored_late", null) == 200, "n2 has it once the cluster could store it");
    // and a delete the cluster could not store: the scenario went from n2 once it could
    try {
      REFUSED.set("\"scenario\":null");
      assertThat(status(n1, io.vertx.core.http.HttpMethod.DELETE, "/api/chaos/scenarios/stored_late", null)).isEqualTo(200);
      Thread.sleep(2_500);
      assertThat(status(n2, get, "/api/chaos/scenarios/stored_late", null)).as("still on n2 while the cluster refuses the delete")
          .isEqualTo(200);
    } finally {
      REFUSED.set(null);
    }
    eventually(() -> status(n2, get, "/api/chaos/scenarios/stored_late", null) == 404, "the delete reaches n2 once it could be stored");
  }

  /**
   * A save the cluster does not take, because it holds a later change of that name (made on a node whose clock is
   * ahead), leaves the saving node with the cluster's copy, as every other node has: it kept its own, and a start of
   * that scenario did different things on different nodes.
   */
  @Test
  void aSaveTheClusterHoldsALaterChangeOfLeavesTheNodeWithTheClustersCopy() throws Exception {
    Gateway n1 = start(0);
    Gateway n2 = start(1);
    var map = sharedMap(n2, "faultline.scenarios");
    map.set("skewed", new JsonObject().put("at", System.currentTimeMillis() + 3_600_000).put("scenario", new JsonObject()
        .put("name", "skewed").put("config", new JsonObject().put("latency", new JsonObject().put("fixed_delay_ms", 9)))).encode());
    assertThat(status(n1, io.vertx.core.http.HttpMethod.POST, "/api/chaos/scenarios",
        "{\"name\": \"skewed\", \"config\": {\"latency\": {\"fixed_delay_ms\": 3}}}")).isEqualTo(201);
    eventually(() -> get(n1, "/api/chaos/scenarios/skewed").getJsonObject("config").getJsonObject("latency")
        .getLong("fixed_delay_ms") == 9, "n1 keeps the cluster's copy");
  }

  /**
   * A change a node did not hear of (stored while it was cut off, by a long GC pause or a frozen VM; its
   * notice lost) is taken at its next heartbeat: such a node served the old chaos until the next change.
   */
  @Test
  void aNodeThatMissedAChangeCatchesUpAtItsNextHeartbeat() throws Exception {
    Gateway n1 = start(0);
    Gateway n2 = start(1);
    long before = get(n1, "/api/chaos/status").getLong("version");
    var map = sharedMap(n2);
    map.set("current", new JsonObject(map.get("current")).put("version", before + 1).put("config", new JsonObject()
        .put("enabled", true).put("latency", new JsonObject().put("fixed_delay_ms", 7))).encode()); // no notice published
    for (Gateway node : List.of(n1, n2)) {
      eventually(() -> get(node, "/api/chaos/status").getLong("version") == before + 1, "the node catches up");
      assertThat(get(node, "/api/chaos/status").getJsonObject("config").getJsonObject("latency").getLong("fixed_delay_ms")).isEqualTo(7);
    }
    // a split healed, and Hazelcast kept the map of the side that missed the changes: the newest state goes back
    map.set("current", new JsonObject(map.get("current")).put("version", before).put("config", new JsonObject()).encode());
    eventually(() -> new JsonObject(map.get("current")).getLong("version") >= before + 1, "the newer state goes back to the map");
    for (Gateway node : List.of(n1, n2)) {
      JsonObject status = get(node, "/api/chaos/status");
      assertThat(status.getBoolean("enabled")).isTrue();
      assertThat(status.getJsonObject("config").getJsonObject("latency").getLong("fixed_delay_ms")).isEqualTo(7);
    }
  }

  @Test
  void aForgedStateNoticeOrAnInvalidSharedStateIsNeverAdopted() throws Exception {
    Gateway n1 = start(0);
    Gateway n2 = start(1);
    long before = get(n1, "/api/chaos/status").getLong("version");
    JsonObject forged = new JsonObject().put("version", 9_200_000_000_000_000_000L)
        .put("config", new JsonObject().put("enabled", true)
            .put("fault_injection", new JsonObject().put("http_errors", new JsonArray().add(503)).put("http_error_probability", 1.0)));
    n2.vertx().eventBus().publish(io.faultline.chaos.control.InternalAddresses.CLUSTER_STATE, forged.encode());
    n2.vertx().eventBus().publish(io.faultline.chaos.control.InternalAddresses.CLUSTER_STATE, forged);
    // The map is what nodes believe: a member that writes an invalid entry there is refused too.
    var map = sharedMap(n2);
    String agreed = map.get("current");
    try (LogCapture log = LogCapture.of("io.faultline.cluster.ClusterVerticle")) {
      java.util.function.Supplier<java.util.stream.Stream<String>> refusals = () -> log.messages().stream()
          .filter(m -> m != null && m.contains("refused the cluster's chaos state"));
      map.set("current", forged.encode());
      n2.vertx().eventBus().publish(io.faultline.chaos.control.InternalAddresses.CLUSTER_STATE, new JsonObject());
      eventually(() -> refusals.get().filter(r -> r.contains("version")).count() >= 2, "both nodes refuse the absurd version");
      map.set("current", new JsonObject(agreed).put("version", before + 1).put("config", new JsonObject()
          .put("enabled", true).put("latency", new JsonObject().put("probability", 7))).encode());
      n2.vertx().eventBus().publish(io.faultline.chaos.control.InternalAddresses.CLUSTER_STATE, new JsonObject());
      eventually(() -> refusals.get().filter(r -> r.contains("latency.probability")).count() >= 2, "both nodes refuse a bad config");
    }
    // a real change afterwards goes through, numbered after the agreed version, and reaches both nodes
    JsonObject changed = web.put(n1.adminPort(), "127.0.0.1", "/api/chaos/config/latency")
        .sendBuffer(Buffer.buffer("{\"fixed_delay_ms\": 1}")).await().bodyAsJsonObject();
    eventually(() -> get(n2, "/api/chaos/status").getJsonObject("config").containsKey("latency"), "n2 adopts the real change");
    for (Gateway node : List.of(n1, n2)) {
      JsonObject status = get(node, "/api/chaos/status");
      assertThat(status.getBoolean("enabled")).as("nothing forged was adopted").isFalse();
      assertThat(status.getLong("version")).as("versions stay sane").isBetween(before + 1, before + 3);
      assertThat(web.get(node.listenerPort("web"), "127.0.0.1", "/x").send().await().statusCode()).isEqualTo(200);
    }
    assertThat(changed.getLong("version")).isEqualTo(get(n2, "/api/chaos/status").getLong("version"));
  }

  private static com.hazelcast.map.IMap<String, String> sharedMap(Gateway node) {
    return sharedMap(node, "faultline.chaos");
  }

  /** The cluster's map {@code name} (the chaos state's, the saved scenarios'), as {@code node}'s Hazelcast member has it. */
  private static com.hazelcast.map.IMap<String, String> sharedMap(Gateway node, String name) {
    return ((io.vertx.spi.cluster.hazelcast.HazelcastClusterManager) ((io.vertx.core.internal.VertxInternal) node.vertx())
        .clusterManager()).getHazelcastInstance().getMap(name);
  }

  /**
   * A change is answered once the cluster holds it, with the version stored: one made after another's
   * answer, on another node, is stored after it and wins where both touched a field, and a kill switch
   * pressed after a scenario start stops chaos even on a node that had not yet taken the start in.
   * Answered before their store, an earlier change could land last and overwrite the later one, and that
   * kill switch was merged as no change (the node already showed chaos off), so chaos stayed on everywhere.
   */
  @Test
  void aChangeIsAnsweredOnceStoredSoTheLaterOfTwoOnTwoNodesWinsAndTheKillSwitchStopsChaos() throws Exception {
    Gateway n1 = start(0);
    Gateway n2 = start(1);
    var map = sharedMap(n1);
    for (int round = 0; round < 15; round++) {
      for (Gateway node : List.of(n2, n1)) {
        long delay = (node == n1 ? 5000 : 1000) + round;
        JsonObject answer = cluster.put(node, "/api/chaos/config/latency", "{\"fixed_delay_ms\": " + delay + "}").bodyAsJsonObject();
        JsonObject stored = new JsonObject(map.get("current"));
        assertThat(stored.getJsonObject("config").getJsonObject("latency").getLong("fixed_delay_ms")).as("round %d", round).isEqualTo(delay);
        assertThat(answer.getLong("version")).as("the version answered is the one stored").isEqualTo(stored.getLong("version"));
      }
    }
    for (Gateway node : List.of(n1, n2)) {
      eventually(() -> get(node, "/api/chaos/status").getJsonObject("config").getJsonObject("latency").getLong("fixed_delay_ms") == 5014,
          "every node ends on the later change");
    }
    for (int round = 0; round < 10; round++) {
      assertThat(cluster.postForResponse(n1, "/api/chaos/scenarios/slow_backend", "").statusCode()).isEqualTo(200);
      assertThat(cluster.postForResponse(n2, "/api/chaos/disable", "").statusCode()).isEqualTo(200);
      assertThat(new JsonObject(map.get("current")).getJsonObject("config").getBoolean("enabled")).as("round %d", round).isFalse();
      assertThat(cluster.postForResponse(n2, "/api/chaos/scenarios/stop", "").statusCode()).isEqualTo(200);
      // the next start is made where the stop is known (a node that still ran the scenario took a start of it for no change)
      eventually(() -> get(n1, "/api/chaos/status").getValue("scenario") == null, "n1 has the stop");
    }
    for (Gateway node : List.of(n1, n2)) {
      eventually(() -> !get(node, "/api/chaos/status").getBoolean("enabled"), "chaos is off on every node");
    }
  }

  /**
   * Fails every put of a chaos state that holds {@link #REFUSED} into the shared map, on the member that owns the
   * entry, while set: a Hazelcast interceptor, as a store fails when the cluster cannot take it.
   */
  static final java.util.concurrent.atomic.AtomicReference<String> REFUSED = new java.util.concurrent.atomic.AtomicReference<>();

  static final class RefusingPuts implements com.hazelcast.map.MapInterceptor {
    @Override
    public Object interceptGet(Object value) {
      return null;
    }

    @Override
    public void afterGet(Object value) {
    }

    @Override
    public Object interceptPut(Object oldValue, Object newValue) {
      String refused = REFUSED.get();
      if (refused != null && String.valueOf(newValue).contains(refused)) {
        throw new IllegalStateException("the test's interceptor refuses this put");
      }
      return null;
    }

    @Override
    public void afterPut(Object value) {
    }

    @Override
    public Object interceptRemove(Object removedValue) {
      return null;
    }

    @Override
    public void afterRemove(Object value) {
    }
  }

  /**
   * A change the cluster cannot store is answered with a warning saying so (it is applied on its node), and offered
   * again at each heartbeat, merged with what other nodes stored meanwhile, until the cluster takes it; a later change
   * of its node waits behind it. Then every node has all of them. It was answered 200 with nothing said, and lost for
   * good when another node stored a change of the same version first: its node took that change's config over its own,
   * and no node ever had it again.
   */
  @Test
  void aChangeTheClusterCouldNotStoreIsSaidSoAndSharedOnceItCan() throws Exception {
    Gateway n1 = start(0);
    Gateway n2 = start(1);
    var map = sharedMap(n1);
    map.addInterceptor(new RefusingPuts());
    try {
      REFUSED.set("\"fixed_delay_ms\":111");
      JsonObject answer = cluster.put(n1, "/api/chaos/config/latency", "{\"fixed_delay_ms\": 111}").bodyAsJsonObject();
      assertThat(answer.getJsonArray("warnings")).as(answer.encode()).hasSize(1);
      assertThat(answer.getJsonArray("warnings").getString(0)).contains("the cluster could not store this change")
          .contains("the test's interceptor refuses this put").contains("offered to the cluster again at each heartbeat");
      assertThat(answer.getJsonObject("config").getJsonObject("latency").getLong("fixed_delay_ms")).isEqualTo(111);
      // another node's change of the same version is stored meanwhile, and taken by both nodes
      JsonObject other = cluster.put(n2, "/api/chaos/config/fault_injection", "{\"http_errors\": [503], \"http_error_probability\": 0.5}")
          .bodyAsJsonObject();
      assertThat(other.containsKey("warnings")).as(other.encode()).isFalse();
      assertThat(other.getLong("version")).isEqualTo(answer.getLong("version"));
      // n1 takes that state (same version, other config), its own change gone from it; a change it makes then waits
      // behind the one the cluster has not stored, so that one is not lost under it
      eventually(() -> get(n1, "/api/chaos/status").getJsonObject("config").containsKey("fault_injection"), "n1 takes n2's state");
      JsonObject third = cluster.put(n1, "/api/chaos/config/bulkhead", "{\"max_concurrent_requests\": 7}").bodyAsJsonObject();
      assertThat(third.getJsonArray("warnings")).as(third.encode()).hasSize(1);
      Thread.sleep(2_500); // heartbeats that still cannot store the first: the third waits behind it
      assertThat(get(n2, "/api/chaos/status").getJsonObject("config").containsKey("bulkhead")).as("the third, stored before the first")
          .isFalse();
    } finally {
      REFUSED.set(null);
    }
    for (Gateway node : List.of(n1, n2)) {
      eventually(() -> {
        JsonObject config = get(node, "/api/chaos/status").getJsonObject("config");
        return config.getJsonObject("latency") != null && Long.valueOf(111).equals(config.getJsonObject("latency").getLong("fixed_delay_ms"))
            && config.getJsonObject("fault_injection") != null && config.getJsonObject("fault_injection").getDouble("http_error_probability") == 0.5
            && config.getJsonObject("bulkhead") != null && Integer.valueOf(7).equals(config.getJsonObject("bulkhead").getInteger("max_concurrent_requests"));
      }, "the node has all three changes");
    }
    eventually(() -> get(n1, "/api/chaos/status").getLong("version").equals(get(n2, "/api/chaos/status").getLong("version")),
        "one version on both nodes");
    assertThat(new JsonObject(map.get("current")).getLong("version")).isEqualTo(get(n1, "/api/chaos/status").getLong("version"));
  }

  /**
   * A change the cluster refuses once merged with another node's (their rules together past the 1,000 a config may
   * have) is dropped, not offered again: it failed at every heartbeat, and every later change of its node with it,
   * for good, each answered "could not store".
   */
  @Test
  void aChangeTheClusterCanNeverStoreDoesNotHoldBackTheNodesLaterChanges() throws Exception {
    Gateway n1 = start(0);
    Gateway n2 = start(1);
    var map = sharedMap(n1);
    map.addInterceptor(new RefusingPuts());
    java.util.function.Function<String, String> rules = prefix -> {
      JsonArray list = new JsonArray();
      for (int i = 0; i < 600; i++) {
        list.add(new JsonObject().put("name", prefix + "-" + i).put("match", new JsonObject().put("path", "/" + prefix + "/" + i)));
      }
      return new JsonObject().put("rules", list).encode();
    };
    try {
      REFUSED.set("\"mine-0\"");
      JsonObject mine = cluster.put(n1, "/api/chaos/config", rules.apply("mine")).bodyAsJsonObject();
      assertThat(mine.getJsonArray("warnings")).as(mine.encode()).hasSize(1);
      JsonObject theirs = cluster.put(n2, "/api/chaos/config", rules.apply("theirs")).bodyAsJsonObject();
      assertThat(theirs.containsKey("warnings")).as(theirs.encode()).isFalse();
    } finally {
      REFUSED.set(null);
    }
    JsonObject later = cluster.put(n1, "/api/chaos/config/latency", "{\"fixed_delay_ms\": 7}").bodyAsJsonObject();
    assertThat(later.containsKey("warnings")).as(later.encode()).isFalse();
    eventually(() -> {
      JsonObject latency = get(n2, "/api/chaos/status").getJsonObject("config").getJsonObject("latency");
      return latency != null && Integer.valueOf(7).equals(latency.getInteger("fixed_delay_ms"));
    }, "n2 has n1's later change");
  }

  /**
   * A healed split whose sides each made one change leaves the map with the other side's state at the nodes' own
   * version: every node takes it at its next heartbeat. Neither newer nor older, it was never taken, and the sides ran
   * different chaos for good.
   */
  @Test
  void aHealedSplitThatLeftTheMapAtTheNodesOwnVersionWithOtherChaosIsTakenEverywhere() throws Exception {
    Gateway n1 = start(0);
    Gateway n2 = start(1);
    var map = sharedMap(n1);
    cluster.put(n1, "/api/chaos/config/latency", "{\"fixed_delay_ms\": 5}");
    long version = new JsonObject(map.get("current")).getLong("version");
    for (Gateway node : List.of(n1, n2)) {
      eventually(() -> get(node, "/api/chaos/status").getLong("version") == version, "the node has version " + version);
    }
    // the other side's change of the same version, as the map the heal kept holds it (no notice: a heal sends none)
    JsonObject theirs = new JsonObject(map.get("current"));
    theirs.getJsonObject("config").put("latency", new JsonObject().put("fixed_delay_ms", 9));
    map.put("current", theirs.encode());
    for (Gateway node : List.of(n1, n2)) {
      eventually(() -> {
        JsonObject status = get(node, "/api/chaos/status");
        JsonObject latency = status.getJsonObject("config").getJsonObject("latency");
        return status.getLong("version") == version && latency != null && Integer.valueOf(9).equals(latency.getInteger("fixed_delay_ms"));
      }, "the node takes the map's state of its own version");
    }
  }

  /**
   * A kill switch pressed on one side of a split stays pressed when the split heals: Hazelcast may keep the other side's
   * map, whose state (a later version) switched chaos on, or kept it on, without knowing of it; or keep this side's, for
   * the other side's nodes to put their state back over it. Taken or put back by version, chaos came back on on every
   * node at the heartbeat after the heal, without a word. The other side's other changes are kept.
   */
  @Test
  void aKillSwitchPressedOnOneSideOfASplitStaysPressedWhenItHeals() throws Exception {
    Gateway n1 = start(0);
    Gateway n2 = start(1);
    var map = sharedMap(n1);
    try (LogCapture log = LogCapture.of("io.faultline.cluster.ClusterVerticle")) {
      cluster.post(n1, "/api/chaos/enable", "");
      String beforeSplit = map.get("current");
      long killed = cluster.post(n2, "/api/chaos/disable", "").getLong("version"); // this side's kill switch
      for (Gateway node : List.of(n1, n2)) {
        eventually(() -> get(node, "/api/chaos/status").getLong("version") == killed, "the node takes the kill switch");
      }
      // the other side's map, kept by the heal: made on the state before the split, on, two changes past it
      JsonObject theirs = new JsonObject(beforeSplit).put("version", killed + 1);
      theirs.getJsonObject("config").put("latency", new JsonObject().put("fixed_delay_ms", 9));
      map.put("current", theirs.encode()); // no notice: a heal sends none
      for (Gateway node : List.of(n1, n2)) {
        eventually(() -> {
          JsonObject status = get(node, "/api/chaos/status");
          JsonObject latency = status.getJsonObject("config").getJsonObject("latency");
          return status.getLong("version") > killed + 1 && latency != null && Integer.valueOf(9).equals(latency.getInteger("fixed_delay_ms"));
        }, "the node takes the other side's changes");
        assertThat(get(node, "/api/chaos/status").getBoolean("enabled")).as("the kill switch stands").isFalse();
      }
      assertThat(new JsonObject(map.get("current")).getJsonObject("config").getBoolean("enabled")).as("the cluster's").isFalse();
      assertThat(log.warnings()).anySatisfy(w -> assertThat(w).contains("kept chaos switched off"));

      // and the other way: this side switched on again; the map the heal kept is the other side's older state, switched
      // off there by a kill switch this side never heard of
      long on = cluster.post(n1, "/api/chaos/enable", "").getLong("version");
      for (Gateway node : List.of(n1, n2)) {
        eventually(() -> get(node, "/api/chaos/status").getBoolean("enabled"), "the node is on again");
      }
      JsonObject otherKill = new JsonObject(map.get("current")).put("version", on - 1)
          .put("switched_off_ms", System.currentTimeMillis() + 60_000);
      otherKill.getJsonObject("config").put("enabled", false);
      map.put("current", otherKill.encode());
      for (Gateway node : List.of(n1, n2)) {
        eventually(() -> !get(node, "/api/chaos/status").getBoolean("enabled"), "the other side's kill switch reaches the node");
      }
      eventually(() -> new JsonObject(map.get("current")).getLong("version") > on, "a state stored after the heal");
      assertThat(new JsonObject(map.get("current")).getJsonObject("config").getBoolean("enabled")).isFalse();
    }
  }

  /**
   * A switch-on the cluster could not store, offered again at a heartbeat after the kill switch was pressed on another
   * node, does not switch chaos back on: merged as the later change, it did, on every node, a second after the kill
   * switch answered.
   */
  @Test
  void aSwitchOnStoredLateDoesNotUndoAKillSwitchPressedMeanwhile() throws Exception {
    Gateway n1 = start(0);
    Gateway n2 = start(1);
    var map = sharedMap(n1);
    map.addInterceptor(new RefusingPuts());
    try (LogCapture log = LogCapture.of("io.faultline.cluster.SharedChaos")) {
      long killed;
      try {
        REFUSED.set("\"enabled\":true");
        JsonObject on = cluster.post(n1, "/api/chaos/enable", "");
        assertThat(on.getJsonArray("warnings")).as(on.encode()).hasSize(1);
        JsonObject off = cluster.post(n2, "/api/chaos/disable", "");
        assertThat(off.containsKey("warnings")).as(off.encode()).isFalse();
        killed = off.getLong("version"); // the kill switch's own version: n1's offer, forced off, may be stored already
        eventually(() -> !get(n1, "/api/chaos/status").getBoolean("enabled"), "n1 takes the kill switch");
      } finally {
        REFUSED.set(null);
      }
      long killedAt = killed;
      eventually(() -> new JsonObject(map.get("current")).getLong("version") > killedAt, "n1's switch-on offered again, and stored");
      assertThat(new JsonObject(map.get("current")).getJsonObject("config").getBoolean("enabled")).as("the cluster's").isFalse();
      for (Gateway node : List.of(n1, n2)) {
        eventually(() -> get(node, "/api/chaos/status").getLong("version") > killedAt, "the node takes the stored state");
        assertThat(get(node, "/api/chaos/status").getBoolean("enabled")).isFalse();
      }
      assertThat(log.warnings()).as("the switch-on kept off is said").anySatisfy(w -> assertThat(w)
          .contains("is stored with chaos off").contains("switched off at version"));
    }
  }

  /**
   * A heartbeat that read the cluster's state while a local change was on its way took its own stale read
   * for a healed split and put the node's state back over the map: versions no change made, and another
   * node's change in that window overwritten.
   */
  @Test
  void heartbeatsDuringLocalChangesPutNothingBack() throws Exception {
    Gateway n1 = start(0);
    Gateway n2 = start(1);
    var map = sharedMap(n1);
    long before = new JsonObject(map.get("current")).getLong("version");
    int changes = 0;
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(4); // four heartbeats of each node
    while (System.nanoTime() < end) {
      cluster.put(changes % 2 == 0 ? n1 : n2, "/api/chaos/config/latency", "{\"fixed_delay_ms\": " + changes + "}");
      changes++;
    }
    Thread.sleep(1500); // a heartbeat more: a late put-back would show
    assertThat(new JsonObject(map.get("current")).getLong("version") - before).as("versions made by %d changes", changes).isEqualTo(changes);
  }

  @Test
  void theKillSwitchOnOneNodeReleasesWhatAnotherNodeHolds() throws Exception {
    Gateway n1 = start(0);
    Gateway n2 = start(1);
    web.put(n1.adminPort(), "127.0.0.1", "/api/chaos/config")
        .sendBuffer(Buffer.buffer("{\"enabled\": true, \"latency\": {\"fixed_delay_ms\": 30000}}")).await();
    eventually(() -> get(n2, "/api/chaos/status").getBoolean("enabled"), "n2 has the latency");
    var held = web.get(n2.listenerPort("web"), "127.0.0.1", "/x").send();
    eventually(() -> metrics(n2).contains("faultline_faults_injected_total{listener=\"web\",protocol=\"http\",route=\"default\",type=\"latency\"} 1.0"),
        "n2 holds the request");
    long off = System.nanoTime();
    web.post(n1.adminPort(), "127.0.0.1", "/api/chaos/disable").send().await();
    assertThat(held.await(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    // a bound, not a measurement: the hold had 30 s to go
    assertThat(System.nanoTime() - off).isLessThan(TimeUnit.SECONDS.toNanos(10));
  }

  @Test
  void aChangeOnOneNodeReachesAllAndALateJoinerCatchesUp() throws Exception {
    Gateway n1 = start(0);
    Gateway n2 = start(1);
    web.put(n2.adminPort(), "127.0.0.1", "/api/chaos/config/fault_injection")
        .sendBuffer(Buffer.buffer("{\"http_errors\": [503], \"http_error_probability\": 1.0}")).await();
    JsonObject enabled = web.post(n2.adminPort(), "127.0.0.1", "/api/chaos/enable").send().await().bodyAsJsonObject();
    long version = enabled.getLong("version");
    eventually(() -> get(n1, "/api/chaos/status").getLong("version") == version, "n1 reaches version " + version);
    assertThat(get(n1, "/api/chaos/status").getBoolean("enabled")).isTrue();
    assertThat(web.get(n1.listenerPort("web"), "127.0.0.1", "/x").send().await().statusCode()).isEqualTo(503);
    assertThat(get(n1, "/api/chaos/status").getLong("seed")).isEqualTo(enabled.getLong("seed"));

    Gateway n3 = start(2);
    JsonObject late = get(n3, "/api/chaos/status");
    assertThat(late.getLong("version")).isEqualTo(version);
    assertThat(late.getBoolean("enabled")).isTrue();
    assertThat(web.get(n3.listenerPort("web"), "127.0.0.1", "/x").send().await().statusCode()).isEqualTo(503);

    // Concurrent changes on two nodes still converge on one version and one config.
    web.put(n1.adminPort(), "127.0.0.1", "/api/chaos/config/latency").sendBuffer(Buffer.buffer("{\"fixed_delay_ms\": 1}")).await();
    web.put(n3.adminPort(), "127.0.0.1", "/api/chaos/config/latency").sendBuffer(Buffer.buffer("{\"fixed_delay_ms\": 3}")).await();
    eventually(() -> {
      JsonObject a = get(n1, "/api/chaos/status");
      JsonObject b = get(n2, "/api/chaos/status");
      JsonObject c = get(n3, "/api/chaos/status");
      return a.getLong("version").equals(b.getLong("version")) && b.getLong("version").equals(c.getLong("version"))
          && a.getJsonObject("config").equals(c.getJsonObject("config")) && a.getJsonObject("config").equals(b.getJsonObject("config"));
    }, "all three nodes converge");
  }

  @Test
  void changesMadeAtOnceOnThreeNodesAreAllKept() throws Exception {
    List<Gateway> three = cluster.startThree();
    // Each round puts one rule on every node at once; each node also changes its own section. Each change used
    // to replace the whole shared state, so the later of two concurrent ones dropped the other (18 of 60 rules stayed).
    List<String> sections = List.of("latency", "rate_limit", "bulkhead");
    for (int round = 0; round < 20; round++) {
      List<io.vertx.core.Future<?>> changes = new java.util.ArrayList<>();
      for (int i = 0; i < three.size(); i++) {
        String name = "r" + round + "-n" + (i + 1);
        changes.add(web.post(three.get(i).adminPort(), "127.0.0.1", "/api/chaos/rules").sendBuffer(Buffer.buffer(
            new JsonObject().put("name", name).put("match", new JsonObject().put("path", "/" + name)).encode())));
      }
      changes.add(web.put(three.get(round % 3).adminPort(), "127.0.0.1", "/api/chaos/config/" + sections.get(round % 3))
          .sendBuffer(Buffer.buffer("{\"enabled\": false}")));
      io.vertx.core.Future.all(changes).await();
    }
    eventually(() -> three.stream().allMatch(n -> get(n, "/api/chaos/rules").getJsonArray("rules").size() == 60),
        "every node keeps all 60 rules");
    eventually(() -> three.stream().map(n -> get(n, "/api/chaos/status")).map(s -> s.getLong("version") + s.getJsonObject("config").encode())
        .distinct().count() == 1, "one version and one config everywhere");
    JsonObject config = get(three.get(0), "/api/chaos/status").getJsonObject("config");
    assertThat(sections).allSatisfy(section -> assertThat(config.getJsonObject(section).getBoolean("enabled")).isFalse());
  }

  @Test
  void theRegistryListsNodesAndANewLeaderWithAHigherTermFollowsACrash() throws Exception {
    Gateway n1 = start(0);
    Gateway n2 = start(1);
    Gateway n3 = start(2);
    eventually(() -> get(n3, "/api/cluster/nodes").getJsonArray("nodes").stream()
        .filter(n -> "active".equals(((JsonObject) n).getString("status"))).count() == 3, "three active nodes");
    JsonObject first = get(n2, "/api/cluster/nodes").getJsonArray("nodes").getJsonObject(2);
    assertThat(first.getString("id")).isEqualTo("n3");
    assertThat(first.getString("region")).isEqualTo("eu");
    assertThat(first.getJsonArray("capabilities")).isEqualTo(new JsonArray().add("http"));
    assertThat(first.getString("address")).isEqualTo("127.0.0.1:" + n3.adminPort());
    JsonObject leader = get(n3, "/api/cluster/leader");
    assertThat(leader.getString("node")).isEqualTo("n1");
    long term = leader.getLong("term");
    // a series appears with its first count: until then the condition is not met yet, not failed
    eventually(() -> MetricsTest.valueOrNaN(metrics(n3), "faultline_cluster_heartbeats_total{result=\"ok\"}") >= 1
        && MetricsTest.valueOrNaN(metrics(n3), "faultline_cluster_nodes{status=\"active\"}") == 3, "n3's metrics show its heartbeats and 3 nodes");

    cluster.kill(n1);
    eventually(() -> "n2".equals(get(n3, "/api/cluster/leader").getString("node")), "n2 leads after n1 dies");
    assertThat(get(n3, "/api/cluster/leader").getLong("term")).isGreaterThan(term);
    eventually(() -> get(n2, "/api/cluster/nodes").getJsonArray("nodes").getJsonObject(0).getString("status").equals("failed"),
        "n1 reported failed");
    eventually(() -> MetricsTest.valueOrNaN(metrics(n3), "faultline_cluster_nodes{status=\"failed\"}") == 1
        && MetricsTest.valueOrNaN(metrics(n3), "faultline_cluster_leader_term") > term, "n3's metrics show the failed node and the new term");

    nodes.remove(n3);
    n3.close().await();
    eventually(() -> get(n2, "/api/cluster/nodes").getJsonArray("nodes").getJsonObject(2).getString("status").equals("left"),
        "n3 reported left");
  }

  @Test
  void nodeScopedChaosHitsOnlyItsNodes() throws Exception {
    Gateway n1 = start(0);
    Gateway n2 = start(1);
    Gateway n3 = start(2);
    eventually(() -> get(n1, "/api/cluster/nodes").getJsonArray("nodes").size() == 3, "three nodes registered");
    web.put(n1.adminPort(), "127.0.0.1", "/api/chaos/config").sendBuffer(Buffer.buffer("{\"enabled\": true, \"rules\": ["
        + "{\"name\": \"n2-only\", \"match\": {\"nodes\": [\"n2\"]}, \"fault_injection\": {\"http_errors\": [500], \"http_error_probability\": 1}},"
        + "{\"name\": \"eu-only\", \"match\": {\"regions\": [\"eu\"]}, \"fault_injection\": {\"http_errors\": [502], \"http_error_probability\": 1}}]}"))
        .await();
    long version = get(n1, "/api/chaos/status").getLong("version");
    eventually(() -> get(n2, "/api/chaos/status").getLong("version") >= version && get(n3, "/api/chaos/status").getLong("version") >= version,
        "the rules reach every node");
    assertThat(web.get(n1.listenerPort("web"), "127.0.0.1", "/x").send().await().statusCode()).isEqualTo(200);
    assertThat(web.get(n2.listenerPort("web"), "127.0.0.1", "/x").send().await().statusCode()).isEqualTo(500);
    assertThat(web.get(n3.listenerPort("web"), "127.0.0.1", "/x").send().await().statusCode()).isEqualTo(502);

    // a node that (re)joins while a region rule is in the cluster's state starts and takes it: it stopped
    // at start with a bare NullPointerException (the rule tested against a node whose region was not set yet)
    cluster.kill(n3);
    Gateway again = cluster.start(2);
    assertThat(get(again, "/api/chaos/status").getLong("version")).isGreaterThanOrEqualTo(version);
    assertThat(web.get(again.listenerPort("web"), "127.0.0.1", "/x").send().await().statusCode()).isEqualTo(502);
  }

  /** A rule scoped to a region, in the config file of a node with no region: the node starts, and the rule is not its. */
  @Test
  void aRegionRuleInTheFileOfANodeWithNoRegionIsNotItsAndDoesNotStopIt() throws Exception {
    java.nio.file.Path file = java.nio.file.Files.createTempFile("faultline", ".yaml");
    java.nio.file.Files.writeString(file, """
        chaos: {enabled: true, rules: [{name: eu, match: {regions: [eu]}, fault_injection: {http_errors: [503], http_error_probability: 1}}]}
        """);
    try (GatewayFixture standalone = new GatewayFixture(file, Map.of())) {
      assertThat(standalone.traffic("/x").statusCode()).isEqualTo(200);
    } finally {
      java.nio.file.Files.delete(file);
    }
  }
}
