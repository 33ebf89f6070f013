package io.faultline.gateway.listeners;

import io.faultline.chaos.listener.ListenerDeployment;
import io.faultline.chaos.listener.ProtocolModule;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * The parent deployment of one listener: its protocol's verticles are deployed from here, so undeploying
 * the host stops them all (Vert.x undeploys a deployment's children with it), whatever the protocol
 * deploys and however many instances.
 */
final class ListenerHost extends VerticleBase {

  private final ProtocolModule module;
  private final ListenerDeployment deployment;
  private int port;

  ListenerHost(ProtocolModule module, ListenerDeployment deployment) {
    this.module = module;
    this.deployment = deployment;
  }

  @Override
  public Future<?> start() {
    return module.deploy(deployment).onSuccess(bound -> port = bound);
  }

  int port() {
    return port;
  }
}
