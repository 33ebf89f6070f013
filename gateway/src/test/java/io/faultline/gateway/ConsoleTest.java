package io.faultline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.gateway.config.Flag;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

/**
 * The web console in headless Chromium against a real gateway (with an admin token) in front of a real
 * upstream, with real traffic; what the console does is checked through what that traffic then sees.
 */
class ConsoleTest {

  private static final String TOKEN = "console-test-token";
  private static GatewayFixture gw;
  private static ConsoleBrowser browser;
  private static String base;

  @BeforeAll
  static void start() throws Exception {
    ConsoleBrowser.assumeAvailable();
    gw = new GatewayFixture(Map.of(Flag.ADMIN_TOKEN, TOKEN));
    gw.token = TOKEN;
    base = "http://127.0.0.1:" + gw.gateway.adminPort() + "/";
    // Steady background traffic, so the charts have something to draw.
    gw.clientVertx.setPeriodic(100, id -> gw.client.get(gw.gateway.listenerPort("web"), "127.0.0.1", "/background").send());
    browser = new ConsoleBrowser();
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
    if (gw != null) {
      gw.close();
    }
  }

  @BeforeEach
  void resetChaos() {
    gw.post("/api/chaos/reset");
    browser.size(1280, 800);
  }

  @Test
  void signingInTakesTheTokenAndNeverPutsItInAUrl() {
    browser.open(base);
    browser.script("sessionStorage.clear()");
    browser.open(base + "#/overview");
    browser.driver.navigate().refresh();
    WebElement token = browser.visible(By.id("token"));
    assertThat(browser.driver.findElement(By.cssSelector("label[for=token]")).getText()).isEqualTo("Admin token");
    assertThat(token.getAttribute("type")).isEqualTo("password");
    browser.screenshot("sign-in");
    browser.type(token, "wrong-token");
    browser.button("Sign in").click();
    browser.text(By.id("sign-in-error"), "not accepted");
    browser.type(browser.visible(By.id("token")), TOKEN);
    browser.button("Sign in").click();
    browser.text(By.id("chaos-state"), "Chaos is off");
    browser.text(By.id("connection"), "Live");
    assertThat(browser.driver.getCurrentUrl()).doesNotContain(TOKEN);
    assertThat(browser.script("return sessionStorage.getItem('faultline.admin-token')")).isEqualTo(TOKEN);
    assertThat(gw.admin(io.vertx.core.http.HttpMethod.GET, "/api/chaos/status").bearerTokenAuthentication("wrong").send().await()
        .statusCode()).as("the API itself still wants the token").isEqualTo(401);
  }

  @Test
  void theKillSwitchStopsTheErrorsTheTrafficSees() {
    gw.put("/api/chaos/config/fault_injection", "{\"http_errors\": [503], \"http_error_probability\": 1.0}");
    gw.post("/api/chaos/enable");
    assertThat(statuses(10)).containsOnly(503);
    signedIn("#/overview");
    WebElement kill = browser.button("Disable chaos");
    browser.until(d -> !d.findElement(By.cssSelector("[data-listener=web] [data-metric=error-rate]")).getText().equals("0 %"));
    browser.screenshot("overview");

    kill.click();
    browser.visible(By.cssSelector("dialog.confirm"));
    browser.button("Yes, disable chaos").click();
    browser.text(By.id("chaos-state"), "Chaos is off");
    assertThat(statuses(20)).containsOnly(200);
    assertThat(browser.button("Enable chaos").isDisplayed()).isTrue();
    JsonObject newest = gw.get("/api/chaos/changes?limit=1").bodyAsJsonObject().getJsonArray("changes").getJsonObject(0);
    assertThat(newest.getString("address")).isEqualTo("faultline.chaos.disable");
    assertThat(newest.getString("source")).as("the console names itself on every change").isEqualTo("console");
    browser.text(By.cssSelector(".changes li[data-source=console]"), "chaos disabled");
  }

