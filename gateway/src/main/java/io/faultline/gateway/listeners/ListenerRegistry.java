package io.faultline.gateway.listeners;

import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.chaos.config.ChaosJson;
import io.faultline.chaos.config.ListenerConfig;
import io.faultline.chaos.control.Addresses;
import io.faultline.chaos.control.ControlError;
import io.faultline.chaos.control.InternalAddresses;
import io.faultline.chaos.control.MessageFields;
import io.faultline.chaos.event.ChaosListener;
import io.faultline.chaos.listener.BindFailures;
import io.faultline.chaos.listener.ListenerDeployment;
import io.faultline.chaos.listener.ProtocolModule;
import io.faultline.chaos.listener.ServerTls;
import io.faultline.chaos.state.ChaosState;
import io.faultline.gateway.Protocols;
import io.faultline.gateway.config.GatewayConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The node's traffic listeners: it starts the configured ones in order, and answers
 * {@link Addresses#LISTENERS_LIST}, {@link Addresses#LISTENERS_ADD} and {@link Addresses#LISTENERS_REMOVE}
 * so listeners can come and go while the node runs (the Toxiproxy API's proxies are tcp listeners added
 * this way). Listeners are per node: each node answers for its own, on local consumers. A listener added
 * at run time takes its chaos from rules matching its name, and lives until it is removed or the node stops.
 * A removal with a {@code grace_ms} drains the listener first, as a stopping node does: its port refuses at
 * once, its open connections end when what they carry is done or when the grace runs out, and only then is it
 * answered; without one, its connections are closed at once.
 */
public final class ListenerRegistry extends VerticleBase {

  private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(ListenerRegistry.class.getName());

  /** A started listener: its config, module, deployment, the port it bound and where it came from. */
  public record Running(ListenerConfig config, ProtocolModule module, ListenerDeployment deployment, String deploymentId,
      int port, String origin) {

    JsonObject json() {
      JsonObject json = new JsonObject().put("name", config.name()).put("protocol", config.protocol()).put("host", config.host())
          .put("port", port).put("upstream", config.upstream()).put("idle_timeout_ms", config.idleTimeout()).put("send_timeout_ms", config.sendTimeout())
          .put("origin", origin);
      return json;
    }
  }

  private final List<ListenerConfig> configured;
  private final ChaosState state;
  private final ChaosListener events;
  private final Supplier<List<GatewayConfig.NodePort>> nodePorts;
  private final Map<String, Running> running = new LinkedHashMap<>();
  /** Listeners being added (their name and port reserved until they run or fail). */
  private final Map<String, ListenerConfig> starting = new LinkedHashMap<>();
  private int deployed;
  private boolean draining;
  /** The grace the drain gave its listeners, for one that finishes starting after it. */
  private long drainGraceMs;
  private final Set<String> removing = new HashSet<>();

  /** {@code nodePorts}: the ports the node's own servers hold (admin API, metrics, Toxiproxy API, bridge), which no listener may take. */
  public ListenerRegistry(List<ListenerConfig> configured, ChaosState state, ChaosListener events,
      Supplier<List<GatewayConfig.NodePort>> nodePorts) {
    this.configured = List.copyOf(configured);
    this.state = state;
    this.events = events;
    this.nodePorts = nodePorts;
  }

  @Override
  public Future<?> start() {
    Future<?> chain = Future.succeededFuture();
    for (int i = 0; i < configured.size(); i++) {
      ListenerConfig listener = configured.get(i);
      String section = "listeners[" + i + "]";
      chain = chain.compose(v -> BindFailures.named(startListener(listener, "config"), section, listener.host(), listener.port()));
    }
    return chain.compose(v -> Future.all(List.of(
        consumer(Addresses.LISTENERS_LIST, body -> Future.succeededFuture(list())),
        consumer(Addresses.LISTENERS_ADD, this::add),
        consumer(Addresses.LISTENERS_REMOVE, this::remove),
        consumer(InternalAddresses.LISTENERS_SETTLE, this::settle),
        consumer(InternalAddresses.LISTENERS_CHECK, body -> {
          checked(body, true);
          return Future.succeededFuture(new JsonObject());
        }))));
  }

  /** The listeners running now, in the order they started. Safe from any thread. */
  public synchronized List<Running> running() {
    return List.copyOf(running.values());
  }

  /**
   * Drains every running listener at once (each port refuses from now on, open connections end when done
   * or at {@code graceMs}); the node takes no new listener after this. Safe from any thread.
   */
  public Future<Void> drain(long graceMs) {
    List<Running> now;
    synchronized (this) {
      draining = true;
      drainGraceMs = graceMs;
      now = List.copyOf(running.values());
    }
    return Future.join(now.stream().map(r -> r.deployment().drain(graceMs)).toList()).mapEmpty();
  }

  private synchronized JsonObject list() {
    JsonArray out = new JsonArray();
    running.values().forEach(r -> out.add(r.json()));
    return new JsonObject().put("listeners", out);
  }

  private Future<JsonObject> add(JsonObject body) {
    ListenerConfig listener;
    synchronized (this) {
      listener = checked(body, false);
      starting.put(listener.name(), listener);
    }
    // a port another program holds is a conflict (409); a host that is not this machine's, the request's to fix (400)
    Future<Running> started;
    try {
      started = startListener(listener, "api");
    } catch (RuntimeException e) {
      started = Future.failedFuture(e);
    }
    return BindFailures.named(started, "", listener.host(), listener.port())
        .andThen(done -> {
          synchronized (this) {
            starting.remove(listener.name());
          }
        })
        .recover(error -> Future.failedFuture(error instanceof ChaosConfigException named && named.field().equals("port")
            ? new ControlError.Conflict("port", named.getMessage()) : error))
        .map(Running::json);
  }

  /**
   * The listener {@code body} describes, checked as an add checks it; with {@code replacing}, as the replacement of the
   * listener of its name (that one's name and port are not in its way). Throws what an add answers.
   */
  private synchronized ListenerConfig checked(JsonObject body, boolean replacing) {
    if (body == null) {
      throw new ChaosConfigException("body", "a listener ({\"name\", \"protocol\", \"port\", \"upstream\"}) is required");
    }
    if (body.containsKey("chaos")) {
      throw new ChaosConfigException("chaos", "a listener added while the node runs takes its chaos from rules matching its name");
    }
    ListenerConfig given = ChaosJson.convert(body, ListenerConfig.class, "");
    ProtocolModule module = Protocols.named(given.protocol(), "protocol");
    module.check(given);
    // the protocol's default port (checked like a port it names) and idle timeout when it names none
    ListenerConfig listener = module.withDefaults(given);
    if (draining) {
      throw new ControlError.Conflict("name", "the node is shutting down: it takes no new listener");
    }
    if (!replacing && (running.containsKey(listener.name()) || starting.containsKey(listener.name()))) {
      throw new ControlError.Conflict("name", "a listener named " + listener.name() + " already exists"
          + (removing.contains(listener.name()) ? " (being removed: the name is free once its drain ends)" : ""));
    }
    List<GatewayConfig.NodePort> taken = new ArrayList<>(nodePorts.get());
    // a running listener holds its port whatever host either names, as the registry always counted it; one being
    // removed too, until its drain ends (bound again meanwhile, Vert.x would share the port with the old server)
    running.values().stream().filter(other -> !replacing || !other.config().name().equals(listener.name()))
        .forEach(other -> taken.add(new GatewayConfig.NodePort("0.0.0.0", other.port(), "listener " + other.config().name()
            + (removing.contains(other.config().name()) ? " (being removed: the port is free once its drain ends)" : ""), "port")));
    // so does one still starting: two adds at once must not both bind it (Vert.x would share the port between them)
    starting.values().stream().filter(other -> other.port() != null && other.port() != 0).forEach(other -> taken.add(
        new GatewayConfig.NodePort("0.0.0.0", other.port(), "listener " + other.name() + " (starting)", "port")));
    GatewayConfig.NodePort holder = GatewayConfig.clash(listener.host(), listener.port(), taken);
    if (holder != null) {
      throw new ControlError.Conflict("port", "port " + listener.port() + " is taken by " + holder.owner());
    }
    return listener;
  }

  private Future<Running> startListener(ListenerConfig listener, String origin) {
    if (listener.tls() != null) {
      ServerTls.verify(vertx, listener.tls()); // once for the listener, not once per event-loop instance of its servers
      ServerTls.expiry(listener.tls()).ifPresent(problem -> LOG.warning(() -> "listener " + listener.name() + ": " + problem));
    }
    ProtocolModule module = Protocols.named(listener.protocol(), "protocol");
    ListenerDeployment deployment = new ListenerDeployment(vertx, listener, ListenerDeployment.bindPort(listener, deployed++), state, events);
    ListenerHost host = new ListenerHost(module, deployment);
    return vertx.deployVerticle(host).map(id -> {
      Running started = new Running(listener, module, deployment, id, host.port(), origin);
      boolean stopping;
      synchronized (this) {
        running.put(listener.name(), started);
        stopping = draining;
      }
      if (stopping) {
        // the node began to stop while this one started (an add let in before): drained as the others were, it took new
        // connections while /health said DRAINING, and the node's close cut them
        deployment.drain(drainGraceMs);
      }
      return started;
    });
  }

  private Future<JsonObject> remove(JsonObject body) {
    Running removed = find(MessageFields.only(body, "name", "grace_ms"));
    long graceMs = Addresses.graceMs(body.getValue("grace_ms"));
    String name = removed.config().name();
    synchronized (this) {
      if (!removing.add(name)) {
        return Future.failedFuture(new ControlError.Conflict("name", "listener " + name + " is already being removed"));
      }
    }
    // Drained even with no grace: its connections closed before its upstream clients, which would otherwise answer
    // a request in flight with a 502 blaming the upstream for what the removal did.
    return removed.deployment().drain(graceMs).transform(ignored -> vertx.undeploy(removed.deploymentId()))
        .andThen(done -> {
          synchronized (this) {
            removing.remove(name);
            if (done.succeeded()) {
              running.remove(name);
            }
          }
          if (done.succeeded()) {
            events.listenerRemoved(name); // its metric series go with it: a CI adding a listener per test grew /metrics for ever
          }
        })
        // its own chaos (the rule listener:NAME: its config's chaos, or a Toxiproxy proxy's toxics) goes with it; a
        // listener added later under the name started with the old toxics
        .compose(v -> vertx.eventBus().request(Addresses.RULES_REMOVE, new JsonObject().put("name", "listener:" + name))
            .<Void>mapEmpty().otherwiseEmpty())
        .map(v -> removed.json());
  }

  private Future<JsonObject> settle(JsonObject body) {
    Running listener = find(body);
    return listener.module().settled(listener.deployment()).map(v -> listener.json());
  }

  private synchronized Running find(JsonObject body) {
    Object name = body == null ? null : body.getValue("name");
    if (!(name instanceof String s) || s.isBlank()) {
      throw new ChaosConfigException("name", "is required and must be a string");
    }
    Running found = running.get(s);
    if (found == null) {
      throw new NotFound("no listener named " + s + " on this node");
    }
    return found;
  }

  private Future<?> consumer(String address, Function<JsonObject, Future<JsonObject>> action) {
    MessageConsumer<JsonObject> consumer = vertx.eventBus().localConsumer(address, message -> answer(message, action));
    return consumer.completion();
  }

  private static void answer(Message<JsonObject> message, Function<JsonObject, Future<JsonObject>> action) {
    Future<JsonObject> result;
    try {
      result = action.apply(message.body());
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onSuccess(message::reply).onFailure(error -> {
      if (error instanceof NotFound) {
        ControlError.fail(message, ControlError.NOT_FOUND, error.getMessage(), "name");
      } else if (error instanceof ChaosConfigException || error instanceof ControlError.Conflict) {
        ControlError.fail(message, error);
      } else {
        // what starting a listener met otherwise (a port that could not be bound for another reason): the caller's to look at
        ControlError.fail(message, 409, "cannot start the listener: " + error.getMessage(), "port");
      }
    });
  }

  /** No such listener on this node. */
  private static final class NotFound extends RuntimeException {
    NotFound(String message) {
      super(message, null, false, false);
    }
  }
}
