package io.faultline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.admin.api.OrchestrationDocuments;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The console's orchestration pages in headless Chromium against a real gateway with real traffic:
 * every reference example survives the builder unchanged, and an orchestration built in the builder
 * runs to its report.
 */
class ConsoleOrchestrationTest {

  private static final Path EXAMPLES = Path.of("..", "orchestrations", "src", "test", "resources", "reference-examples");
  private static GatewayFixture gw;
  private static ConsoleBrowser browser;
  private static String base;

  @BeforeAll
  static void start() throws Exception {
    ConsoleBrowser.assumeAvailable();
    gw = new GatewayFixture(Map.of());
    base = "http://127.0.0.1:" + gw.gateway.adminPort() + "/";
    gw.clientVertx.setPeriodic(100, id -> gw.client.get(gw.gateway.listenerPort("web"), "127.0.0.1", "/background").send());
    browser = new ConsoleBrowser();
    browser.size(1280, 800);
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

  @Test
  void everyReferenceExampleIsTheSameDocumentAfterTheBuilderSavesIt() throws Exception {
    List<Path> files;
    try (Stream<Path> list = Files.list(EXAMPLES)) {
      files = list.sorted().toList();
    }
    assertThat(files).hasSize(11);
    browser.open(base + "#/orchestrations");
    browser.visible(By.id("library-title"));
    // The first through the page's file import, the others through the API, each as written.
    browser.driver.findElement(By.id("import-file")).sendKeys(files.get(0).toRealPath().toString());
    browser.text(By.cssSelector("section[aria-labelledby=library-title]"), "Imported " + files.get(0).getFileName());
    for (Path file : files.subList(1, files.size())) {
      assertThat(gw.put("/api/chaos/orchestration/library/" + entry(file), Files.readString(file)).statusCode()).isEqualTo(200);
    }
    for (Path file : files) {
      String name = entry(file);
      browser.open(base + "#/orchestrations/edit/" + name);
      browser.text(By.id("builder-title"), "Orchestration builder: ");
      browser.text(By.cssSelector(".validation"), "Valid");
      browser.button("Save to library").click();
      browser.text(By.cssSelector("form.toolbar"), "Saved to the library as " + name);
      String original = Files.readString(file);
      String saved = gw.get("/api/chaos/orchestration/library/" + name).bodyAsJsonObject().getString("text");
      assertThat(OrchestrationDocuments.tree(saved)).as("%s after the builder", file.getFileName())
          .isEqualTo(OrchestrationDocuments.tree(original));
      assertThat(saved.startsWith("{")).as("%s keeps its format", file.getFileName()).isEqualTo(original.startsWith("{"));
    }
    browser.open(base + "#/orchestrations");
    browser.button("Download 003-06-cascading_failures as JSON").click();
    assertThat(OrchestrationDocuments.tree(browser.downloaded("cascading_failures.json")))
        .isEqualTo(OrchestrationDocuments.tree(Files.readString(EXAMPLES.resolve("003-06-cascading_failures.yaml"))));
  }

  @Test
  void aTwoStepOrchestrationWithAConditionAndAnAssertionBuiltInTheBuilderRunsToItsReport() {
    browser.open(base + "#/orchestrations/new");
    browser.text(By.cssSelector(".validation"), "Valid");
    browser.type(input("name"), "console_built");
    WebElement duration = input("steps[0].duration_seconds");
    browser.type(duration, "soon");
    browser.text(By.id("b:steps[0].duration_seconds:value:problem"), "must be a number");
    assertThat(duration.getAttribute("aria-invalid")).isEqualTo("true");
    browser.text(By.cssSelector(".validation"), "steps[0].duration_seconds");
    browser.type(duration, "1");
    browser.text(By.cssSelector(".validation"), "Valid");

    browser.driver.findElement(By.id("b:steps:add")).click();
    browser.type(input("steps[1].duration_seconds"), "1");
    browser.driver.findElement(By.id("b:steps[1].condition:add")).click();
    assertThat(browser.visible(By.id("b:steps[1].condition.type:value")).getAttribute("value")).isEqualTo("previous_step_succeeded");
    browser.driver.findElement(By.id("b:steps[1].assertions:add")).click();
    browser.type(input("steps[1].assertions[0].max"), "0.5");
    browser.driver.findElement(By.id("b:variables:add")).click();
    browser.type(input("variables.variable_1"), "7");
    browser.text(By.cssSelector(".validation"), "Valid");
    browser.type(browser.visible(By.id("builder-entry")), "console_built");
    browser.script("document.querySelector('[data-path=\"steps[1]\"]').scrollIntoView()");
    browser.screenshot("builder");

    browser.button("Save and run…").click();
    WebElement variable = browser.field(By.cssSelector("dialog.form"), "variable_1");
    assertThat(variable.getAttribute("value")).isEqualTo("7");
    browser.type(variable, "8");
    browser.button("Start the run").click();
    browser.text(By.id("run-percent"), "100 %");
    browser.text(By.id("run-status"), "succeeded");
    browser.text(By.cssSelector(".run-steps li[data-step=step_2]"), "succeeded");
    browser.screenshot("orchestrations");

    String runId = browser.visible(By.linkText("Open its report")).getAttribute("href").replaceAll(".*/", "");
    JsonObject report = gw.get("/api/chaos/orchestration/reports/" + runId).bodyAsJsonObject();
    assertThat(report.getString("name")).isEqualTo("console_built");
    JsonArray steps = report.getJsonArray("steps");
    assertThat(steps.stream().map(s -> ((JsonObject) s).getString("status"))).containsExactly("succeeded", "succeeded");
    assertThat(steps.getJsonObject(1).getJsonArray("assertions").getJsonObject(0).getBoolean("passed")).isTrue();
    assertThat(report.getJsonObject("variables").getInteger("variable_1")).as("the run's own value").isEqualTo(8);

    browser.visible(By.linkText("Open its report")).click();
    WebElement frame = browser.visible(By.cssSelector("iframe.report"));
    assertThat(frame.getAttribute("srcdoc")).contains("console_built");
    assertThat(frame.getAttribute("sandbox")).isEmpty();
    browser.screenshot("reports");
    browser.button("Download report " + runId + " as JUnit XML").click();
    assertThat(browser.downloaded(runId + ".xml")).contains("<testsuite").contains("console_built");
  }

  @Test
  void aRunStartedFromTheLibraryStopsAndAnEntryIsDeleted() {
    String longRun = "name: long_run\nsteps:\n  - name: hold\n    scenario: slow_backend\n    duration_seconds: 120\n";
    assertThat(gw.put("/api/chaos/orchestration/library/long_run", longRun).statusCode()).isEqualTo(200);
    browser.open(base + "#/orchestrations");
    browser.button("Run long_run").click();
    browser.button("Start the run").click();
    browser.text(By.id("run-status"), "running");
    browser.text(By.cssSelector(".run-steps li[data-step=hold]"), "running");
    assertThat(gw.status().getString("scenario")).as("the step's scenario is on").isEqualTo("slow_backend");
    browser.button("Stop the run").click();
    browser.text(By.id("run-status"), "stopped");
    assertThat(gw.get("/api/chaos/orchestration/status").bodyAsJsonObject().getBoolean("is_running")).isFalse();

    browser.button("Delete long_run").click();
    browser.button("Delete entry").click();
    browser.until(d -> d.findElements(By.cssSelector("tr[data-entry=long_run]")).isEmpty());
    assertThat(gw.get("/api/chaos/orchestration/library/long_run").statusCode()).isEqualTo(404);
  }

  private static WebElement input(String path) {
    return browser.visible(By.id("b:" + path + ":value"));
  }

  /** The library entry name the console gives a file: its name without the extension. */
  private static String entry(Path file) {
    return file.getFileName().toString().replaceAll("\\.(yaml|json)$", "");
  }
}