  @Test
  void theKillSwitchWorksFromTheKeyboard() {
    signedIn("#/overview");
    browser.button("Enable chaos");
    browser.script("document.activeElement.blur()");
    for (int i = 0; i < 40 && !"Enable chaos".equals(browser.driver.switchTo().activeElement().getText()); i++) {
      new Actions(browser.driver).sendKeys(Keys.TAB).perform();
    }
    assertThat(browser.driver.switchTo().activeElement().getText()).as("the kill switch is reached with Tab").isEqualTo("Enable chaos");
    new Actions(browser.driver).sendKeys(Keys.ENTER).perform();
    browser.visible(By.cssSelector("dialog.confirm"));
    assertThat(browser.driver.switchTo().activeElement().getText()).isEqualTo("Yes, enable chaos");
    new Actions(browser.driver).sendKeys(Keys.ENTER).perform();
    browser.text(By.id("chaos-state"), "Chaos is on");
    assertThat(gw.status().getBoolean("enabled")).isTrue();
  }

  @Test
  void aLatencySetInTheChaosFormSlowsTheRequests() {
    gw.post("/api/chaos/enable");
    signedIn("#/chaos");
    By latency = By.cssSelector("form[data-section=latency]");
    browser.type(browser.field(latency, "Fixed delay (ms)"), "300");
    browser.button("Apply Latency").click();
    browser.text(latency, "Applied");
    long started = System.nanoTime();
    assertThat(gw.traffic("/timed").statusCode()).isEqualTo(200);
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    // 300 ms injected before the upstream is called; 5 s leaves room for a loaded 2-core machine.
    assertThat(elapsedMs).isBetween(300L, 5_000L);
    assertThat(gw.get("/api/chaos/config/latency").bodyAsJsonObject().getLong("fixed_delay_ms")).isEqualTo(300);
    browser.screenshot("chaos");
  }

  @Test
  void aBadValueIsShownAtItsFieldAndChangesNothing() {
    long version = gw.status().getLong("version");
    signedIn("#/chaos");
    By latency = By.cssSelector("form[data-section=latency]");
    WebElement probability = browser.field(latency, "Probability");
    browser.type(probability, "5");
    browser.button("Apply Latency").click();
    WebElement error = browser.text(By.cssSelector("form[data-section=latency] [data-field='latency.probability'] .error"),
        "must be between 0 and 1");
    assertThat(error.getText()).contains("got 5");
    assertThat(probability.getAttribute("aria-invalid")).isEqualTo("true");
    assertThat(probability.getAttribute("aria-describedby")).contains(error.getAttribute("id"));
    browser.type(probability, "");
    browser.type(browser.field(latency, "Fixed delay (ms)"), "soon");
    browser.button("Apply Latency").click();
    browser.text(By.cssSelector("form[data-section=latency] [data-field='latency.fixed_delay_ms'] .error"), "must be a number");
    browser.screenshot("chaos-field-error");
    assertThat(gw.status().getLong("version")).as("nothing was applied").isEqualTo(version);
  }

  @Test
  void aRuleFromTheEditorSlowsOnlyTheTrafficItMatches() {
    gw.post("/api/chaos/enable");
    signedIn("#/chaos");
    browser.button("Add rule").click();
    By editor = By.cssSelector(".rule-editor");
    browser.type(browser.field(editor, "Name"), "slow-orders");
    browser.type(browser.field(editor, "Path"), "orders");
    browser.field(editor, "This rule sets Latency").click();
    browser.type(browser.field(By.cssSelector(".rule-editor [data-field=latency]"), "Fixed delay (ms)"), "400");
    browser.button("Save rule").click();
    browser.text(By.cssSelector(".rule-editor [data-field='match.path'] .error"), "must start with /");
    browser.type(browser.field(editor, "Path"), "/orders");
    browser.button("Save rule").click();
    browser.text(By.cssSelector("tr[data-rule=slow-orders]"), "path=/orders");

    long started = System.nanoTime();
    assertThat(gw.traffic("/orders/7").statusCode()).isEqualTo(200);
    // 400 ms injected by the rule; 5 s of room for a loaded machine.
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isBetween(400L, 5_000L);
    started = System.nanoTime();
    assertThat(gw.traffic("/catalog").statusCode()).isEqualTo(200);
    // No delay applies outside the rule: a loopback request takes a few ms, 350 ms only on a starved machine.
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(350L);
  }

