package io.faultline.gateway;

import static io.faultline.gateway.HistoryTest.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.gateway.config.Flag;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * The console's History page and the Overview's health in headless Chromium, against a real gateway (with
 * an admin token) in front of a real upstream with real traffic: a calm and a failing orchestration are
 * run, recorded and scored by the gateway, and what the page shows is checked against what the API says.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleHistoryTest {

  private static final String TOKEN = "history-console-token";

  /** Samples every 200 ms so that a spike is seen within a second; alpha 0.5 forgets the start-up quickly. */
  @RegisterExtension
  static final ConsoleSession console = new ConsoleSession(TOKEN,
      "analytics: {interval_ms: 200, warmup_samples: 10, ewma_alpha: 0.5}\n", Map.of(Flag.SEED, "42"));

  static String calm;
  static String failing;
  static String calmLast;

  /** Calm, failing, calm, calm: each waited for until history has it (the failing run fails half the requests, seeded). */
  @BeforeAll
  static void runOrchestrations() throws Exception {
    try (SteadyTraffic traffic = new SteadyTraffic(console.gw)) {
      calm = recorded(HistoryTest.CALM);
      failing = recorded(HistoryTest.FAILING);
      recorded(HistoryTest.CALM);
      calmLast = recorded(HistoryTest.CALM);
    }
  }

  private static String recorded(String yaml) throws InterruptedException {
    var started = console.gw.admin(HttpMethod.POST, "/api/chaos/orchestration/start").sendBuffer(Buffer.buffer(yaml)).await();
    assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(202);
    String id = started.bodyAsJsonObject().getString("run_id");
    return eventually(() -> console.gw.get("/api/history/runs/" + id).statusCode() == 200 ? id : null, 30);
  }

  @BeforeEach
  void desktop() {
    console.browser.size(1280, 800);
  }

  private static WebElement row(String id) {
    return console.browser.visible(By.cssSelector("tr[data-run='" + id + "']"));
  }

  private static double score(String id) {
    return Double.parseDouble(row(id).findElement(By.cssSelector("[data-score]")).getAttribute("data-score"));
  }

  @Test
  void bothRunsAreListedScoredInOrderAndFiltered() {
    console.signIn("#/history");
    row(calm);
    List<String> shown = console.browser.driver.findElements(By.cssSelector("table.runs tbody tr")).stream()
        .map(r -> r.getAttribute("data-run")).toList();
    assertThat(shown).as("newest first").containsExactly(calmLast, shown.get(1), failing, calm);
    assertThat(score(calm)).isEqualTo(100.0);
    // half the requests failed, a step and an assertion too: about 35 (HistoryTest bounds it from 20 to 50)
    assertThat(score(failing)).isLessThan(score(calm)).isEqualTo(console.gw.get("/api/history/runs/" + failing).bodyAsJsonObject()
        .getDouble("resilience_score"));
    console.browser.screenshot("history");

    By filters = By.cssSelector("form.filters");
    row(calm).findElement(By.cssSelector("input.pick")).click();
    new org.openqa.selenium.support.ui.Select(console.browser.field(filters, "Status")).selectByValue("failed");
    console.browser.button("Show runs").click();
    console.browser.until(d -> d.findElements(By.cssSelector("table.runs tbody tr")).size() == 1);
    row(failing);
    // a pick the filter now hides is named, and can be let go (unseen, it was compared, as the base when picked first)
    console.browser.text(By.cssSelector(".hidden-picks"), "A picked run is not in this list: " + calm);
    console.browser.button("Clear the picks").click();
    console.browser.until(d -> d.findElements(By.cssSelector(".hidden-picks")).isEmpty());
    console.browser.text(By.cssSelector(".spread"), "(0 picked)");
    new org.openqa.selenium.support.ui.Select(console.browser.field(filters, "Status")).selectByValue("");
    console.browser.type(console.browser.field(filters, "Tag"), "release-a");
    console.browser.button("Show runs").click();
    console.browser.until(d -> d.findElements(By.cssSelector("table.runs tbody tr")).size() == 3);
    assertThat(console.browser.driver.findElements(By.cssSelector("tr[data-name=failing]"))).isEmpty();

    WebElement minScore = console.browser.field(filters, "Minimum score");
    console.browser.type(minScore, "101");
    console.browser.button("Show runs").click();
    WebElement error = console.browser.text(By.cssSelector("form.filters [data-field=min_score] .error"), "must be between 0 and 100");
    assertThat(error.getText()).contains("101");
    assertThat(minScore.getAttribute("aria-invalid")).isEqualTo("true");
    // the rows of the filter before are gone: left up, they read as the answer to the refused one
    console.browser.until(d -> d.findElements(By.cssSelector("table.runs tbody tr")).isEmpty());
    console.browser.text(By.cssSelector("p.muted"), "the filter above was refused");
    console.browser.type(minScore, "");
    console.browser.type(console.browser.field(filters, "Tag"), "");
  }

  @Test
  void comparingTwoRunsFromTheKeyboardShowsTheSignificantErrorRateDifference() {
    console.signIn("#/history");
    row(failing).findElement(By.cssSelector("input.pick")).sendKeys(Keys.SPACE);
    row(calm).findElement(By.cssSelector("input.pick")).sendKeys(Keys.SPACE);
    console.browser.button("Compare 2 runs").sendKeys(Keys.ENTER);

    WebElement errorTest = console.browser.visible(By.cssSelector("#compare [data-against='" + calm + "'] [data-test=error_rate]"));
    JsonObject api = console.gw.get("/api/history/compare?ids=" + failing + "," + calm).bodyAsJsonObject()
        .getJsonArray("tests").getJsonObject(0).getJsonObject("error_rate");
    // about 50 of 100 failed against none of 100: p is far below 0.001
    assertThat(api.getDouble("p_value")).isLessThan(0.001);
    assertThat(Double.parseDouble(errorTest.getAttribute("data-p"))).isEqualTo(api.getDouble("p_value"));
    assertThat(errorTest.getText()).contains("significant at the 5 % level").contains("Two-proportion z-test");
    assertThat(console.browser.driver.findElement(By.cssSelector("#compare [data-test=latency]")).getText()).contains("Mann–Whitney");
    assertThat(console.browser.driver.findElement(By.cssSelector("#compare tr[data-figure=error_rate] td[data-run='" + calm + "']"))
        .getText()).contains("0.0 %").contains("(−");
    assertThat(console.browser.driver.findElement(By.cssSelector("#compare .ranking li")).getAttribute("data-run"))
        .as("the calm run ranks first by score").isEqualTo(calm);
    assertThat(console.browser.driver.findElements(By.cssSelector("#compare tr[data-step]"))).hasSize(2);
    console.browser.script("document.querySelector('#compare .test-pair').scrollIntoView({block: 'center'})");
    console.browser.screenshot("history-compare");

    new org.openqa.selenium.support.ui.Select(console.browser.visible(By.id("rank-by"))).selectByValue("request_count");
    console.browser.visible(By.cssSelector("#compare .ranking[data-ranking=request_count]"));
  }

  @Test
  @Order(Integer.MAX_VALUE) // last: its runs would join the lists the other tests count
  void comparingRunsThatSawNoTrafficShowsNoFiguresAndSaysWhyNoTestWasComputed() throws Exception {
    String idle;
    String idleAgain;
    try (AutoCloseable quiet = console.quiet()) {
      idle = idleRun();
      idleAgain = idleRun();
    }
    List<String> unmeasured = List.of("error_rate", "avg_latency", "p50_latency", "p95_latency", "p99_latency");
    JsonObject listed = console.gw.get("/api/history/runs?name=idle").bodyAsJsonObject().getJsonArray("runs").stream()
        .map(JsonObject.class::cast).filter(r -> idle.equals(r.getString("id"))).findFirst().orElseThrow();
    assertThat(listed.getLong("request_count")).isZero();
    assertThat(listed.getValue("error_rate")).as("what the run list says").isNull();

    JsonObject api = console.gw.get("/api/history/compare?ids=" + idle + "," + idleAgain).bodyAsJsonObject();
    for (Object o : api.getJsonArray("runs")) {
      JsonObject run = (JsonObject) o;
      assertThat(run.getDouble("request_count")).isZero();
      unmeasured.forEach(f -> assertThat(run.getValue(f)).as("%s of %s, not 0.0 (a flawless run)", f, run.getString("id")).isNull());
      assertThat(run.getJsonObject("delta").fieldNames()).doesNotContainAnyElementsOf(unmeasured);
    }
    for (Object o : api.getJsonArray("steps").getJsonObject(0).getJsonArray("runs")) {
      JsonObject step = (JsonObject) o;
      unmeasured.forEach(f -> assertThat(step.getValue(f)).as("step %s of %s", f, step.getString("id")).isNull());
    }
    JsonObject tests = api.getJsonArray("tests").getJsonObject(0);
    assertThat(tests.getJsonObject("latency").getValue("p_value")).isNull();
    assertThat(tests.getJsonObject("latency").getString("reason")).isEqualTo("run " + idle + " recorded no requests");
    assertThat(tests.getJsonObject("error_rate").getString("reason")).isEqualTo("run " + idle + " saw no requests: it has no error rate to compare");

    console.signIn("#/history");
    row(idle).findElement(By.cssSelector("input.pick")).sendKeys(Keys.SPACE);
    row(idleAgain).findElement(By.cssSelector("input.pick")).sendKeys(Keys.SPACE);
    console.browser.button("Compare 2 runs").sendKeys(Keys.ENTER);
    String against = "#compare [data-against='" + idleAgain + "'] ";
    assertThat(console.browser.visible(By.cssSelector(against + "[data-test=latency]")).getText())
        .startsWith("not computed: run " + idle + " recorded no requests").doesNotContain("undefined");
    assertThat(console.browser.visible(By.cssSelector(against + "[data-test=error_rate]")).getText())
        .startsWith("– against –: not computed: run " + idle + " saw no requests").doesNotContain("approximation is poor");
    for (String figure : List.of("error_rate", "avg_latency", "p95_latency")) {
      for (String id : List.of(idle, idleAgain)) {
        assertThat(console.browser.driver.findElement(By.cssSelector("#compare tr[data-figure=" + figure + "] td[data-run='" + id + "']"))
            .getText()).as("%s of %s", figure, id).isEqualTo("–");
      }
    }
    assertThat(console.browser.driver.findElement(By.cssSelector("#compare tr[data-step] td")).getText())
        .contains("errors –").contains("p95 –").contains("requests 0");
  }

  /** A run that saw no request (the tail of an earlier test's traffic may still land in the first tried). */
  private static String idleRun() throws InterruptedException {
    for (int tries = 1; ; tries++) {
      String id = recorded(IDLE);
      long requests = console.gw.get("/api/history/runs/" + id).bodyAsJsonObject().getJsonObject("metrics").getLong("request_count");
      if (requests == 0 || tries == 5) {
        return id;
      }
    }
  }

  static final String IDLE = """
      name: idle
      steps:
        - {name: quiet, scenario: {config: {enabled: false}}, duration_seconds: 0.3}
      """;

  @Test
  void theCsvDownloadIsTheExportOfTheListShownAndTheTokenStaysOutOfUrls() {
    console.signIn("#/history");
    row(calm);
    new org.openqa.selenium.support.ui.Select(console.browser.field(By.cssSelector("form.filters"), "Status")).selectByValue("failed");
    console.browser.button("Download these runs as CSV").click();
    String file = console.browser.downloaded("faultline-history.csv");
    // the request the page makes: the filters shown, then the format
    var export = console.gw.get("/api/history/export?status=failed&format=csv");
    assertThat(export.statusCode()).isEqualTo(200);
    assertThat(file).isEqualTo(export.bodyAsString());
    List<String> lines = List.of(file.split("\r\n"));
    assertThat(lines).hasSize(2);
    List<String> header = List.of(lines.get(0).split(","));
    List<String> cells = List.of(lines.get(1).split(","));
    assertThat(cells.get(header.indexOf("id"))).isEqualTo(failing);
    assertThat(cells.get(header.indexOf("status"))).isEqualTo("failed");
    assertThat(cells.get(header.indexOf("tags"))).isEqualTo("release-b");
    // the list shown is the file: a filter changed and not yet shown is shown as the file is made (the table showed every
    // run, the file the failed ones)
    console.browser.until(d -> d.findElements(By.cssSelector("table.runs tbody tr")).size() == 1);
    row(failing);
    JsonObject graphql = console.gw.postJson("/graphql", "{\"query\": \"{ historyExport(format: \\\"csv\\\", status: \\\"failed\\\") }\"}")
        .bodyAsJsonObject();
    assertThat(graphql.getJsonObject("data").getJsonObject("historyExport").getString("body")).as(graphql.encode()).isEqualTo(file);
    assertThat(console.gw.admin(HttpMethod.GET, "/api/history/export?format=csv").bearerTokenAuthentication("wrong").send().await()
        .statusCode()).as("the export wants the token, so the page sent it").isEqualTo(401);
    @SuppressWarnings("unchecked")
    List<String> requested = (List<String>) console.browser.script(
        "return performance.getEntriesByType('resource').map(e => e.name).concat([location.href])");
    assertThat(requested).anySatisfy(url -> assertThat(url).contains("/api/history/export?status=failed&format=csv"))
        .noneSatisfy(url -> assertThat(url).contains(TOKEN));
  }

  @Test
  void theTrendChartDrawsAnOrchestrationsScoresWithTheApisDirection() {
    console.signIn("#/history");
    row(failing).findElement(By.cssSelector("button.link")).click();
    WebElement one = console.browser.visible(By.cssSelector("#trend .plot[data-points='1']"));
    // a single run: the time axis spans its start (it showed 1970, the dot on the edge)
    long startedSeconds = console.gw.get("/api/history/runs/" + failing).bodyAsJsonObject().getLong("started_at") / 1000;
    String[] xRange = console.browser.until(d -> one.getAttribute("data-x-range")).split(",");
    assertThat(Long.parseLong(xRange[0])).isLessThan(startedSeconds).isGreaterThan(startedSeconds - 7200);
    assertThat(Long.parseLong(xRange[1])).isGreaterThan(startedSeconds).isLessThan(startedSeconds + 7200);
    console.browser.text(By.cssSelector("#trend [data-direction=insufficient_data]"), "a trend needs at least 3");
    row(calm).findElement(By.cssSelector("button.link")).click();
    WebElement chart = console.browser.visible(By.cssSelector("#trend .trend-chart .plot[data-points='3'] canvas"));
    assertThat(chart.getSize().getWidth()).isGreaterThan(200);
    JsonObject trend = console.gw.get("/api/history/trends/calm?days=30").bodyAsJsonObject().getJsonObject("trend");
    // three scores of 100: a flat line, exactly, so the interval is [0, 0] and includes 0
    assertThat(trend.getString("direction")).isEqualTo("no_significant_change");
    assertThat(trend.getJsonArray("fitted_line")).hasSize(2);
    console.browser.text(By.cssSelector("#trend [data-direction=no_significant_change]"), "no significant change");
    assertThat(console.browser.driver.findElement(By.id("trend-name")).getAttribute("value")).isEqualTo("calm");

    console.browser.type(console.browser.visible(By.id("trend-days")), "0");
    console.browser.button("Show trend").click();
    console.browser.text(By.cssSelector("#trend [data-field=days] .error"), "must be a whole number from 1 to 3650");
    console.browser.type(console.browser.visible(By.id("trend-days")), "30");
    console.browser.button("Show trend").click();
    console.browser.visible(By.cssSelector("#trend .plot[data-points='3']"));
    console.browser.script("document.getElementById('trend').scrollIntoView()");
    console.browser.screenshot("history-trend");
  }

  @Test
  void theRecorderFindsTheFailingRequests() {
    console.signIn("#/history");
    By form = By.cssSelector("form.recorder-form");
    console.browser.type(console.browser.field(form, "Status code"), "5xx");
    console.browser.button("Search the recorder").click();
    console.browser.text(By.cssSelector("form.recorder-form [data-field=status_code] .error"), "must be a number");

    console.browser.type(console.browser.field(form, "Status code"), "503");
    console.browser.type(console.browser.field(form, "Listener"), "web");
    console.browser.button("Search the recorder").click();
    WebElement found = console.browser.visible(By.cssSelector("#recorder [data-count]"));
    assertThat(Integer.parseInt(found.getAttribute("data-count"))).isPositive();
    List<WebElement> rows = console.browser.driver.findElements(By.cssSelector("#recorder tbody tr"));
    assertThat(rows).isNotEmpty().allSatisfy(r -> {
      assertThat(r.getAttribute("data-status")).isEqualTo("503");
      assertThat(r.getText()).contains("http_error");
    });
    // reference 001's fields, as the page sends them: the same requests are found
    JsonObject api = console.gw.postJson("/api/recorder/search", "{\"status_code\": 503, \"listener\": \"web\", \"limit\": 100}")
        .bodyAsJsonObject();
    assertThat(rows).hasSize(api.getInteger("count"));
    // as many as the limit: said to be the newest of maybe more (it read "1 request found", as if that were all)
    console.browser.type(console.browser.field(form, "At most"), "1");
    console.browser.button("Search the recorder").click();
    console.browser.text(By.cssSelector("#recorder [data-count='1']"), "The newest request: as many as \"At most\" allows");
    console.browser.type(console.browser.field(form, "At most"), "100");
    console.browser.button("Search the recorder").click();
    console.browser.until(d -> Integer.parseInt(d.findElement(By.cssSelector("#recorder [data-count]")).getAttribute("data-count"))
        >= rows.size() ? true : null);
    console.browser.script("document.getElementById('recorder').scrollIntoView()");
    console.browser.screenshot("history-recorder");
  }

  @Test
  void theOverviewShowsTheHealthScoreAndAnAnomalyAfterAnInjectedSpike() throws Exception {
    // enough connections that the steady traffic keeps its pace whatever the gateway answers
    WebClient client = WebClient.create(console.gw.clientVertx, new WebClientOptions(), new PoolOptions().setHttp1MaxSize(32));
    try (SteadyTraffic traffic = new SteadyTraffic(console.gw, client)) {
      console.signIn("#/overview");
      // the detector's baseline is set once 10 samples had at least 10 requests each (fewer neither flag nor count)
      eventually(() -> {
        JsonArray points = console.gw.get("/api/analytics/trends/request_rate?minutes=1").bodyAsJsonObject().getJsonArray("points");
        return points.size() >= 12 && points.stream().skip(points.size() - 12).allMatch(p -> ((JsonArray) p).getDouble(1) >= 60) ? true : null;
      }, 30);
      // the overview redraws live: read what is needed in the wait, where a redrawn element means "not yet"
      double before = console.browser.until(d -> Double.parseDouble(d.findElement(By.cssSelector("#health[data-score]")).getAttribute("data-score")));
      assertThat(before).isBetween(0.0, 100.0);

      long spikeStart = System.currentTimeMillis();
      console.gw.put("/api/chaos/config/fault_injection", "{\"http_errors\": [503], \"http_error_probability\": 1.0}");
      console.gw.post("/api/chaos/enable");
      try {
        String anomaly = console.browser.until(d -> d.findElements(By.cssSelector(".anomalies li[data-type=high_error_rate]")).stream()
            .filter(li -> Long.parseLong(li.getAttribute("data-detected-at")) >= spikeStart).findFirst().map(WebElement::getText).orElse(null));
        assertThat(anomaly).contains("High error rate").contains("error_rate");
        // every request fails now: the last minute's error rate can only rise, so the score falls
        console.browser.until(d -> Double.parseDouble(d.findElement(By.id("health")).getAttribute("data-score")) < before);
        console.browser.text(By.cssSelector("[data-factor=errors]"), "error rate");
        console.browser.screenshot("overview-health");
      } finally {
        console.gw.post("/api/chaos/reset");
      }
    }
  }

  @Test
  void aRunningExperimentIsShownWithItsProgressAndStoppedFromThePage() throws InterruptedException {
    // its first value (no delay at all) lasts 30 s: it is running when the page shows it
    var started = console.gw.postJson("/api/history/breaking-point", """
        {"parameter": "latency.fixed_delay_ms", "from": 0, "to": 5, "step": 1, "step_seconds": 30,
         "assertion": {"metric": "p95_latency", "operator": "less_than", "threshold": 5000}}""");
    assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(202);
    String id = started.bodyAsJsonObject().getString("id");
    console.signIn("#/history");
    By row = By.cssSelector("tr[data-experiment='" + id + "']");
    console.browser.text(row, "Breaking point");
    console.browser.text(row, "running");
    console.browser.text(row, "first value");
    console.browser.script("document.getElementById('experiments').scrollIntoView()");
    console.browser.screenshot("history-experiment-running");
    assertThat(console.gw.status().getBoolean("enabled")).as("the search has chaos on").isTrue();
    // the list is read every 2 s while the search runs, and is not redrawn when nothing in it changed: its Stop button keeps
    // the focus a keyboard user gave it (redrawn every time, the button was a new one, and the focus went back to the page)
    console.browser.script("document.querySelector(\"button[data-stop='" + id + "']\").focus()");
    Thread.sleep(4_500);
    assertThat(console.browser.script("return document.activeElement.getAttribute('aria-label')")).isEqualTo("Stop experiment " + id);
    console.browser.press(By.cssSelector("button[data-stop='" + id + "']"));
    console.browser.text(By.cssSelector("#experiments [role=status]"), "Experiment " + id + " stopped; its chaos config is back.");
    console.browser.text(row, "stopped");
    console.browser.text(row, "stopped after 0 values tried");
    assertThat(console.browser.driver.findElements(By.cssSelector("button[data-stop='" + id + "']"))).isEmpty();
    assertThat(console.gw.status().getBoolean("enabled")).isFalse();
  }

  @Test
  void anAbTestOfTwoLibraryEntriesStartsFromThePageAndStops() {
    // a gateway of its own: the runs this test makes stay out of the shared session's history
    try (GatewayFixture gw = new GatewayFixture(Map.of())) {
      String slow = HistoryTest.FAILING.replace("name: failing", "name: slow_variant").replace("duration_seconds: 1.2", "duration_seconds: 60");
      assertThat(gw.put("/api/chaos/orchestration/library/slow_variant", slow).statusCode()).isEqualTo(200);
      assertThat(gw.put("/api/chaos/orchestration/library/calm_variant", HistoryTest.CALM).statusCode()).isEqualTo(200);
      console.browser.open("http://127.0.0.1:" + gw.gateway.adminPort() + "/#/history");
      WebElement a = console.browser.visible(By.id("ab-a"));
      console.browser.until(d -> a.findElements(By.tagName("option")).size() == 2 ? true : null);
      new org.openqa.selenium.support.ui.Select(a).selectByValue("slow_variant");
      // an entry saved elsewhere (the CLI, another tab) while the page is open becomes a variant, and the choice stays
      assertThat(gw.put("/api/chaos/orchestration/library/third_variant", HistoryTest.CALM).statusCode()).isEqualTo(200);
      console.browser.until(d -> a.findElements(By.tagName("option")).size() == 3 ? true : null);
      assertThat(new org.openqa.selenium.support.ui.Select(a).getFirstSelectedOption().getAttribute("value")).isEqualTo("slow_variant");
      new org.openqa.selenium.support.ui.Select(console.browser.visible(By.id("ab-b"))).selectByValue("calm_variant");
      // refused input is shown at its field
      console.browser.type(console.browser.visible(By.id("ab-samples")), "1");
      console.browser.button("Start the A/B test").click();
      console.browser.text(By.cssSelector("form.ab-form [data-field=samples] .error"), "must be a whole number from 2 to 20, got 1");
      // a number that is not whole is told so (it was told "must be a number, not text"), an empty field that it is needed
      console.browser.type(console.browser.visible(By.id("ab-samples")), "2.5");
      console.browser.button("Start the A/B test").click();
      console.browser.text(By.cssSelector("form.ab-form [data-field=samples] .error"), "must be a whole number from 2 to 20");
      assertThat(console.browser.visible(By.cssSelector("form.ab-form [data-field=samples] .error")).getText()).doesNotContain("text");
      console.browser.type(console.browser.visible(By.id("ab-samples")), "");
      console.browser.button("Start the A/B test").click();
      console.browser.text(By.cssSelector("form.ab-form [data-field=samples] .error"), "is required");
      console.browser.type(console.browser.visible(By.id("ab-samples")), "2");
      console.browser.button("Start the A/B test").click();
      console.browser.text(By.cssSelector("#experiments [role=status]"), "started: slow_variant against calm_variant.");
      String id = gw.get("/api/history/experiments").bodyAsJsonObject().getJsonArray("experiments").getJsonObject(0).getString("id");
      By row = By.cssSelector("tr[data-experiment='" + id + "']");
      console.browser.text(row, "A/B test");
      console.browser.text(row, "running");
      HistoryTest.eventually(() -> gw.status().getBoolean("enabled") ? true : null, 10);
      console.browser.press(By.cssSelector("button[data-stop='" + id + "']"));
      console.browser.text(row, "stopped after 0 run(s) of A and 0 of B");
      assertThat(gw.status().getBoolean("enabled")).as("A's run was stopped and its chaos undone").isFalse();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void theHistoryPageFitsADesktopAndAPhoneAndEveryControlHasAName() {
    console.signIn("#/history");
    row(calm).findElement(By.cssSelector("input.pick")).click();
    row(failing).findElement(By.cssSelector("input.pick")).click();
    console.browser.button("Compare 2 runs").click();
    console.browser.visible(By.cssSelector("#compare [data-test=error_rate]"));
    console.browser.type(console.browser.field(By.cssSelector("form.recorder-form"), "Status code"), "503");
    console.browser.button("Search the recorder").click();
    console.browser.visible(By.cssSelector("#recorder tbody tr"));
    console.browser.visible(By.cssSelector("#trend .plot canvas"));
    for (int width : new int[] {1280, 390}) {
      console.browser.size(width, width == 390 ? 844 : 800);
      console.browser.assertNoSidewaysScroll("history at " + width + " px");
      console.browser.assertEveryControlNamed("history at " + width + " px");
    }
    console.browser.script("window.scrollTo(0, 0)");
    console.browser.screenshot("phone-history");
    console.browser.script("document.getElementById('compare').scrollIntoView()");
    console.browser.screenshot("phone-history-compare");
  }
}
