package io.faultline.orchestration.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The typed report writes the JSON consumers have always read, and reads any report back, however incomplete. */
class RunReportTest {

  private static RunReport report(List<StepResult> steps) {
    return new RunReport("run-1", "o", null, List.of("release-2"), "sequential", "succeeded", 1_000, 4_000, 1, steps,
        new JsonObject().put("error_rate", 0.0), List.of(new AssertionResult("step_succeeded", true, "step a succeeded, expected succeeded")),
        Map.of("total", 3.0), new JsonObject().put("x", 1), List.of(), List.of("t info hello"), List.of(), 0, null);
  }

  @Test
  void theJsonHasTodaysFieldsInTodaysOrderThenTheNewOnes() {
    StepResult step = new StepResult("a", 1, "succeeded", 1_000, 2_500, new JsonObject().put("request_count", 3), List.of(), null, null);
    JsonObject json = report(List.of(step)).toJson();
    assertThat(json.fieldNames()).containsExactly("id", "name", "description", "mode", "status", "started_at", "ended_at",
        "duration_ms", "iterations", "steps", "metrics", "assertions", "custom_metrics", "variables", "errors", "log", "warnings", "tags");
    assertThat(json.getValue("description")).isNull();
    assertThat(json.getJsonArray("tags")).containsExactly("release-2");
    assertThat(json.getLong("duration_ms")).isEqualTo(3_000);
    JsonObject stepJson = json.getJsonArray("steps").getJsonObject(0);
    assertThat(stepJson.fieldNames()).containsExactly("name", "iteration", "status", "started_at", "ended_at", "duration_ms",
        "metrics", "assertions", "error");
    assertThat(stepJson.getLong("duration_ms")).isEqualTo(1_500);
    assertThat(json.getJsonArray("assertions").getJsonObject(0).fieldNames()).containsExactly("type", "passed", "message");
    assertThat(RunReport.fromJson(json).toJson()).isEqualTo(json);
  }

  /**
   * The HTML report says why a step failed (its error, each failed assertion's finding) and shows the custom metrics
   * the run recorded (reference 004: "Metrics: All collected metrics"): it showed "failed 0/1", and no custom metric.
   */
  @Test
  void theHtmlReportSaysWhyAStepFailedAndShowsTheCustomMetrics() {
    StepResult failed = new StepResult("spike", 1, "failed", 1_000, 2_500, new JsonObject().put("avg_latency", 245.0),
        List.of(new AssertionResult("metric_in_range", false, "avg_latency = 245, expected within [0, 200]")), null, null);
    StepResult cut = new StepResult("soak", 1, "stopped", 2_500, 3_000, new JsonObject(), List.of(), "cut short by a stop", null);
    StepResult skipped = new StepResult("else", 1, "skipped", 3_000, 3_000, new JsonObject(), List.of(), "condition not met", null);
    String html = ReportFormats.html(report(List.of(failed, cut, skipped)));
    assertThat(html).as("a branch not taken is no failure").doesNotContain("<li><b>else</b>");
    assertThat(html).contains("<li><b>spike</b>: metric_in_range: avg_latency = 245, expected within [0, 200]</li>")
        .contains("<li><b>soak</b>: cut short by a stop</li>")
        .contains("<h2>Custom metrics</h2>").contains("<tr><td>total</td><td>3</td></tr>");
  }

  @Test
  void aReportMissingFieldsStillReadsAndRenders() {
    JsonObject bare = new JsonObject().put("id", "x").put("steps", new io.vertx.core.json.JsonArray().add(new JsonObject().put("name", "s")));
    RunReport report = RunReport.fromJson(bare);
    assertThat(report.steps()).hasSize(1);
    assertThat(report.tags()).as("a report that did not say its tags does not claim none").isNull();
    assertThat(report.toJson().containsKey("tags")).isFalse();
    assertThat(ReportFormats.junit(bare)).contains("<testsuite name=\"\" tests=\"1\" failures=\"0\"");
    assertThat(ReportFormats.html(bare)).contains("<td>s</td>");
    assertThat(ReportFormats.html(new JsonObject())).contains("<h2>Steps</h2>");
  }

  @Test
  void aStoppedRunWhoseStepsAllPassedIsAFailureInJUnit() {
    // stopped between steps (or while a step's post hooks ran): its steps passed, the run did not, and CI went green
    JsonObject stopped = new JsonObject().put("id", "x").put("name", "slowcmd").put("status", "stopped")
        .put("errors", new io.vertx.core.json.JsonArray().add("hook c failed: command [sleep, 30] was ended: the run stopped"))
        .put("steps", new io.vertx.core.json.JsonArray().add(new JsonObject().put("name", "s1").put("status", "succeeded")));
    String xml = ReportFormats.junit(stopped);
    assertThat(xml).contains("tests=\"2\" failures=\"1\"").contains("name=\"(the run)\"").contains("run stopped: hook c failed");
    assertThat(ReportFormats.junit(stopped.copy().put("status", "succeeded"))).contains("tests=\"1\" failures=\"0\"");
  }

  @Test
  void aNameWithControlCharactersStillMakesJUnitXmlAParserReads() throws Exception {
    JsonObject odd = new JsonObject().put("id", "x").put("name", "bell\u0001<&>\"tab\there")
        .put("steps", new io.vertx.core.json.JsonArray().add(new JsonObject().put("name", "s\u001b[31m").put("status", "failed")
            .put("error", "lone \uD800 surrogate")));
    String xml = ReportFormats.junit(odd);
    var document = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new java.io.ByteArrayInputStream(xml.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    assertThat(document.getDocumentElement().getAttribute("name")).isEqualTo("bell\uFFFD<&>\"tab\there");
    assertThat(((org.w3c.dom.Element) document.getElementsByTagName("testcase").item(0)).getAttribute("name")).isEqualTo("s\uFFFD[31m");
  }
}