  @Test
  void scenariosStartStopAndSaveTheCurrentConfig() {
    signedIn("#/chaos");
    browser.button("Start scenario slow_backend").click();
    browser.text(By.id("scenarios"), "Active scenario: slow_backend");
    assertThat(gw.status().getString("scenario")).isEqualTo("slow_backend");
    browser.button("Stop scenario slow_backend").click();
    browser.text(By.id("scenarios"), "No scenario is active.");
    assertThat(gw.status().getString("scenario")).isNull();

    gw.put("/api/chaos/config/latency", "{\"fixed_delay_ms\": 123}");
    browser.text(By.cssSelector("form[data-section=latency] .badge"), "set");
    By save = By.cssSelector("#scenarios form");
    browser.type(browser.field(save, "Name"), "from-console");
    browser.button("Save scenario").click();
    browser.visible(By.cssSelector("tr[data-scenario=from-console]"));
    JsonObject saved = gw.get("/api/chaos/scenarios/from-console").bodyAsJsonObject();
    assertThat(saved.getJsonObject("config").getJsonObject("latency").getLong("fixed_delay_ms")).isEqualTo(123);
  }

  @Test
  void everyPageFitsADesktopAndAPhoneAndEveryControlHasAName() {
    signedIn("#/overview");
    List<String> pages = List.of("overview", "chaos", "orchestrations", "orchestrations/new", "reports", "cluster");
    for (int[] size : new int[][] {{1280, 800}, {390, 844}}) {
      browser.size(size[0], size[1]);
      for (String page : pages) {
        browser.open(base + "#/" + page);
        browser.visible(By.cssSelector(".page[data-page='" + page.split("/")[0] + "'] h1"));
        waitUntilLoaded(page);
        browser.assertNoSidewaysScroll(page + " at " + size[0] + " px");
        browser.assertEveryControlNamed(page + " at " + size[0] + " px");
        if (size[0] == 390) {
          browser.screenshot("phone-" + page.replace('/', '-'));
        }
      }
    }
    assertThat(browser.driver.findElements(By.cssSelector("#nav a")).stream().map(WebElement::getText).toList())
        .containsExactly("Overview", "Chaos", "Orchestrations", "Reports", "Cluster");
  }

  @Test
  void aLostConnectionIsShownAndComesBackByItself() throws Exception {
    try (CuttableProxy proxy = new CuttableProxy(gw.clientVertx, gw.gateway.adminPort())) {
      String proxied = "http://127.0.0.1:" + proxy.port() + "/";
      browser.open(proxied + "#/overview");
      browser.type(browser.visible(By.id("token")), TOKEN); // another origin: this tab's token is not shared with it
      browser.button("Sign in").click();
      browser.text(By.id("connection"), "Live");
      waitUntilLoaded("overview");

      proxy.cut();
      browser.text(By.id("connection"), "Connection lost");
      browser.screenshot("connection-lost");
      proxy.restore();
      browser.text(By.id("connection"), "Live");

      gw.post("/api/chaos/enable");
      browser.text(By.id("chaos-state"), "Chaos is on");
      gw.post("/api/chaos/disable");
      // After the first change was shown, the page's reload is over: this one can only arrive by the subscription.
      browser.text(By.id("chaos-state"), "Chaos is off");
    }
  }

  private void signedIn(String hash) {
    browser.open(base + hash);
    List<WebElement> form = browser.driver.findElements(By.id("token"));
    if (!form.isEmpty() && form.get(0).isDisplayed()) {
      browser.type(form.get(0), TOKEN);
      browser.button("Sign in").click();
    }
    browser.visible(By.cssSelector(".page h1"));
    waitUntilLoaded(hash.substring(2));
  }

  /** Each page says it has its data: the element that only appears once it arrived. */
  private static void waitUntilLoaded(String page) {
    String marker = switch (page.split("/")[0]) {
      case "overview" -> "[data-listener=web] [data-metric=rps]";
      case "chaos" -> "form[data-section=latency] input";
      case "orchestrations" -> page.contains("/") ? ".validation p" : "section[aria-labelledby=library-title] .table-wrap *";
      case "reports" -> "section[aria-labelledby=reports-title] .table-wrap *";
      default -> "tr[data-node]";
    };
    browser.visible(By.cssSelector(marker));
  }

  private static List<Integer> statuses(int n) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(gw.traffic("/kill-switch").statusCode());
    }
    return out;
  }
}
