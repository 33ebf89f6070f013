package io.faultline.chaos.listener;

import io.faultline.chaos.config.ListenerConfig;
import io.faultline.chaos.event.ChaosListener;
import io.faultline.chaos.state.ChaosState;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

/**
 * What a {@link ProtocolModule} needs to start one listener: the node's Vert.x, the listener's config,
 * the port to bind, the chaos state every request reads and where traffic events go; and the listener's
 * {@link Drainable} verticles, which {@link #drain} stops gracefully ({@link #perEventLoop} adds those it
 * deploys, a module deploying otherwise adds its own with {@link #drainable}).
 *
 * @param bindPort the configured port, or a negative one for port 0: Vert.x binds every server with the
 *                 same negative port to one random port, which lets a port-0 listener run one instance
 *                 per event loop (each listener gets its own negative number)
 */
public record ListenerDeployment(Vertx vertx, ListenerConfig listener, int bindPort, ChaosState state, ChaosListener events,
    Drains drains) {

  private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(ListenerDeployment.class.getName());

  public ListenerDeployment(Vertx vertx, ListenerConfig listener, int bindPort, ChaosState state, ChaosListener events) {
    this(vertx, listener, bindPort, state, events, new Drains());
  }

  /** The listener's drainable verticles; equal only to itself, so a deployment stays a stable map key as verticles join. */
  public static final class Drains {

    private final List<Drainable> verticles = new CopyOnWriteArrayList<>();
  }

  /** The port to bind for the {@code index}-th listener of a config. */
  public static int bindPort(ListenerConfig listener, int index) {
    return listener.port() == 0 ? -(index + 1) : listener.port();
  }

  /** The same deployment for {@code other} (a listener rewritten before it starts, e.g. given the mock upstream). */
  public ListenerDeployment with(ListenerConfig other) {
    return new ListenerDeployment(vertx, other, bindPort, state, events, drains);
  }

  /** Adds a verticle of this listener that {@link #drain} stops gracefully. */
  public void drainable(Drainable verticle) {
    drains.verticles.add(verticle);
  }

  /** Drains every {@link Drainable} verticle of the listener at once; completes when all are done. */
  public Future<Void> drain(long graceMs) {
    return Future.join(drains.verticles.stream().map(d -> d.drain(graceMs)).toList()).mapEmpty();
  }

  /**
   * Deploys {@code listener.instances()} verticles in one deployment and answers the port the first one bound,
   * logged once for the listener (not once per instance).
   */
  public <V extends VerticleBase> Future<Integer> perEventLoop(Supplier<V> create, ToIntFunction<V> port) {
    List<V> created = new CopyOnWriteArrayList<>();
    return vertx.deployVerticle(() -> {
      V verticle = create.get();
      created.add(verticle);
      if (verticle instanceof Drainable d) {
        drainable(d);
      }
      return verticle;
    }, new DeploymentOptions().setInstances(listener.instances())).map(id -> {
      int bound = port.applyAsInt(created.get(0));
      LOG.info(() -> listener.describe(bound));
      return bound;
    });
  }
}
