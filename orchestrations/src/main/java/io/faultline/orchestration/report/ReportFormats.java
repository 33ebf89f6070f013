package io.faultline.orchestration.report;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * A run report as JUnit XML (each step a test case, for CI systems: a step that failed or was cut
 * short by a stop or the guard is a failure) and as a self-contained HTML page. Both render any report,
 * however incomplete (missing fields read as empty).
 */
public final class ReportFormats {

  private ReportFormats() {
  }

  public static String junit(JsonObject report) {
    return junit(RunReport.fromJson(report));
  }

  public static String html(JsonObject report) {
    return html(RunReport.fromJson(report));
  }

  public static String junit(RunReport report) {
    List<StepResult> steps = report.steps();
    // a conditional step's result is the branch it chose, whose steps are testcases of their own: its failure is theirs,
    // counted once (a failing branch step was two failures)
    long failures = steps.stream().filter(s -> s.failedOrCut() && s.branch() == null).count();
    long skipped = steps.stream().filter(s -> "skipped".equals(s.status())).count();
    // a run that did not succeed with no step to show it (stopped between steps, or its global assertions
    // failed) is one failure more, so CI reading the XML never sees a pass
    boolean runFailed = java.util.Set.of("failed", "stopped", "aborted").contains(report.status()) && failures == 0;
    StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    xml.append("<testsuite name=\"").append(esc(report.name())).append("\" tests=\"").append(steps.size() + (runFailed ? 1 : 0))
        .append("\" failures=\"").append(failures + (runFailed ? 1 : 0)).append("\" skipped=\"").append(skipped).append("\" time=\"")
        .append(seconds(report.durationMs())).append("\" timestamp=\"")
        .append(Instant.ofEpochMilli(report.startedAt())).append("\">\n");
    for (StepResult step : steps) {
      xml.append("  <testcase classname=\"").append(esc(report.name())).append("\" name=\"")
          .append(esc(step.name() + (report.iterations() > 1 ? " #" + step.iteration() : "")))
          .append("\" time=\"").append(seconds(step.durationMs())).append("\">");
      if (step.failedOrCut() && step.branch() == null) {
        xml.append("<failure message=\"").append(esc(String.valueOf(step.error()))).append("\">")
            .append(esc(AssertionResult.toJson(step.assertions()).encodePrettily())).append("</failure>");
      } else if ("skipped".equals(step.status())) {
        xml.append("<skipped message=\"").append(esc(String.valueOf(step.error()))).append("\"/>");
      }
      String said = step.branch() == null ? step.metrics().encode()
          : "the " + step.branch() + " branch: " + step.status() + (step.error() == null ? "" : " (" + step.error() + ")");
      xml.append("<system-out>").append(esc(said)).append("</system-out></testcase>\n");
    }
    if (runFailed) {
      xml.append("  <testcase classname=\"").append(esc(report.name())).append("\" name=\"(the run)\" time=\"")
          .append(seconds(report.durationMs())).append("\"><failure message=\"").append(esc("run " + report.status()
              + (report.errors().isEmpty() ? "" : ": " + String.join("; ", report.errors())))).append("\"/></testcase>\n");
    }
    xml.append("</testsuite>\n");
    return xml.toString();
  }

