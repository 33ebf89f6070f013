package io.faultline.history.runs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Text a spreadsheet would run as a formula is made inert; the rest is left as it is. */
class CsvTest {

  @Test
  void formulasAndTheControlCharactersBeforeThemGetAnApostrophe() {
    assertThat(Csv.text("=2+2")).isEqualTo("'=2+2");
    assertThat(Csv.text("@SUM(A1)")).isEqualTo("'@SUM(A1)");
    // OWASP's CSV injection list: a tab or carriage return first is read past by some spreadsheets
    assertThat(Csv.text("\t=2+2")).isEqualTo("'\t=2+2");
    assertThat(Csv.text("\r=2+2")).isEqualTo("\"'\r=2+2\"");
    assertThat(Csv.text("checkout_flow")).isEqualTo("checkout_flow");
    assertThat(Csv.text("a,b \"c\"")).isEqualTo("\"a,b \"\"c\"\"\"");
  }

  @Test
  void everyTagIsMadeInertForSpreadsheetsThatSplitOnSemicolons() {
    io.vertx.core.json.JsonObject run = new io.vertx.core.json.JsonObject().put("id", "r1").put("name", "n").put("status", "succeeded")
        .put("started_at", 0L).put("ended_at", 1000L).put("tags", new io.vertx.core.json.JsonArray().add("ci").add("=HYPERLINK(1)").add("-2"));
    String row = Csv.runs(java.util.List.of(run)).split("\r\n")[1];
    assertThat(row).endsWith(",\"ci;'=HYPERLINK(1);'-2\"");
    run.put("tags", new io.vertx.core.json.JsonArray().add("t;1").add("t,2").add("a\\b"));
    assertThat(Csv.runs(java.util.List.of(run)).split("\r\n")[1]).as("three tags, not four").endsWith(",\"t\\;1;t,2;a\\\\b\"");
    // a ';' inside a tag or a name, before a formula: split there (ignoring quotes), the next cell was a live formula
    run.put("name", "a;=1+1").put("tags", new io.vertx.core.json.JsonArray().add("x;=HYPERLINK(1)").add("y;@z"));
    String split = Csv.runs(java.util.List.of(run)).split("\r\n")[1];
    for (String cell : split.replace("\"", "").split("[;,]")) {
      assertThat(cell).as(split).doesNotStartWith("=").doesNotStartWith("@").doesNotStartWith("+").doesNotStartWith("-");
    }
    assertThat(split).contains("x\\;'=HYPERLINK(1);y\\;'@z");
  }
}
