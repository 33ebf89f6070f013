package io.faultline.cluster;

import io.faultline.chaos.control.Addresses;
import io.faultline.chaos.control.ControlError;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.Supplier;

/** A standalone node's answers to {@code faultline.cluster.nodes} and {@code faultline.cluster.leader}: itself, alone. */
public final class LocalNodeVerticle extends VerticleBase {

  private final String nodeId;
  private final Supplier<String> address;
  private final JsonObject record;

  public LocalNodeVerticle(String nodeId, String region, String zone, Supplier<String> address, List<String> capabilities) {
    this.nodeId = nodeId;
    this.address = address;
    this.record = new JsonObject().put("id", nodeId).put("region", region).put("zone", zone)
        .put("capabilities", new JsonArray(capabilities)).put("status", "active");
  }

  @Override
  public Future<?> start() {
    var nodes = vertx.eventBus().localConsumer(Addresses.CLUSTER_NODES, message -> message.reply(new JsonObject()
        .putNull("cluster").put("self", nodeId)
        .put("nodes", new JsonArray().add(record.copy().put("address", address.get()).put("last_heartbeat", System.currentTimeMillis())))));
    var leader = vertx.eventBus().localConsumer(Addresses.CLUSTER_LEADER, message -> message.reply(new JsonObject()
        .put("node", nodeId).put("term", 1).putNull("cluster")));
    var tasks = java.util.stream.Stream.of(Addresses.TASKS_SUBMIT, Addresses.TASKS_LIST, Addresses.TASKS_GET, Addresses.TASKS_CANCEL,
        Addresses.TASKS_DELETE)
        .map(address -> vertx.eventBus().localConsumer(address, message -> ControlError.fail(message, 409,
            "distributed tasks need a cluster: start the node with --cluster (a one-node cluster works)", "cluster.enabled"))
            .completion())
        .toList();
    var leadership = vertx.eventBus().localConsumer(Addresses.LEADERSHIP, message -> {
      if (message.replyAddress() != null) {
        message.reply(new JsonObject().put("leading", true).put("node", nodeId));
      }
    });
    return Future.all(nodes.completion(), leader.completion(), Future.all(tasks), leadership.completion());
  }
}
