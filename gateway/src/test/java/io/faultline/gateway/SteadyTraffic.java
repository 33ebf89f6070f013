package io.faultline.gateway;

import io.vertx.ext.web.client.WebClient;

/** One request every 10 ms to a gateway's {@code web} listener until closed: the traffic history and analytics measure. */
final class SteadyTraffic implements AutoCloseable {

  private final GatewayFixture gw;
  private final long timer;

  SteadyTraffic(GatewayFixture gw, WebClient client) {
    this.gw = gw;
    this.timer = gw.clientVertx.setPeriodic(10, id -> client.get(gw.gateway.listenerPort("web"), "127.0.0.1", "/t").send());
  }

  SteadyTraffic(GatewayFixture gw) {
    this(gw, gw.client);
  }

  @Override
  public void close() {
    gw.clientVertx.cancelTimer(timer);
  }
}
