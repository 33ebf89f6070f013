package io.faultline.gateway;

import io.faultline.chaos.testing.Upstreams;
import io.faultline.gateway.config.ConfigLoader;
import io.faultline.gateway.config.Flag;
import io.faultline.gateway.config.GatewayConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Up to three clustered gateway nodes on 127.0.0.1 in one JVM (each its own Vert.x and Hazelcast
 * member, ids n1..n3, n3 in region eu), an echo upstream, and an HTTP client for their ports.
 */
final class ClusterFixture implements AutoCloseable {

  final Vertx client = Vertx.vertx();
  final WebClient web = WebClient.create(client);
  final Upstreams.Echo upstream = Upstreams.echoHttp(client);
  private final int[] hazelcastPorts = {Upstreams.portToListenOn(), Upstreams.portToListenOn(), Upstreams.portToListenOn()};
  /**
   * A cluster name of its own: the gateway's tests run in two JVMs at once, and a member port picked free here could be
   * taken by the other JVM's cluster before this one binds it; named alike, the two clusters would merge.
   */
  private final java.nio.file.Path file;

  ClusterFixture() {
    this("");
  }

  /** {@code clusterFields}: more lines of every node's {@code cluster:} section, each indented two spaces. */
  ClusterFixture(String clusterFields) {
    file = ownClusterName(clusterFields);
  }

  private static java.nio.file.Path ownClusterName(String clusterFields) {
    try {
      java.nio.file.Path file = java.nio.file.Files.createTempFile("cluster-fixture", ".yaml");
      java.nio.file.Files.writeString(file, "cluster:\n  name: faultline-test-" + java.util.UUID.randomUUID() + "\n" + clusterFields);
      return file;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
  final List<Gateway> nodes = new ArrayList<>();

  /** Faultline's warnings while the fixture is open (every node's: they share the JVM), for failure messages. */
  private final LogCapture log = LogCapture.of("io.faultline");

  /** The warnings Faultline logged since this fixture was made (every node's: they share the JVM), oldest first. */
  List<String> warnings() {
    return log.warnings();
  }

  Gateway start(int index) throws Exception {
    return start(index, Map.of());
  }

  /** Starts node {@code index} with further flags. */
  Gateway start(int index, Map<Flag, String> extra) throws Exception {
    return start(index, extra, file, false);
  }

  /** The cluster's config file, to start a node from a copy of its own. */
  java.nio.file.Path file() {
    return file;
  }

  /**
   * Starts node {@code index} from its own config file {@code config} (the cluster's and more), which it watches and reloads
   * as {@code serve --config} does.
   */
  Gateway startWatching(int index, java.nio.file.Path config) throws Exception {
    return start(index, Map.of(), config, true);
  }

  private Gateway start(int index, Map<Flag, String> extra, java.nio.file.Path config, boolean watch) throws Exception {
    String members = "127.0.0.1:" + hazelcastPorts[0] + ",127.0.0.1:" + hazelcastPorts[1] + ",127.0.0.1:" + hazelcastPorts[2];
    Map<Flag, String> flags = new HashMap<>(Map.of(Flag.HTTP_PORT, "0", Flag.ADMIN_PORT, "0", Flag.UPSTREAM, upstream.url(),
        Flag.CLUSTER, "true", Flag.CLUSTER_PORT, Integer.toString(hazelcastPorts[index]), Flag.CLUSTER_MEMBERS, members,
        Flag.NODE_ID, "n" + (index + 1), Flag.REGION, index == 2 ? "eu" : "us"));
    flags.putAll(extra);
    GatewayConfig loaded = ConfigLoader.load(config, Map.of(), flags);
    Gateway node = (watch ? Gateway.start(loaded, config, () -> ConfigLoader.load(config, Map.of(), flags))
        : Gateway.start(loaded, null, null)).await(60, TimeUnit.SECONDS);
    nodes.add(node);
    return node;
  }

  /** Starts n1 and n2 and waits until both are registered. */
  List<Gateway> startTwo() throws Exception {
    Gateway n1 = start(0);
    Gateway n2 = start(1);
    eventually(() -> get(n2, "/api/cluster/nodes").getJsonArray("nodes").size() == 2, "two nodes");
    return List.of(n1, n2);
  }

  /** Starts n1, n2 and n3 and waits until each is registered. */
  List<Gateway> startThree() throws Exception {
    Gateway n1 = start(0);
    Gateway n2 = start(1);
    Gateway n3 = start(2);
    eventually(() -> get(n1, "/api/cluster/nodes").getJsonArray("nodes").size() == 3, "three nodes registered");
    return List.of(n1, n2, n3);
  }

  /**
   * Kills a node as a crash would, once the cluster is safe: its Hazelcast member vanishes without leaving,
   * so the others see a failure (not a departure), then its Vert.x closes. A member lost while partitions
   * still migrate after a join can take the newest entries with it, which is Hazelcast's contract, not
   * what these tests are about.
   */
  void kill(Gateway node) throws InterruptedException {
    eventually(() -> nodes.stream().allMatch(ClusterFixture::clusterSafe), "the cluster is safe (backups in place)");
    nodes.remove(node);
    hazelcast(node).getLifecycleService().terminate();
    node.vertx().close().otherwiseEmpty().await();
  }

  /** True when every partition of the node's cluster data has its backups (no migration in flight). */
  private static boolean clusterSafe(Gateway node) {
    return hazelcast(node).getPartitionService().isClusterSafe();
  }

  static com.hazelcast.core.HazelcastInstance hazelcast(Gateway node) {
    return ((io.vertx.spi.cluster.hazelcast.HazelcastClusterManager)
        ((io.vertx.core.internal.VertxInternal) node.vertx()).clusterManager()).getHazelcastInstance();
  }

  HttpResponse<Buffer> put(Gateway node, String path, String body) {
    return web.put(node.adminPort(), "127.0.0.1", path).sendBuffer(Buffer.buffer(body)).await();
  }

  HttpResponse<Buffer> delete(Gateway node, String path) {
    return web.delete(node.adminPort(), "127.0.0.1", path).send().await();
  }

  JsonObject get(Gateway node, String path) {
    return web.get(node.adminPort(), "127.0.0.1", path).send().await().bodyAsJsonObject();
  }

  HttpResponse<Buffer> postForResponse(Gateway node, String path, String body) {
    return web.post(node.adminPort(), "127.0.0.1", path).sendBuffer(Buffer.buffer(body)).await();
  }

  JsonObject post(Gateway node, String path, String body) {
    return web.post(node.adminPort(), "127.0.0.1", path).sendBuffer(Buffer.buffer(body)).await().bodyAsJsonObject();
  }

  int traffic(Gateway node) {
    return web.get(node.listenerPort("web"), "127.0.0.1", "/x").send().await().statusCode();
  }

  static void eventually(Supplier<Boolean> condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.get()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 30 s: " + what);
      }
      Thread.sleep(50);
    }
  }

  @Override
  public void close() {
    log.close();
    for (Gateway node : nodes) {
      node.close().otherwiseEmpty().await();
    }
    client.close().await();
    file.toFile().delete();
  }
}