  public static String html(RunReport report) {
    StringBuilder html = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>")
        .append(esc(report.name())).append(" — Faultline report</title><style>")
        .append("body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}")
        .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}.succeeded{color:#17803d}.failed,.aborted{color:#b42318}")
        .append(".skipped,.stopped{color:#777}.bar{display:inline-block;height:10px;background:#4f6bed;vertical-align:middle}")
        .append("</style></head><body><h1>").append(esc(report.name())).append("</h1>")
        .append("<p class=\"").append(esc(report.status())).append("\"><b>").append(esc(report.status()))
        .append("</b> · started ").append(Instant.ofEpochMilli(report.startedAt()))
        .append(" · ended ").append(Instant.ofEpochMilli(report.endedAt()))
        .append(" · ").append(seconds(report.durationMs())).append(" s · iterations ")
        .append(report.iterations()).append("</p><h2>Steps</h2><table><tr><th>step</th><th>status</th>")
        .append("<th>duration (s)</th><th>assertions</th><th>requests</th><th>error rate</th><th>avg latency (ms)</th><th>p99 (ms)</th></tr>");
    double worst = report.steps().stream().map(s -> number(s.metrics(), "avg_latency")).filter(java.util.Objects::nonNull)
        .mapToDouble(Double::doubleValue).max().orElse(0);
    for (StepResult step : report.steps()) {
      JsonObject m = step.metrics();
      long passed = step.assertions().stream().filter(AssertionResult::passed).count();
      Double avg = number(m, "avg_latency");
      html.append("<tr><td>").append(esc(step.name())).append("</td><td class=\"").append(esc(step.status()))
          .append("\">").append(esc(step.status())).append("</td><td>").append(seconds(step.durationMs()))
          .append("</td><td>").append(passed).append("/").append(step.assertions().size()).append("</td><td>")
          .append(m.getValue("request_count") instanceof Number n ? n : 0).append("</td><td>").append(fmt(number(m, "error_rate")))
          .append("</td><td>").append("<span class=\"bar\" style=\"width:").append(worst == 0 || avg == null ? 0 : (int) (avg / worst * 120))
          .append("px\"></span> ").append(fmt(avg)).append("</td><td>").append(fmt(number(m, "p99_latency"))).append("</td></tr>");
    }
    html.append("</table>");
    // what made a step fail: its error and each failed assertion's finding ("0/1" alone said nothing of why)
    StringBuilder why = new StringBuilder();
    for (StepResult step : report.steps()) {
      if (!List.of("failed", "stopped", "aborted").contains(step.status())) {
        continue; // a skipped branch says why it was skipped ("condition not met"): no failure
      }
      List<String> reasons = new java.util.ArrayList<>();
      if (step.error() != null) {
        reasons.add(step.error());
      }
      step.assertions().stream().filter(a -> !a.passed()).forEach(a -> reasons.add(a.type() + ": " + a.message()));
      if (!reasons.isEmpty()) {
        why.append("<li><b>").append(esc(step.name())).append("</b>")
            .append(report.iterations() > 1 ? " (iteration " + step.iteration() + ")" : "").append(": ")
            .append(esc(String.join("; ", reasons))).append("</li>");
      }
    }
    if (!why.isEmpty()) {
      html.append("<h2>Why steps failed or were cut short</h2><ul>").append(why).append("</ul>");
    }
    // the run's own assertions decide whether it passed: a failed one made the run "failed" with no step to show why
    if (!report.assertions().isEmpty()) {
      html.append("<h2>Assertions over the run</h2><table><tr><th>assertion</th><th>result</th><th>what was found</th></tr>");
      for (AssertionResult a : report.assertions()) {
        String result = a.passed() ? "succeeded" : "failed";
        html.append("<tr><td>").append(esc(a.type())).append("</td><td class=\"").append(result).append("\">")
            .append(a.passed() ? "passed" : "failed").append("</td><td>").append(esc(String.valueOf(a.message()))).append("</td></tr>");
      }
      html.append("</table>");
    }
    if (!report.customMetrics().isEmpty()) { // what the run's record_metric actions recorded
      html.append("<h2>Custom metrics</h2><table><tr><th>metric</th><th>value</th></tr>");
      report.customMetrics().forEach((name, value) -> html.append("<tr><td>").append(esc(name)).append("</td><td>")
          .append(value == null || !Double.isFinite(value) ? String.valueOf(value)
              : java.math.BigDecimal.valueOf(value).stripTrailingZeros().toPlainString()).append("</td></tr>"));
      html.append("</table>");
    }
    html.append("<h2>Metrics over the run</h2><pre>").append(esc(report.metrics().encodePrettily()))
        .append("</pre><h2>Variables</h2><pre>").append(esc(report.variables().encodePrettily()))
        .append("</pre><h2>Errors</h2><pre>").append(esc(String.join("\n", report.errors())));
    if (!report.warnings().isEmpty()) {
      html.append("</pre><h2>Warnings</h2><pre>").append(esc(String.join("\n", report.warnings())));
    }
    html.append("</pre></body></html>\n");
    return html.toString();
  }

  /** A metric's value; null when it was not measured (a step without requests has no rate or latency). */
  private static Double number(JsonObject metrics, String name) {
    return metrics.getValue(name) instanceof Number n ? n.doubleValue() : null;
  }

  private static String seconds(long ms) {
    return String.format(Locale.ROOT, "%.3f", ms / 1000.0);
  }

  private static String fmt(Double d) {
    return d == null ? "–" : String.format(Locale.ROOT, "%.3f", d);
  }

  /**
   * Text for XML and HTML: markup escaped, and the control characters XML 1.0 cannot carry at all (a name
   * with U+0001 made the whole JUnit file unreadable to every parser) shown as U+FFFD.
   */
  private static String esc(String s) {
    if (s == null) {
      return "";
    }
    // tab and line ends as references: in an attribute a parser would otherwise read them as spaces
    String text = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
        .replace("\t", "&#9;").replace("\n", "&#10;").replace("\r", "&#13;");
    return NOT_XML.matcher(text).replaceAll("\uFFFD");
  }

  /** What XML 1.0 allows no document to contain (section 2.2): C0 controls but tab, LF and CR; surrogates alone; U+FFFE, U+FFFF. */
  private static final java.util.regex.Pattern NOT_XML =
      java.util.regex.Pattern.compile("[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\uFFFE\\uFFFF]|[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]");
}
