package io.faultline.orchestration;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Locale;

/** A run report as JUnit XML (each step a test case, for CI systems) and as a self-contained HTML page. */
public final class ReportFormats {

  private ReportFormats() {
  }

  public static String junit(JsonObject report) {
    JsonArray steps = report.getJsonArray("steps");
    long failures = steps.stream().filter(s -> "failed".equals(((JsonObject) s).getString("status"))).count();
    long skipped = steps.stream().filter(s -> "skipped".equals(((JsonObject) s).getString("status"))).count();
    StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    xml.append("<testsuite name=\"").append(esc(report.getString("name"))).append("\" tests=\"").append(steps.size())
        .append("\" failures=\"").append(failures).append("\" skipped=\"").append(skipped).append("\" time=\"")
        .append(seconds(report.getLong("duration_ms"))).append("\" timestamp=\"")
        .append(Instant.ofEpochMilli(report.getLong("started_at"))).append("\">\n");
    for (Object o : steps) {
      JsonObject step = (JsonObject) o;
      xml.append("  <testcase classname=\"").append(esc(report.getString("name"))).append("\" name=\"")
          .append(esc(step.getString("name") + (report.getInteger("iterations", 1) > 1 ? " #" + step.getInteger("iteration") : "")))
          .append("\" time=\"").append(seconds(step.getLong("duration_ms", 0L))).append("\">");
      if ("failed".equals(step.getString("status"))) {
        xml.append("<failure message=\"").append(esc(String.valueOf(step.getString("error")))).append("\">")
            .append(esc(step.getJsonArray("assertions").encodePrettily())).append("</failure>");
      } else if ("skipped".equals(step.getString("status"))) {
        xml.append("<skipped message=\"").append(esc(String.valueOf(step.getString("error")))).append("\"/>");
      }
      xml.append("<system-out>").append(esc(step.getJsonObject("metrics").encode())).append("</system-out></testcase>\n");
    }
    xml.append("</testsuite>\n");
    return xml.toString();
  }

  public static String html(JsonObject report) {
    StringBuilder html = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>")
        .append(esc(report.getString("name"))).append(" — Faultline report</title><style>")
        .append("body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}")
        .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}.succeeded{color:#17803d}.failed,.aborted{color:#b42318}")
        .append(".skipped,.stopped{color:#777}.bar{display:inline-block;height:10px;background:#4f6bed;vertical-align:middle}")
        .append("</style></head><body><h1>").append(esc(report.getString("name"))).append("</h1>")
        .append("<p class=\"").append(esc(report.getString("status"))).append("\"><b>").append(esc(report.getString("status")))
        .append("</b> · started ").append(Instant.ofEpochMilli(report.getLong("started_at")))
        .append(" · ended ").append(Instant.ofEpochMilli(report.getLong("ended_at")))
        .append(" · ").append(seconds(report.getLong("duration_ms"))).append(" s · iterations ")
        .append(report.getInteger("iterations")).append("</p><h2>Steps</h2><table><tr><th>step</th><th>status</th>")
        .append("<th>duration (s)</th><th>assertions</th><th>requests</th><th>error rate</th><th>avg latency (ms)</th><th>p99 (ms)</th></tr>");
    double worst = report.getJsonArray("steps").stream()
        .mapToDouble(o -> ((JsonObject) o).getJsonObject("metrics").getDouble("avg_latency", 0.0)).max().orElse(0);
    for (Object o : report.getJsonArray("steps")) {
      JsonObject step = (JsonObject) o;
      JsonObject m = step.getJsonObject("metrics");
      JsonArray assertions = step.getJsonArray("assertions");
      long passed = assertions.stream().filter(a -> ((JsonObject) a).getBoolean("passed")).count();
      double avg = m.getDouble("avg_latency", 0.0);
      html.append("<tr><td>").append(esc(step.getString("name"))).append("</td><td class=\"").append(esc(step.getString("status")))
          .append("\">").append(esc(step.getString("status"))).append("</td><td>").append(seconds(step.getLong("duration_ms", 0L)))
          .append("</td><td>").append(passed).append("/").append(assertions.size()).append("</td><td>")
          .append(m.getValue("request_count", 0)).append("</td><td>").append(fmt(m.getDouble("error_rate", 0.0))).append("</td><td>")
          .append("<span class=\"bar\" style=\"width:").append(worst == 0 ? 0 : (int) (avg / worst * 120)).append("px\"></span> ")
          .append(fmt(avg)).append("</td><td>").append(fmt(m.getDouble("p99_latency", 0.0))).append("</td></tr>");
    }
    html.append("</table><h2>Metrics over the run</h2><pre>").append(esc(report.getJsonObject("metrics").encodePrettily()))
        .append("</pre><h2>Variables</h2><pre>").append(esc(report.getJsonObject("variables").encodePrettily()))
        .append("</pre><h2>Errors</h2><pre>").append(esc(String.join("\n", report.getJsonArray("errors").stream().map(String::valueOf).toList())))
        .append("</pre></body></html>\n");
    return html.toString();
  }

  private static String seconds(long ms) {
    return String.format(Locale.ROOT, "%.3f", ms / 1000.0);
  }

  private static String fmt(double d) {
    return String.format(Locale.ROOT, "%.3f", d);
  }

  private static String esc(String s) {
    return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
