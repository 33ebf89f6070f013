package io.faultline.gateway;

import io.faultline.gateway.config.Flag;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * What a console test class shares, as a JUnit extension ({@code @RegisterExtension static}): a gateway
 * node with a real upstream and steady background traffic (so the charts have something to draw), and
 * one browser on its admin port, for all the tests of the class.
 */
final class ConsoleSession implements BeforeAllCallback, AfterAllCallback {

  private final Map<Flag, String> flags;
  private final String token;
  private final String yaml;
  private Path file;
  GatewayFixture gw;
  ConsoleBrowser browser;
  /** The console's address: http://127.0.0.1:ADMIN_PORT/ */
  String base;

  /** token: the node's admin token, also given to gw's admin requests (null: none). */
  ConsoleSession(String token) {
    this(token, null, Map.of());
  }

  /** Also a config file with yaml's text (null: none) and more flags. */
  ConsoleSession(String token, String yaml, Map<Flag, String> flags) {
    this.token = token;
    this.yaml = yaml;
    this.flags = new HashMap<>(flags);
    if (token != null) {
      this.flags.put(Flag.ADMIN_TOKEN, token);
    }
  }

  private volatile boolean quiet;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    ConsoleBrowser.assumeAvailable();
    if (yaml != null) {
      file = Files.createTempFile("console-session", ".yaml");
      Files.writeString(file, yaml);
    }
    gw = new GatewayFixture(file, flags);
    gw.token = token;
    base = "http://127.0.0.1:" + gw.gateway.adminPort() + "/";
    gw.clientVertx.setPeriodic(100, id -> {
      if (!quiet) {
        gw.client.get(gw.gateway.listenerPort("web"), "127.0.0.1", "/background").send();
      }
    });
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

  /** Stops the background traffic until the answer is closed (for what must see none: a run with no requests). */
  AutoCloseable quiet() {
    quiet = true;
    return () -> quiet = false;
  }

  /** Opens the console at hash (#/history), signs in with the token if the page asks for it, and waits for the page's heading. */
  void signIn(String hash) {
    browser.open(base + hash);
    List<WebElement> form = browser.driver.findElements(By.id("token"));
    if (!form.isEmpty() && form.get(0).isDisplayed()) {
      browser.type(form.get(0), token);
      browser.button("Sign in").click();
    }
    browser.visible(By.cssSelector(".page h1"));
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
      if (file != null) {
        file.toFile().delete();
      }
    }
  }
}
