package io.faultline.gateway;

import io.faultline.gateway.config.Flag;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a console test class shares, as a JUnit extension ({@code @RegisterExtension static}): a gateway
 * node with a real upstream and steady background traffic (so the charts have something to draw), and
 * one browser on its admin port, for all the tests of the class.
 */
final class ConsoleSession implements BeforeAllCallback, AfterAllCallback {

  private final Map<Flag, String> flags;
  private final String token;
  GatewayFixture gw;
  ConsoleBrowser browser;
  /** The console's address: http://127.0.0.1:ADMIN_PORT/ */
  String base;

  /** token: the node's admin token, also given to gw's admin requests (null: none). */
  ConsoleSession(String token) {
    this.token = token;
    this.flags = token == null ? Map.of() : Map.of(Flag.ADMIN_TOKEN, token);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    ConsoleBrowser.assumeAvailable();
    gw = new GatewayFixture(flags);
    gw.token = token;
    base = "http://127.0.0.1:" + gw.gateway.adminPort() + "/";
    gw.clientVertx.setPeriodic(100, id -> gw.client.get(gw.gateway.listenerPort("web"), "127.0.0.1", "/background").send());
    ConsoleBrowser started;
    try {
      started = new ConsoleBrowser();
    } catch (Exception | Error e) {
      gw.close();
      throw e;
    }
    browser = started;
    browser.size(1280, 800);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    try {
      if (browser != null) {
        browser.close();
      }
    } finally {
      if (gw != null) {
        gw.close();
      }
    }
  }
}
