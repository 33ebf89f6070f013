package io.faultline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
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

  @RegisterExtension
  static final ConsoleSession console = new ConsoleSession(TOKEN);

  @BeforeEach
  void resetChaos() {
    console.gw.post("/api/chaos/reset");
    console.browser.size(1280, 800);
  }

  @Test
  void signingInTakesTheTokenAndNeverPutsItInAUrl() {
    console.browser.open(console.base);
    console.browser.script("sessionStorage.clear()");
    console.browser.open(console.base + "#/overview");
    console.browser.driver.navigate().refresh();
    WebElement token = console.browser.visible(By.id("token"));
    assertThat(console.browser.driver.findElement(By.cssSelector("label[for=token]")).getText()).isEqualTo("Admin token");
    assertThat(token.getAttribute("type")).isEqualTo("password");
    console.browser.screenshot("sign-in");
    console.browser.type(token, "wrong-token");
    console.browser.button("Sign in").click();
    console.browser.text(By.id("sign-in-error"), "not accepted");
    console.browser.type(console.browser.visible(By.id("token")), TOKEN);
    console.browser.button("Sign in").click();
    console.browser.text(By.id("chaos-state"), "Chaos is off");
    console.browser.text(By.id("connection"), "Live");
    assertThat(console.browser.driver.getCurrentUrl()).doesNotContain(TOKEN);
    assertThat(console.browser.script("return sessionStorage.getItem('faultline.admin-token')")).isEqualTo(TOKEN);
    assertThat(console.gw.admin(io.vertx.core.http.HttpMethod.GET, "/api/chaos/status").bearerTokenAuthentication("wrong").send().await()
        .statusCode()).as("the API itself still wants the token").isEqualTo(401);
  }

  @Test
  void theKillSwitchStopsTheErrorsTheTrafficSees() {
    console.gw.put("/api/chaos/config/fault_injection", "{\"http_errors\": [503], \"http_error_probability\": 1.0}");
    console.gw.post("/api/chaos/enable");
    assertThat(statuses(10)).containsOnly(503);
    signedIn("#/overview");
    WebElement kill = console.browser.button("Disable chaos");
    console.browser.until(d -> !d.findElement(By.cssSelector("[data-listener=web] [data-metric=error-rate]")).getText().equals("0 %"));
    console.browser.screenshot("overview");

    kill.click();
    console.browser.visible(By.cssSelector("dialog.confirm"));
    console.browser.button("Yes, disable chaos").click();
    console.browser.text(By.id("chaos-state"), "Chaos is off");
    assertThat(statuses(20)).containsOnly(200);
    assertThat(console.browser.button("Enable chaos").isDisplayed()).isTrue();
    JsonObject newest = console.gw.get("/api/chaos/changes?limit=1").bodyAsJsonObject().getJsonArray("changes").getJsonObject(0);
    assertThat(newest.getString("address")).isEqualTo("faultline.chaos.disable");
    assertThat(newest.getString("source")).as("the console names itself on every change").isEqualTo("console");
    console.browser.text(By.cssSelector(".changes li[data-source=console]"), "chaos disabled");
  }

  /** Adding or removing a listener keeps what the other listeners' charts hold (they were all rebuilt empty). */
  @Test
  void aListenerAddedOrRemovedLeavesTheOtherListenersChartsAsTheyWere() {
    signedIn("#/overview");
    By webRequests = By.cssSelector("[data-listener=web] .plot");
    console.browser.until(d -> Integer.parseInt(d.findElement(webRequests).getAttribute("data-points") == null ? "0"
        : d.findElement(webRequests).getAttribute("data-points")) >= 4);
    int held = Integer.parseInt(console.browser.until(d -> d.findElement(webRequests)).getAttribute("data-points"));
    assertThat(console.gw.postJson("/api/listeners", "{\"name\": \"orders\", \"protocol\": \"http\", \"port\": 0,"
        + " \"upstream\": \"http://127.0.0.1:1\"}").statusCode()).isEqualTo(201);
    console.browser.visible(By.cssSelector("[data-listener=orders]"));
    assertThat(Integer.parseInt(console.browser.until(d -> d.findElement(webRequests)).getAttribute("data-points")))
        .as("web's chart kept its points").isGreaterThanOrEqualTo(held);
    // replaced under its name, within a second: its card shows the new upstream (it kept the old port and upstream)
    By ordersHead = By.cssSelector("[data-listener=orders] .listener-head .muted");
    console.browser.text(ordersHead, "http://127.0.0.1:1");
    assertThat(console.gw.admin(io.vertx.core.http.HttpMethod.DELETE, "/api/listeners/orders").send().await().statusCode()).isEqualTo(200);
    assertThat(console.gw.postJson("/api/listeners", "{\"name\": \"orders\", \"protocol\": \"http\", \"port\": 0,"
        + " \"upstream\": \"http://127.0.0.1:2\"}").statusCode()).isEqualTo(201);
    console.browser.text(ordersHead, "http://127.0.0.1:2");
    console.browser.driver.navigate().refresh();
    console.browser.text(ordersHead, "http://127.0.0.1:2");
    assertThat(console.gw.admin(io.vertx.core.http.HttpMethod.DELETE, "/api/listeners/orders").send().await().statusCode()).isEqualTo(200);
    console.browser.until(d -> d.findElements(By.cssSelector("[data-listener=orders]")).isEmpty());
    assertThat(Integer.parseInt(console.browser.until(d -> d.findElement(webRequests)).getAttribute("data-points")))
        .isGreaterThanOrEqualTo(held);
  }

  @Test
  void theKillSwitchWorksFromTheKeyboard() {
    signedIn("#/overview");
    console.browser.button("Enable chaos");
    console.browser.script("document.activeElement.blur()");
    for (int i = 0; i < 40 && !"Enable chaos".equals(console.browser.driver.switchTo().activeElement().getText()); i++) {
      new Actions(console.browser.driver).sendKeys(Keys.TAB).perform();
    }
    assertThat(console.browser.driver.switchTo().activeElement().getText()).as("the kill switch is reached with Tab").isEqualTo("Enable chaos");
    new Actions(console.browser.driver).sendKeys(Keys.ENTER).perform();
    console.browser.visible(By.cssSelector("dialog.confirm"));
    assertThat(console.browser.driver.switchTo().activeElement().getText()).isEqualTo("Yes, enable chaos");
    new Actions(console.browser.driver).sendKeys(Keys.ENTER).perform();
    console.browser.text(By.id("chaos-state"), "Chaos is on");
    assertThat(console.gw.status().getBoolean("enabled")).isTrue();
  }

  @Test
  void aLatencySetInTheChaosFormSlowsTheRequests() {
    console.gw.post("/api/chaos/enable");
    signedIn("#/chaos");
    By latency = By.cssSelector("form[data-section=latency]");
    console.browser.type(console.browser.field(latency, "Fixed delay (ms)"), "300");
    console.browser.button("Apply Latency").click();
    console.browser.text(latency, "Applied");
    long started = System.nanoTime();
    assertThat(console.gw.traffic("/timed").statusCode()).isEqualTo(200);
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    // 300 ms injected before the upstream is called; 5 s leaves room for a loaded 2-core machine.
    assertThat(elapsedMs).isBetween(300L, 5_000L);
    assertThat(console.gw.get("/api/chaos/config/latency").bodyAsJsonObject().getLong("fixed_delay_ms")).isEqualTo(300);
    console.browser.screenshot("chaos");
  }

  /**
   * A rate changed in the rate limit's form is every client's rate: the burst and the per-client rate, worked out from the
   * old rate, were shown as if set and sent back with the new one, so each client stayed at 10/s.
   */
  @Test
  void aRateChangedInTheFormIsEveryClientsRate() {
    assertThat(console.gw.put("/api/chaos/config/rate_limit", "{\"requests_per_second\": 10, \"per_ip\": true}").statusCode())
        .isEqualTo(200);
    console.gw.post("/api/chaos/enable");
    signedIn("#/chaos");
    By rateLimit = By.cssSelector("form[data-section=rate_limit]");
    WebElement rate = console.browser.field(rateLimit, "Requests per second");
    console.browser.until(d -> "10".equals(rate.getAttribute("value")) ? true : null);
    String burstShown = console.browser.field(rateLimit, "Burst size").getAttribute("value");
    console.browser.type(rate, "1000");
    console.browser.button("Apply Rate limit").click();
    console.browser.text(rateLimit, "Applied");
    JsonObject applied = console.gw.get("/api/chaos/config/rate_limit").bodyAsJsonObject();
    assertThat(applied.getDouble("requests_per_second")).isEqualTo(1000.0);
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      statuses.add(console.gw.traffic("/rated").statusCode());
    }
    assertThat(statuses).as("40 requests from one client at 1000/s").containsOnly(200);
    assertThat(applied.fieldNames()).as("what was not given is not written").doesNotContain("burst_size", "per_ip_requests_per_second");
    assertThat(burstShown).as("the burst, not given, was shown empty").isEmpty();
  }

  /**
   * A token the gateway stops accepting (changed on the server) asks for the new one over a page holding unsaved
   * work, and signing in again brings that page back as it was; the page was dropped, its edits with it.
   */
  @Test
  void signingInAgainBringsBackThePageWithItsUnsavedWork() {
    console.signIn("#/orchestrations/new");
    console.browser.text(By.cssSelector(".validation"), "Valid");
    WebElement duration = console.browser.visible(By.id("b:steps[0].duration_seconds:value"));
    // the token changes before the edit: an edit made before it was validated 350 ms later with the changed token, and a
    // busy machine that took longer to make the next edit found the page signed out under it (not interactable)
    console.browser.script("sessionStorage.setItem('faultline.admin-token', 'changed-on-the-server')");
    console.browser.type(duration, "44"); // the validation after an edit is refused
    console.browser.text(By.id("sign-in-error"), "no longer accepted");
    console.browser.type(console.browser.visible(By.id("token")), "mistyped");
    console.browser.button("Sign in").click();
    console.browser.text(By.id("sign-in-error"), "was not accepted");
    console.browser.press(By.cssSelector("#nav a[data-page=overview]")); // signed out: the kept page stays where it is
    console.browser.type(console.browser.visible(By.id("token")), TOKEN);
    console.browser.button("Sign in").click();
    assertThat(console.browser.visible(By.id("b:steps[0].duration_seconds:value")).getAttribute("value")).isEqualTo("44");
    assertThat(console.browser.driver.getCurrentUrl()).endsWith("#/orchestrations/new");
    assertThat(console.browser.driver.getTitle()).startsWith("Orchestrations");
    console.browser.text(By.id("connection"), "Live");

    // signing out with unsaved work asks first
    console.browser.button("Sign out").click();
    console.browser.text(By.cssSelector("dialog.confirm"), "leaving drops it");
    console.browser.button("Cancel").click();
    assertThat(console.browser.visible(By.id("b:steps[0].duration_seconds:value")).getAttribute("value")).isEqualTo("44");
    console.browser.button("Sign out").click();
    console.browser.button("Sign out without saving").click();
    console.browser.text(By.id("sign-in-error"), "Signed out.");
    console.browser.type(console.browser.visible(By.id("token")), TOKEN);
    console.browser.button("Sign in").click();
    console.browser.text(By.cssSelector(".validation"), "Valid");
    assertThat(console.browser.visible(By.id("b:steps[0].duration_seconds:value")).getAttribute("value")).isEqualTo("10");
  }

  /**
   * The overview shows what it could load when a part of it cannot be (the orchestration status asks the cluster's
   * leader, which may be away): the kill switch stayed "Loading…", and a click on it enabled chaos, which was on.
   */
  @Test
  void theKillSwitchShowsChaossStateWhenAnotherPartOfTheOverviewFails() {
    console.gw.post("/api/chaos/enable");
    console.browser.driver.executeCdpCommand("Network.enable", Map.of());
    console.browser.driver.executeCdpCommand("Network.setBlockedURLs", Map.of("urls", List.of("*/api/chaos/orchestration/status*")));
    try {
      signedIn("#/overview");
      console.browser.text(By.id("chaos-state"), "Chaos is on");
      assertThat(console.browser.button("Disable chaos").isEnabled()).isTrue();
      console.browser.text(By.cssSelector("#chaos-title ~ p.small"), "Could not load: the orchestration status: ");
    } finally {
      console.browser.driver.executeCdpCommand("Network.setBlockedURLs", Map.of("urls", List.of()));
      console.browser.driver.executeCdpCommand("Network.disable", Map.of());
    }
  }

  @Test
  void aBadValueIsShownAtItsFieldAndChangesNothing() {
    long version = console.gw.status().getLong("version");
    signedIn("#/chaos");
    By latency = By.cssSelector("form[data-section=latency]");
    WebElement probability = console.browser.field(latency, "Probability");
    console.browser.type(probability, "5");
    console.browser.button("Apply Latency").click();
    WebElement error = console.browser.text(By.cssSelector("form[data-section=latency] [data-field='latency.probability'] .error"),
        "must be between 0 and 1");
    assertThat(error.getText()).contains("got 5");
    assertThat(probability.getAttribute("aria-invalid")).isEqualTo("true");
    assertThat(probability.getAttribute("aria-describedby")).contains(error.getAttribute("id"));
    console.browser.type(probability, "");
    console.browser.type(console.browser.field(latency, "Fixed delay (ms)"), "soon");
    console.browser.button("Apply Latency").click();
    console.browser.text(By.cssSelector("form[data-section=latency] [data-field='latency.fixed_delay_ms'] .error"), "must be a whole number");
    console.browser.screenshot("chaos-field-error");
    assertThat(console.gw.status().getLong("version")).as("nothing was applied").isEqualTo(version);
  }

  /**
   * Numbers as people type them (.5, +7) are sent as numbers: .5 went as text, and the server refused it as not a number.
   * An error naming a key as it was typed (an unknown key in a JSON field, {@code x]}) is shown at the nearest field: the
   * walk up to one stood still at such a name, and the page hung.
   */
  @Test
  void aNumberAsPeopleTypeItIsANumberAndAnErrorOnAnyKeyFindsItsField() {
    signedIn("#/chaos");
    By latency = By.cssSelector("form[data-section=latency]");
    console.browser.type(console.browser.field(latency, "Probability"), ".5");
    console.browser.type(console.browser.field(latency, "Fixed delay (ms)"), "+7");
    console.browser.button("Apply Latency").click();
    console.browser.text(latency, "Applied");
    JsonObject applied = console.gw.get("/api/chaos/config/latency").bodyAsJsonObject();
    assertThat(applied.getDouble("probability")).isEqualTo(0.5);
    assertThat(applied.getLong("fixed_delay_ms")).isEqualTo(7);

    long version = console.gw.status().getLong("version");
    By graphql = By.cssSelector("form[data-section=graphql]");
    console.browser.type(console.browser.field(graphql, "Field faults"), "[{\"field\": \"Query.user\", \"delay_ms\": 5, \"x]\": 1}]");
    console.browser.button("Apply GraphQL").click();
    // the server names graphql.field_faults[0].x]
    console.browser.text(By.cssSelector("form[data-section=graphql] [data-field='graphql.field_faults'] .error"), "unknown field");
    assertThat(console.gw.status().getLong("version")).as("nothing was applied").isEqualTo(version);
  }

  /**
   * Leaving the chaos page with a section's edits not applied, or a rule's not saved, asks first; declined, the edits
   * stay; an edit typed back to what the form showed, or applied, leaves without a question. The forms were applied
   * one by one and a half-typed one was dropped on navigation without a word, as only the builder asked.
   */
  @Test
  void leavingTheChaosPageWithEditsNotAppliedAsksFirst() {
    signedIn("#/chaos");
    By latency = By.cssSelector("form[data-section=latency]");
    WebElement delay = console.browser.field(latency, "Fixed delay (ms)");
    String before = delay.getAttribute("value");
    console.browser.type(delay, "250");
    console.browser.press(By.cssSelector("#nav a[data-page=overview]"));
    console.browser.text(By.cssSelector("dialog.confirm"), "Your changes to Latency are not applied: leaving drops them.");
    console.browser.screenshot("chaos-leave-unapplied");
    assertThat(console.browser.asksBeforeUnload()).as("a reload asks too").isTrue();
    console.browser.button("Cancel").click();
    console.browser.until(d -> d.findElements(By.cssSelector("dialog.confirm")).isEmpty());
    assertThat(console.browser.field(latency, "Fixed delay (ms)").getAttribute("value")).isEqualTo("250");
    assertThat(console.browser.driver.getCurrentUrl()).endsWith("#/chaos");

    console.browser.type(console.browser.field(latency, "Fixed delay (ms)"), before); // typed back: nothing to lose
    assertThat(console.browser.asksBeforeUnload()).isFalse();
    console.browser.button("Add rule").click();
    console.browser.type(console.browser.field(By.cssSelector(".rule-editor"), "Name"), "half-typed");
    console.browser.press(By.cssSelector("#nav a[data-page=overview]"));
    console.browser.text(By.cssSelector("dialog.confirm"), "The new rule is not saved: leaving drops it.");
    console.browser.button("Leave without saving").click();
    console.browser.visible(By.id("chaos-state"));
    assertThat(console.gw.get("/api/chaos/rules").bodyAsJsonObject().getJsonArray("rules")).isEmpty();

    signedIn("#/chaos");
    console.browser.type(console.browser.field(latency, "Fixed delay (ms)"), "120");
    console.browser.button("Apply Latency").click();
    console.browser.text(latency, "Applied");
    console.browser.press(By.cssSelector("#nav a[data-page=overview]"));
    console.browser.visible(By.id("chaos-state"));
    assertThat(console.browser.driver.findElements(By.cssSelector("dialog.confirm"))).isEmpty();
  }

  @Test
  void aRuleFromTheEditorSlowsOnlyTheTrafficItMatches() {
    console.gw.post("/api/chaos/enable");
    signedIn("#/chaos");
    console.browser.button("Add rule").click();
    By editor = By.cssSelector(".rule-editor");
    console.browser.type(console.browser.field(editor, "Name"), "slow-orders");
    console.browser.type(console.browser.field(editor, "Path"), "orders");
    console.browser.field(editor, "This rule sets Latency").click();
    console.browser.type(console.browser.field(By.cssSelector(".rule-editor [data-field=latency]"), "Fixed delay (ms)"), "400");
    console.browser.button("Save rule").click();
    console.browser.text(By.cssSelector(".rule-editor [data-field='match.path'] .error"), "must start with /");
    console.browser.type(console.browser.field(editor, "Path"), "/orders");
    console.browser.button("Save rule").click();
    console.browser.text(By.cssSelector("tr[data-rule=slow-orders]"), "path=/orders");

    long started = System.nanoTime();
    assertThat(console.gw.traffic("/orders/7").statusCode()).isEqualTo(200);
    // 400 ms injected by the rule; 5 s of room for a loaded machine.
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isBetween(400L, 5_000L);
    started = System.nanoTime();
    assertThat(console.gw.traffic("/catalog").statusCode()).isEqualTo(200);
    // No delay applies outside the rule: a loopback request takes a few ms, 350 ms only on a starved machine.
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(350L);

    // a second rule given the first one's name is refused at the name: the API replaces a rule posted
    // under its name, so saving it (or renaming another rule to it) silently destroyed slow-orders
    console.browser.button("Add rule").click();
    console.browser.type(console.browser.field(editor, "Name"), "slow-orders");
    console.browser.type(console.browser.field(editor, "Path"), "/catalog");
    console.browser.button("Save rule").click();
    console.browser.text(By.cssSelector(".rule-editor [data-field=name] .error"), "a rule named slow-orders exists");
    assertThat(console.gw.get("/api/chaos/rules").bodyAsJsonObject().getJsonArray("rules").stream()
        .map(r -> (io.vertx.core.json.JsonObject) r).filter(r -> r.getString("name").equals("slow-orders"))
        .map(r -> r.getJsonObject("match").getString("path")).toList()).containsExactly("/orders");
  }

  /**
   * Renaming a rule in the editor keeps it in its place: the first matching rule wins, and the rename moved it
   * behind a broader rule, so its traffic lost its fault. The Match column shows what the rule matches, no nulls.
   */
  @Test
  void aRuleRenamedInTheEditorKeepsItsPlaceAndItsTraffic() {
    console.gw.put("/api/chaos/config", "{\"enabled\": true, \"rules\": [{\"name\": \"orders-down\", \"match\": {\"path\": \"/a\"},"
        + " \"fault_injection\": {\"http_errors\": [503], \"http_error_probability\": 1}}, {\"name\": \"slow-all\","
        + " \"match\": {\"path\": \"/\"}, \"latency\": {\"fixed_delay_ms\": 10}}, {\"name\": \"listener:web\","
        + " \"match\": {\"listener\": \"web\"}, \"latency\": {\"fixed_delay_ms\": 1}}]}");
    assertThat(console.gw.traffic("/a").statusCode()).isEqualTo(503);
    signedIn("#/chaos");
    assertThat(console.browser.text(By.cssSelector("tr[data-rule=orders-down]"), "path=/a").getText()).doesNotContain("null");
    // a listener's own chaos is said to be what it is: not a rule tried in order
    console.browser.text(By.cssSelector("tr[data-rule='listener:web']"), "web's own chaos, under every rule");
    assertThat(console.browser.driver.findElement(By.cssSelector("tr[data-rule=orders-down]")).getText()).doesNotContain("own chaos");
    // another rule opened over edits not saved asks first (it replaced them without a word)
    console.browser.button("Edit rule slow-all").click();
    console.browser.type(console.browser.field(By.cssSelector(".rule-editor"), "Name"), "slow-half");
    console.browser.button("Edit rule orders-down").click();
    console.browser.text(By.cssSelector("dialog.confirm"), "Your changes to rule slow-all are not saved: opening rule orders-down drops them.");
    console.browser.screenshot("rules-discard-edits");
    console.browser.visible(By.cssSelector("dialog.confirm button[value=cancel]")).click(); // (the editor has a Cancel of its own)
    console.browser.until(d -> d.findElements(By.cssSelector("dialog.confirm")).isEmpty());
    assertThat(console.browser.field(By.cssSelector(".rule-editor"), "Name").getAttribute("value")).isEqualTo("slow-half");
    console.browser.button("Edit rule orders-down").click();
    console.browser.button("Discard edits").click();
    console.browser.text(By.cssSelector(".rule-editor h3"), "Rule orders-down");
    console.browser.type(console.browser.field(By.cssSelector(".rule-editor"), "Name"), "orders-503");
    console.browser.button("Save rule").click();
    console.browser.visible(By.cssSelector("tr[data-rule=orders-503]"));
    assertThat(console.gw.get("/api/chaos/rules").bodyAsJsonObject().getJsonArray("rules").stream()
        .map(r -> ((io.vertx.core.json.JsonObject) r).getString("name")).toList()).containsExactly("orders-503", "slow-all", "listener:web");
    assertThat(console.gw.traffic("/a").statusCode()).as("the renamed rule still wins for its path").isEqualTo(503);
    console.browser.screenshot("rules-renamed");
    // one change, the rule in its place: the change log says so, by rule, not as two whole lists
    io.vertx.core.json.JsonObject change = console.gw.get("/api/chaos/changes?limit=1").bodyAsJsonObject().getJsonArray("changes")
        .getJsonObject(0);
    assertThat(change.getString("address")).isEqualTo("faultline.chaos.rules.replace");
    assertThat(change.getJsonArray("diff").stream().map(d -> ((io.vertx.core.json.JsonObject) d).getString("path")).toList())
        .containsExactly("rules[orders-503].name");
    signedIn("#/overview");
    console.browser.script("arguments[0].scrollIntoView()", console.browser.text(By.cssSelector(".changes li"), "rule replaced"));
    console.browser.text(By.cssSelector(".changes li"), "rules[orders-503].name: orders-down → orders-503");
    console.browser.screenshot("changes-rule-replaced");
  }

  @Test
  void scenariosStartStopAndSaveTheCurrentConfig() {
    signedIn("#/chaos");
    console.browser.button("Start scenario slow_backend").click();
    console.browser.text(By.id("scenarios"), "Active scenario: slow_backend");
    assertThat(console.gw.status().getString("scenario")).isEqualTo("slow_backend");
    console.browser.button("Stop scenario slow_backend").click();
    console.browser.text(By.id("scenarios"), "No scenario is active.");
    assertThat(console.gw.status().getString("scenario")).isNull();

    console.gw.put("/api/chaos/config/latency", "{\"fixed_delay_ms\": 123}");
    // the node's rules are not the scenario's (a start keeps them): the console leaves them out of what it saves
    assertThat(console.gw.postJson("/api/chaos/rules", "{\"name\": \"kept\", \"match\": {\"path\": \"/k\"}, \"latency\": {\"fixed_delay_ms\": 5}}")
        .statusCode()).isEqualTo(201);
    console.browser.text(By.cssSelector("form[data-section=latency] .badge"), "set");
    By save = By.cssSelector("#scenarios form");
    console.browser.type(console.browser.field(save, "Name"), "from-console");
    console.browser.button("Save scenario").click();
    console.browser.visible(By.cssSelector("tr[data-scenario=from-console]"));
    JsonObject saved = console.gw.get("/api/chaos/scenarios/from-console").bodyAsJsonObject();
    assertThat(saved.getJsonObject("config").getJsonObject("latency").getLong("fixed_delay_ms")).isEqualTo(123);
    // the overview's recent changes name the scenario each was about (they said "scenario started", and a save its address)
    console.browser.open(console.base + "#/overview");
    console.browser.text(By.cssSelector(".changes li[data-source=console]"), "scenario saved");
    console.browser.text(By.cssSelector(".changes li[data-source=console] .change-name"), "from-console");
    console.browser.text(By.cssSelector(".changes li[data-source=console] .change-name"), "slow_backend");

    // deleted while a library entry names it: done, with the node's warning that the entry's start now fails (it was said
    // plain "deleted")
    assertThat(console.gw.put("/api/chaos/orchestration/library/uses-it",
        "name: uses-it\nsteps:\n  - {name: s, scenario: from-console, duration_seconds: 1}\n").statusCode()).isBetween(200, 201);
    console.browser.open(console.base + "#/chaos");
    console.browser.button("Delete scenario from-console").click();
    console.browser.button("Delete scenario").click();
    console.browser.text(By.cssSelector("#scenarios [role=status]"), "Warning: library entry uses-it names it");
    assertThat(console.gw.get("/api/chaos/scenarios/from-console").statusCode()).isEqualTo(404);
  }

  @Test
  void everyPageFitsADesktopAndAPhoneAndEveryControlHasAName() {
    signedIn("#/overview");
    List<String> pages = List.of("overview", "chaos", "orchestrations", "orchestrations/new", "reports", "history", "cluster");
    for (int[] size : new int[][] {{1280, 800}, {390, 844}}) {
      console.browser.size(size[0], size[1]);
      for (String page : pages) {
        console.browser.open(console.base + "#/" + page);
        console.browser.visible(By.cssSelector(".page[data-page='" + page.split("/")[0] + "'] h1"));
        waitUntilLoaded(page);
        console.browser.assertNoSidewaysScroll(page + " at " + size[0] + " px");
        console.browser.assertEveryControlNamed(page + " at " + size[0] + " px");
        if (size[0] == 390) {
          console.browser.screenshot("phone-" + page.replace('/', '-'));
        }
      }
    }
    assertThat(console.browser.driver.findElements(By.cssSelector("#nav a")).stream().map(WebElement::getText).toList())
        .containsExactly("Overview", "Chaos", "Orchestrations", "Reports", "History", "Cluster");
  }

  @Test
  void aLostConnectionIsShownAndComesBackByItself() throws Exception {
    try (CuttableProxy proxy = new CuttableProxy(console.gw.clientVertx, console.gw.gateway.adminPort())) {
      String proxied = "http://127.0.0.1:" + proxy.port() + "/";
      console.browser.open(proxied + "#/overview");
      console.browser.type(console.browser.visible(By.id("token")), TOKEN); // another origin: this tab's token is not shared with it
      console.browser.button("Sign in").click();
      console.browser.text(By.id("connection"), "Live");
      waitUntilLoaded("overview");

      proxy.cut();
      console.browser.text(By.id("connection"), "Connection lost");
      console.browser.screenshot("connection-lost");
      proxy.restore();
      console.browser.text(By.id("connection"), "Live");

      console.gw.post("/api/chaos/enable");
      // made right after the reconnection: shown by the subscription or, if it came before the server had it
      // again, by the page's second reload a second later
      console.browser.text(By.id("chaos-state"), "Chaos is on");
      Thread.sleep(1_500);
      console.gw.post("/api/chaos/disable");
      // Both reloads are over: this change can only arrive by the subscription.
      console.browser.text(By.id("chaos-state"), "Chaos is off");
    }
  }

  /**
   * A gateway that hangs (or a network that drops everything) answers nothing, not even the close: the
   * console showed Live for 77 s, until the browser's own close timeout, while the pings had found the
   * silence after 15-25 s.
   */
  @Test
  void aSilentConnectionIsShownLostOnceItsPongsAreMissed() throws Exception {
    try (CuttableProxy proxy = new CuttableProxy(console.gw.clientVertx, console.gw.gateway.adminPort())) {
      console.browser.open("http://127.0.0.1:" + proxy.port() + "/#/overview");
      console.browser.type(console.browser.visible(By.id("token")), TOKEN);
      console.browser.button("Sign in").click();
      console.browser.text(By.id("connection"), "Live");
      waitUntilLoaded("overview");
      long frozen = System.nanoTime();
      proxy.freeze();
      new org.openqa.selenium.support.ui.WebDriverWait(console.browser.driver, java.time.Duration.ofSeconds(60), java.time.Duration.ofMillis(100))
          .until(d -> d.findElement(By.id("connection")).getText().contains("Connection lost"));
      long lostAfterMs = (System.nanoTime() - frozen) / 1_000_000;
      // pings every 10 s, a pong awaited 5 s more: found between 15 and 25 s after the last pong
      assertThat(lostAfterMs).as("ms until shown lost").isLessThan(30_000);
      proxy.restore();
      console.browser.text(By.id("connection"), "Live");
    }
  }

  /**
   * A change made while the gateway hangs is answered, within the console's bound, by a message saying so
   * and that it may or may not have been made: the button stayed busy for good, nothing said.
   */
  @Test
  void aChangeTheGatewayNeverAnswersIsReportedOnceItsTimeIsUp() throws Exception {
    console.gw.put("/api/chaos/config/latency", "{\"fixed_delay_ms\": 123}");
    try (CuttableProxy proxy = new CuttableProxy(console.gw.clientVertx, console.gw.gateway.adminPort())) {
      console.browser.open("http://127.0.0.1:" + proxy.port() + "/#/chaos");
      console.browser.type(console.browser.visible(By.id("token")), TOKEN);
      console.browser.button("Sign in").click();
      waitUntilLoaded("chaos");
      proxy.freeze();
      console.browser.button("Clear Latency").click();
      new org.openqa.selenium.support.ui.WebDriverWait(console.browser.driver, java.time.Duration.ofSeconds(30), java.time.Duration.ofMillis(100))
          .until(d -> d.findElement(By.cssSelector("form[data-section=latency]")).getText()
              .contains("the gateway did not answer within 15 s: the change may or may not have been made"));
      console.browser.screenshot("change-unanswered");
      proxy.restore();
    }
  }

  /**
   * Clear takes one section away in one change, an active scenario going on: it wrote the whole config back,
   * which ended the scenario and lost what its stop restores (and overwrote changes made between).
   */
  @Test
  void clearingASectionKeepsTheActiveScenarioAndWhatItsStopRestores() {
    console.gw.put("/api/chaos/config/fault_injection", "{\"http_errors\": [503], \"http_error_probability\": 0.3}");
    assertThat(console.gw.post("/api/chaos/scenarios/slow_backend").statusCode()).isEqualTo(200);
    signedIn("#/chaos");
    console.browser.text(By.id("scenarios"), "Active scenario: slow_backend");
    console.browser.button("Clear Latency").click();
    console.browser.text(By.cssSelector("form[data-section=latency]"), "Cleared");
    console.browser.screenshot("cleared-during-scenario");
    JsonObject during = console.gw.status();
    assertThat(during.getString("scenario")).isEqualTo("slow_backend");
    assertThat(during.getJsonObject("config").containsKey("latency")).isFalse();
    assertThat(console.gw.post("/api/chaos/scenarios/stop").statusCode()).isEqualTo(200);
    JsonObject after = console.gw.status().getJsonObject("config");
    assertThat(after.getJsonObject("fault_injection").getDouble("http_error_probability")).isEqualTo(0.3);
  }

  /**
   * A section applied while an orchestration holds the chaos config is said to be undone by the run's end, as the
   * gateway warns: the console said "Applied" alone, and the change vanished when the run ended.
   */
  @Test
  void aSectionAppliedWhileARunHoldsTheConfigIsSaidToGoWithTheRunsEnd() {
    var started = console.gw.postJson("/api/chaos/orchestration/start",
        "name: holding\nsteps:\n  - {name: hold, scenario: {config: {latency: {fixed_delay_ms: 5}}}, duration_seconds: 60}\n");
    assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(202);
    try {
      signedIn("#/chaos");
      By latency = By.cssSelector("form[data-section=latency]");
      console.browser.type(console.browser.field(latency, "Fixed delay (ms)"), "300");
      console.browser.button("Apply Latency").click();
      console.browser.text(latency, "Applied");
      console.browser.text(latency, "Warning: orchestration holding (" + started.bodyAsJsonObject().getString("run_id")
          + ") holds the chaos config: when it ends it puts back the config it found, and this change goes with it.");
    } finally {
      console.gw.post("/api/chaos/orchestration/stop");
    }
  }

  /**
   * A section's form the caret sat in, unedited, while the config changed elsewhere shows the new value once the focus
   * leaves it: it kept the old one, and an Apply of another field sent that old value back.
   */
  @Test
  void aFormTheCaretSatInCatchesUpWhenTheFocusLeaves() {
    console.gw.put("/api/chaos/config/latency", "{\"fixed_delay_ms\": 100}");
    signedIn("#/chaos");
    By latency = By.cssSelector("form[data-section=latency]");
    WebElement delay = console.browser.field(latency, "Fixed delay (ms)");
    console.browser.until(d -> "100".equals(delay.getAttribute("value")) ? true : null);
    delay.click();
    console.gw.put("/api/chaos/config/latency", "{\"fixed_delay_ms\": 500}");
    // a change after it, shown in another form: the page has had the latency's by then, with the caret still in its form
    console.gw.put("/api/chaos/config/rate_limit", "{\"requests_per_second\": 10}");
    console.browser.text(By.cssSelector("form[data-section=rate_limit] .badge"), "set");
    assertThat(delay.getAttribute("value")).as("not redrawn under the caret").isEqualTo("100");
    console.browser.field(By.cssSelector("form[data-section=fault_injection]"), "HTTP error probability").click();
    // redrawn: a field of its own
    console.browser.until(d -> "500".equals(console.browser.field(latency, "Fixed delay (ms)").getAttribute("value")) ? true : null);
  }

  /** A hand-typed '%' that is no escape, in a deep link: its page opens (it threw "URI malformed", leaving the page blank). */
  @Test
  void aHandTypedPercentInADeepLinkOpensItsPage() {
    signedIn("#/overview");
    ((org.openqa.selenium.JavascriptExecutor) console.browser.driver).executeScript("location.hash = '#/reports/50%off'");
    console.browser.text(By.cssSelector("p.error[role=alert]"), "Could not open report 50%off");
  }

  private void signedIn(String hash) {
    console.signIn(hash);
    waitUntilLoaded(hash.substring(2));
  }

  /** Each page says it has its data: the element that only appears once it arrived. */
  private static void waitUntilLoaded(String page) {
    String marker = switch (page.split("/")[0]) {
      case "overview" -> "[data-listener=web] [data-metric=rps]";
      case "chaos" -> "form[data-section=latency] input";
      case "orchestrations" -> page.contains("/") ? ".validation p" : "section[aria-labelledby=library-title] .table-wrap *";
      case "reports" -> "section[aria-labelledby=reports-title] .table-wrap *";
      case "history" -> "#runs .table-wrap *";
      default -> "tr[data-node]";
    };
    console.browser.visible(By.cssSelector(marker));
  }

  private static List<Integer> statuses(int n) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(console.gw.traffic("/kill-switch").statusCode());
    }
    return out;
  }
}
