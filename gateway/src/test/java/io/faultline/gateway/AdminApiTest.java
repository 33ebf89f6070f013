package io.faultline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.gateway.config.Flag;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The REST API of a real node, checked through what the traffic listener then does. */
class AdminApiTest {

  /**
   * Vert.x's own refusals (a malformed escape in the path or the query string) come in JSON, as every other error does: they
   * came as plain text, logged as errors. HEAD /health answers as GET does (it fell to the token's 401, or a 405).
   */
  @Test
  void malformedEscapesAreAnsweredInJsonAndHeadReadsHealth() {
    try (GatewayFixture gw = new GatewayFixture(Map.of(io.faultline.gateway.config.Flag.ADMIN_TOKEN, "s3cret"))) {
      for (String uri : List.of("/api/chaos/enable?%ZZ", "/api/chaos/rules/%ZZ")) {
        HttpResponse<Buffer> refused = gw.client.request(uri.contains("rules") ? HttpMethod.DELETE : HttpMethod.POST,
            gw.gateway.adminPort(), "127.0.0.1", uri).putHeader("Authorization", "Bearer s3cret").send().await();
        assertThat(refused.statusCode()).as(uri).isEqualTo(400);
        assertThat(refused.getHeader("Content-Type")).as(uri).startsWith("application/json");
        assertThat(refused.bodyAsJsonObject().getString("error")).as(uri).startsWith("malformed request");
      }
      HttpResponse<Buffer> head = gw.client.request(HttpMethod.HEAD, gw.gateway.adminPort(), "127.0.0.1", "/health").send().await();
      assertThat(head.statusCode()).isEqualTo(200);
    }
  }

  @Test
  void enableSetSectionAndDisableChangeTheTraffic() {
    try (GatewayFixture gw = new GatewayFixture(Map.of())) {
      assertThat(gw.get("/health").bodyAsJsonObject().getString("status")).isEqualTo("UP");
      assertThat(gw.status().getBoolean("enabled")).isFalse();
      HttpResponse<Buffer> set = gw.put("/api/chaos/config/fault_injection", "{\"http_errors\": [503], \"http_error_probability\": 1.0}");
      assertThat(set.statusCode()).isEqualTo(200);
      assertThat(gw.traffic("/x").statusCode()).as("set but not enabled").isEqualTo(200);
      assertThat(gw.post("/api/chaos/enable").bodyAsJsonObject().getJsonArray("active_faults")).contains("http_error");
      assertThat(gw.post("/api/chaos/disable").bodyAsJsonObject().getJsonArray("active_faults")).as("none in effect while chaos is off").isEmpty();
      assertThat(gw.post("/api/chaos/enable").bodyAsJsonObject().getJsonArray("active_faults")).contains("http_error");
      assertThat(gw.traffic("/x").statusCode()).isEqualTo(503);
      assertThat(gw.get("/api/chaos/config/fault_injection").bodyAsJsonObject().getDouble("http_error_probability")).isEqualTo(1.0);
      gw.post("/api/chaos/disable");
      assertThat(gw.traffic("/x").statusCode()).isEqualTo(200);
    }
  }

  /**
   * With history switched off, the flight recorder and analytics, which live with it, say so: they answered "nothing
   * answers /api/recorder/search on this node", with nothing to say why or what to change.
   */
  @Test
  void withHistoryOffItsPartsSaySo(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("faultline.yaml"), "history:\n  enabled: false\n");
    try (GatewayFixture gw = new GatewayFixture(file, Map.of())) {
      for (HttpResponse<Buffer> answer : java.util.List.of(gw.postJson("/api/recorder/search", "{}"), gw.get("/api/analytics/health"),
          gw.get("/api/history/runs"))) {
        assertThat(answer.statusCode()).isEqualTo(503);
        assertThat(answer.bodyAsJsonObject().getString("error")).startsWith("history is off on this node (history.enabled: false)");
        assertThat(answer.bodyAsJsonObject().getString("field")).isEqualTo("history.enabled");
      }
      // and over GraphQL, as a code a client retries or reports: it was INTERNAL_SERVER_ERROR, "No handlers for address ..."
      io.vertx.core.json.JsonObject graphQl = gw.admin(io.vertx.core.http.HttpMethod.POST, "/graphql").putHeader("Content-Type", "application/json")
          .sendBuffer(Buffer.buffer("{\"query\": \"{ historyRuns }\"}")).await().bodyAsJsonObject();
      io.vertx.core.json.JsonObject error = graphQl.getJsonArray("errors").getJsonObject(0);
      assertThat(error.getString("message")).as(graphQl.encode()).startsWith("history is off on this node (history.enabled: false)");
      assertThat(error.getJsonObject("extensions").getString("code")).isEqualTo("SERVICE_UNAVAILABLE");
      assertThat(error.getJsonObject("extensions").getString("field")).isEqualTo("history.enabled");
    }
  }

  /** Connection shaping alone is in effect too: status said no active fault while it refused connections. */
  @Test
  void connectionShapingAloneIsShownActive() {
    try (GatewayFixture gw = new GatewayFixture(Map.of())) {
      assertThat(gw.put("/api/chaos/config", "{\"enabled\": true, \"traffic_shaping\": {\"max_connections\": 50,"
          + " \"connection_timeout_ms\": 60000}}").statusCode()).isEqualTo(200);
      assertThat(gw.status().getJsonArray("active_faults")).containsExactly("max_connections", "connection_timeout");
      gw.post("/api/chaos/disable");
      assertThat(gw.status().getJsonArray("active_faults")).isEmpty();
    }
  }

  @Test
  void clearingASectionTakesOnlyThatSectionAndRefusesWhatItCannotClear() {
    try (GatewayFixture gw = new GatewayFixture(Map.of())) {
      gw.put("/api/chaos/config/latency", "{\"fixed_delay_ms\": 5}");
      gw.put("/api/chaos/config/rate_limit", "{\"requests_per_second\": 50}");
      HttpResponse<Buffer> cleared = gw.admin(io.vertx.core.http.HttpMethod.DELETE, "/api/chaos/config/latency").send().await();
      assertThat(cleared.statusCode()).isEqualTo(200);
      assertThat(gw.status().getJsonObject("config").containsKey("latency")).isFalse();
      assertThat(gw.status().getJsonObject("config").containsKey("rate_limit")).isTrue();
      HttpResponse<Buffer> unknown = gw.admin(io.vertx.core.http.HttpMethod.DELETE, "/api/chaos/config/latencyy").send().await();
      assertThat(unknown.statusCode()).isEqualTo(404);
      assertThat(unknown.bodyAsJsonObject().getString("field")).isEqualTo("section");
      HttpResponse<Buffer> withBody = gw.admin(io.vertx.core.http.HttpMethod.DELETE, "/api/chaos/config/rate_limit")
          .sendBuffer(Buffer.buffer("{\"requests_per_second\": 1}")).await();
      assertThat(withBody.statusCode()).isEqualTo(400);
      assertThat(withBody.bodyAsJsonObject().getString("field")).isEqualTo("body");
      assertThat(gw.status().getJsonObject("config").containsKey("rate_limit")).as("nothing half-applied").isTrue();
    }
  }

  @Test
  void whatAScriptGetsWrongIsRefusedNamingItNotIgnored() {
    try (GatewayFixture gw = new GatewayFixture(Map.of())) {
      // a body where none is taken was ignored: {"enabled": false} switched chaos on, a duration ran for ever
      HttpResponse<Buffer> enable = gw.postJson("/api/chaos/enable", "{\"enabled\": false}");
      assertThat(enable.statusCode()).isEqualTo(400);
      assertThat(enable.bodyAsJsonObject().getString("error")).startsWith("POST /api/chaos/enable takes no body");
      assertThat(gw.status().getBoolean("enabled")).isFalse();
      HttpResponse<Buffer> start = gw.postJson("/api/chaos/scenarios/teapot", "{\"duration_seconds\": 5}");
      assertThat(start.statusCode()).isEqualTo(400);
      assertThat(start.bodyAsJsonObject().getString("error")).contains("a scenario runs until POST /api/chaos/scenarios/stop");
      assertThat(gw.status().getValue("scenario")).isNull();
      assertThat(gw.postJson("/api/chaos/enable", "{ }").statusCode()).as("{} is nothing").isEqualTo(200);
      assertThat(gw.post("/api/chaos/disable").statusCode()).isEqualTo(200);
      // a rule PUT on a mistyped name is 404, not "a rule named b exists already"
      gw.postJson("/api/chaos/rules", "{\"name\": \"a\", \"latency\": {\"fixed_delay_ms\": 5}}");
      gw.postJson("/api/chaos/rules", "{\"name\": \"b\", \"latency\": {\"fixed_delay_ms\": 5}}");
      HttpResponse<Buffer> mistyped = gw.put("/api/chaos/rules/zzz", "{\"name\": \"b\", \"latency\": {\"fixed_delay_ms\": 5}}");
      assertThat(mistyped.statusCode()).isEqualTo(404);
      assertThat(mistyped.bodyAsJsonObject().getString("error")).isEqualTo("no rule named zzz");
      // an empty glob matched nothing: the rule was silently dead
      HttpResponse<Buffer> empty = gw.postJson("/api/chaos/rules", "{\"name\": \"h\", \"match\": {\"host\": \"\"}, \"latency\": {\"fixed_delay_ms\": 400}}");
      assertThat(empty.statusCode()).isEqualTo(400);
      assertThat(empty.bodyAsJsonObject().getString("field")).endsWith("host");
      // task: is the tasks' items' prefix: a user's rule of that name kept chaos on at every run's end
      HttpResponse<Buffer> taskLike = gw.postJson("/api/chaos/rules", "{\"name\": \"task:x:0\", \"latency\": {\"fixed_delay_ms\": 5}}");
      assertThat(taskLike.statusCode()).isEqualTo(400);
      assertThat(taskLike.bodyAsJsonObject().getString("field")).isEqualTo("name");
      assertThat(taskLike.bodyAsJsonObject().getString("error")).isEqualTo("names starting task: are distributed tasks' items' rules,"
          + " put and removed by their tasks: choose another name, got task:x:0");
      HttpResponse<Buffer> renamed = gw.put("/api/chaos/rules/a", "{\"name\": \"task:x:0\", \"latency\": {\"fixed_delay_ms\": 5}}");
      assertThat(renamed.statusCode()).isEqualTo(400);
      assertThat(renamed.bodyAsJsonObject().getString("field")).isEqualTo("rule.name");
      // and in a whole config: a PUT of the config took it
      HttpResponse<Buffer> inWhole = gw.put("/api/chaos/config", "{\"rules\": [{\"name\": \"a\", \"latency\": {\"fixed_delay_ms\": 5}},"
          + " {\"name\": \"task:x:0\", \"latency\": {\"fixed_delay_ms\": 5}}]}");
      assertThat(inWhole.statusCode()).isEqualTo(400);
      assertThat(inWhole.bodyAsJsonObject().getString("field")).isEqualTo("rules[1].name");
      assertThat(gw.get("/api/chaos/rules").bodyAsJsonObject().getJsonArray("rules").stream().map(r -> ((JsonObject) r).getString("name")))
          .doesNotContain("task:x:0");
      // the section form with one key too many was read as a whole config, and the error listed its fields
      HttpResponse<Buffer> section = gw.put("/api/chaos/config", "{\"section\": \"latency\", \"config\": {\"fixed_delay_ms\": 5}, \"extra\": 1}");
      assertThat(section.statusCode()).isEqualTo(400);
      assertThat(section.bodyAsJsonObject().getString("field")).isEqualTo("extra");
      assertThat(section.bodyAsJsonObject().getString("error")).contains("takes those two only");
      // the faults of rules are in effect too
      gw.post("/api/chaos/enable");
      assertThat(gw.status().getJsonArray("active_faults")).containsExactly("latency");
    }
  }

  @Test
  void everyChangeIsLoggedWithWhatChangedAndWhereFrom() {
    try (GatewayFixture gw = new GatewayFixture(Map.of())) {
      gw.put("/api/chaos/config/latency", "{\"fixed_delay_ms\": 25}");
      gw.admin(HttpMethod.POST, "/api/chaos/enable").putHeader("X-Faultline-Source", "console").send().await();
      gw.admin(HttpMethod.POST, "/graphql").sendJsonObject(new JsonObject().put("query", "mutation { disable { enabled } }")).await();
      gw.admin(HttpMethod.POST, "/api/chaos/reset").putHeader("X-Faultline-Source", "forged").send().await();
      var changes = gw.get("/api/chaos/changes?limit=10").bodyAsJsonObject().getJsonArray("changes");
      assertThat(changes).hasSize(4);
      JsonObject set = changes.getJsonObject(3);
      assertThat(set.getString("source")).isEqualTo("rest");
      assertThat(set.getString("address")).isEqualTo("faultline.chaos.set");
      assertThat(set.getJsonArray("diff").stream().map(d -> ((JsonObject) d).getMap()))
          .anySatisfy(d -> assertThat(d).containsEntry("path", "latency.fixed_delay_ms").containsEntry("to", 25));
      assertThat(changes.getJsonObject(2).getString("source")).isEqualTo("console");
      assertThat(changes.getJsonObject(2).getJsonArray("diff").getJsonObject(0).getMap())
          .containsEntry("path", "enabled").containsEntry("from", false).containsEntry("to", true);
      assertThat(changes.getJsonObject(1).getString("source")).isEqualTo("graphql");
      assertThat(changes.getJsonObject(0).getString("source")).as("only cli and console may name themselves").isEqualTo("rest");
      assertThat(changes.getJsonObject(0).getString("node")).isEqualTo(gw.gateway.nodeId());
      assertThat(gw.get("/api/chaos/changes?limit=0").statusCode()).isEqualTo(400);
      assertThat(gw.get("/api/chaos/changes?limit=x").bodyAsJsonObject().getString("field")).isEqualTo("limit");
    }
  }

  @Test
  void aRuleIsReplacedInItsPlaceAndAnActiveScenarioIsNotDeleted() {
    try (GatewayFixture gw = new GatewayFixture(Map.of())) {
      gw.postJson("/api/chaos/rules", "{\"name\": \"a\", \"match\": {\"path\": \"/a\"}}");
      gw.postJson("/api/chaos/rules", "{\"name\": \"b\", \"match\": {\"path\": \"/\"}}");
      assertThat(gw.put("/api/chaos/rules/a", "{\"name\": \"a2\", \"match\": {\"path\": \"/a\"}}").statusCode()).isEqualTo(200);
      assertThat(gw.get("/api/chaos/rules").bodyAsJsonObject().getJsonArray("rules").stream()
          .map(r -> ((JsonObject) r).getString("name")).toList()).containsExactly("a2", "b");
      HttpResponse<Buffer> one = gw.get("/api/chaos/rules/a2");
      assertThat(one.statusCode()).isEqualTo(200);
      assertThat(one.bodyAsJsonObject().getJsonObject("match").getString("path")).isEqualTo("/a");
      HttpResponse<Buffer> none = gw.get("/api/chaos/rules/a");
      assertThat(none.statusCode()).as("the old name is gone").isEqualTo(404);
      assertThat(none.bodyAsJsonObject().getString("error")).isEqualTo("no rule named a");
      var missing = gw.put("/api/chaos/rules/nope", "{\"name\": \"x\"}");
      assertThat(missing.statusCode()).isEqualTo(404);
      assertThat(missing.bodyAsJsonObject().getString("error")).isEqualTo("no rule named nope");
      var clash = gw.put("/api/chaos/rules/a2", "{\"name\": \"b\"}");
      assertThat(clash.statusCode()).isEqualTo(400);
      assertThat(clash.bodyAsJsonObject().getString("field")).isEqualTo("name");
      assertThat(gw.get("/api/chaos/rules").bodyAsJsonObject().getJsonArray("rules")).as("nothing changed").hasSize(2);

      gw.postJson("/api/chaos/scenarios", "{\"name\": \"mine\", \"config\": {\"latency\": {\"fixed_delay_ms\": 5}}}");
      gw.post("/api/chaos/scenarios/mine");
      var active = gw.admin(HttpMethod.DELETE, "/api/chaos/scenarios/mine").send().await();
      assertThat(active.statusCode()).isEqualTo(409);
      assertThat(active.bodyAsJsonObject().getString("error")).isEqualTo("scenario mine is active: stop it first");
      gw.post("/api/chaos/scenarios/stop");
      assertThat(gw.admin(HttpMethod.DELETE, "/api/chaos/scenarios/mine").send().await().statusCode()).isEqualTo(200);
    }
  }

  @Test
  void theKillSwitchReleasesRequestsHeldByALatencyOrATimeoutAtOnce() throws Exception {
    try (GatewayFixture gw = new GatewayFixture(Map.of())) {
      gw.put("/api/chaos/config", "{\"enabled\": true, \"rules\": [{\"name\": \"slow\", \"match\": {\"path\": \"/slow\"},"
          + " \"latency\": {\"fixed_delay_ms\": 30000}}, {\"name\": \"hang\", \"match\": {\"path\": \"/hang\"},"
          + " \"fault_injection\": {\"timeout_probability\": 1, \"timeout_ms\": 30000}}]}");
      int before = gw.upstream.hits().get();
      var slow = gw.client.get(gw.gateway.listenerPort("web"), "127.0.0.1", "/slow").send();
      var hung = gw.client.get(gw.gateway.listenerPort("web"), "127.0.0.1", "/hang").send();
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
      while (!gw.get("/metrics").bodyAsString().contains("type=\"timeout\"} 1.0") && System.nanoTime() < deadline) {
        Thread.sleep(20); // until both are held: the timeout's fault is counted when its hold begins
      }
      assertThat(gw.upstream.hits().get()).as("both held, neither sent").isEqualTo(before);
      long off = System.nanoTime();
      gw.post("/api/chaos/disable");
      assertThat(slow.await(5, java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      assertThat(hung.await(5, java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      // a bound, not a measurement: the holds had 30 s to go
      assertThat(System.nanoTime() - off).isLessThan(java.util.concurrent.TimeUnit.SECONDS.toNanos(5));
      assertThat(gw.upstream.hits().get()).as("released to the upstream").isEqualTo(before + 2);
    }
  }

  @Test
  void invalidBodiesGet400NamingTheFieldAndChangeNothing() {
    try (GatewayFixture gw = new GatewayFixture(Map.of(Flag.CHAOS_LATENCY_MS, "10"))) {
      long version = gw.status().getLong("version");
      HttpResponse<Buffer> range = gw.put("/api/chaos/config/latency", "{\"probability\": 1.5}");
      assertThat(range.statusCode()).isEqualTo(400);
      assertThat(range.bodyAsJsonObject().getString("field")).isEqualTo("latency.probability");
      assertThat(range.bodyAsJsonObject().getString("error")).contains("between 0 and 1");
      HttpResponse<Buffer> unknown = gw.put("/api/chaos/config", "{\"enabled\": true, \"latencyy\": {}}");
      assertThat(unknown.statusCode()).isEqualTo(400);
      assertThat(unknown.bodyAsJsonObject().getString("field")).isEqualTo("latencyy");
      HttpResponse<Buffer> malformed = gw.put("/api/chaos/config", "{\"enabled\": tru");
      assertThat(malformed.statusCode()).isEqualTo(400);
      assertThat(malformed.bodyAsJsonObject().getString("error")).contains("malformed JSON");
      // where it went wrong, in the parser's words but without its dump of the source
      HttpResponse<Buffer> secondLine = gw.put("/api/chaos/config", "{\"enabled\": true,\n  \"latency\": {fixed_delay_ms: 5}}");
      assertThat(secondLine.bodyAsJsonObject().getString("error"))
          .startsWith("malformed JSON at line 2, column 15: Unexpected character ('f' (code 102)): was expecting double-quote");
      // a second document after the first is not ignored: {"fixed_delay_ms": 3}{"fixed_delay_ms": -4} is not a delay of 3
      for (String trailing : java.util.List.of("{\"fixed_delay_ms\": 3} xyz", "{\"fixed_delay_ms\": 3}{\"fixed_delay_ms\": -4}")) {
        HttpResponse<Buffer> twice = gw.put("/api/chaos/config/latency", trailing);
        assertThat(twice.statusCode()).as(trailing).isEqualTo(400);
        assertThat(twice.bodyAsJsonObject().getString("error")).as(trailing).contains("malformed JSON");
        assertThat(twice.bodyAsJsonObject().getString("error")).as(trailing).doesNotContain("jackson").doesNotContain("Source");
      }
      HttpResponse<Buffer> notAnObject = gw.put("/api/chaos/config", "[1, 2]");
      assertThat(notAnObject.statusCode()).isEqualTo(400);
      HttpResponse<Buffer> huge = gw.put("/api/chaos/config", "{\"x\": \"" + "a".repeat(5 * 1024 * 1024) + "\"}");
      assertThat(huge.statusCode()).isEqualTo(413);
      assertThat(gw.put("/api/chaos/config/nope", "{}").statusCode()).isEqualTo(404);
      JsonObject after = gw.status();
      assertThat(after.getLong("version")).as("nothing was applied").isEqualTo(version);
      assertThat(after.getJsonObject("config").getJsonObject("latency").getLong("fixed_delay_ms")).isEqualTo(10);
    }
  }

  /** A call that would ignore part of what it was given (a misspelt parameter, a body) is refused naming it. */
  @Test
  void whatAControlCallWouldIgnoreIsRefusedNamingIt() {
    try (GatewayFixture gw = new GatewayFixture(Map.of())) {
      var added = gw.postJson("/api/listeners", "{\"name\": \"extra\", \"protocol\": \"http\", \"port\": 0,"
          + " \"upstream\": \"http://127.0.0.1:1\"}");
      assertThat(added.statusCode()).as(added.bodyAsString()).isEqualTo(201);
      // a misspelt grace_ms removed the listener at once, cutting what it was asked to let finish
      HttpResponse<Buffer> misspelt = gw.admin(HttpMethod.DELETE, "/api/listeners/extra?gracems=100").send().await();
      assertThat(misspelt.statusCode()).isEqualTo(400);
      assertThat(misspelt.bodyAsJsonObject().getString("field")).isEqualTo("gracems");
      HttpResponse<Buffer> twice = gw.admin(HttpMethod.DELETE, "/api/listeners/extra?grace_ms=1&grace_ms=5000").send().await();
      assertThat(twice.statusCode()).isEqualTo(400);
      assertThat(twice.bodyAsJsonObject().getString("field")).isEqualTo("grace_ms");
      // the path names the listener: a second name in the query was dropped, and the path's listener removed
      HttpResponse<Buffer> named = gw.admin(HttpMethod.DELETE, "/api/listeners/extra?name=web").send().await();
      assertThat(named.statusCode()).isEqualTo(400);
      assertThat(named.bodyAsJsonObject().getString("field")).isEqualTo("name");
      assertThat(gw.get("/api/listeners").bodyAsString()).as("still there").contains("\"extra\"");
      assertThat(gw.admin(HttpMethod.DELETE, "/api/listeners/extra?grace_ms=10").send().await().statusCode()).isEqualTo(200);

      gw.postJson("/api/chaos/rules", "{\"name\": \"a\", \"match\": {\"path\": \"/a\"}}");
      HttpResponse<Buffer> ruleBody = gw.admin(HttpMethod.DELETE, "/api/chaos/rules/a").sendBuffer(Buffer.buffer("{\"force\": true}")).await();
      assertThat(ruleBody.statusCode()).isEqualTo(400);
      assertThat(ruleBody.bodyAsJsonObject().getString("field")).isEqualTo("body");
      assertThat(gw.get("/api/chaos/rules/a").statusCode()).as("not removed").isEqualTo(200);
      HttpResponse<Buffer> duration = gw.post("/api/chaos/scenarios/slow_backend?duration_seconds=5");
      assertThat(duration.statusCode()).isEqualTo(400);
      assertThat(duration.bodyAsJsonObject().getString("field")).isEqualTo("duration_seconds");
      assertThat(gw.status().getString("scenario")).as("not started").isNull();

      // a call with a body took any query and applied the change: a dry_run=true was a real change
      HttpResponse<Buffer> dryRun = gw.admin(HttpMethod.PUT, "/api/chaos/config/latency?dry_run=true")
          .sendBuffer(Buffer.buffer("{\"fixed_delay_ms\": 777}")).await();
      assertThat(dryRun.statusCode()).isEqualTo(400);
      assertThat(dryRun.bodyAsJsonObject().getString("field")).isEqualTo("dry_run");
      assertThat(gw.get("/api/chaos/config/latency").bodyAsString()).as("not applied").doesNotContain("777");
      HttpResponse<Buffer> ruleQuery = gw.admin(HttpMethod.POST, "/api/chaos/rules?dry_run=true")
          .sendBuffer(Buffer.buffer("{\"name\": \"dry\"}")).await();
      assertThat(ruleQuery.statusCode()).isEqualTo(400);
      assertThat(gw.get("/api/chaos/rules/dry").statusCode()).as("not added").isEqualTo(404);
      // the library: an entry stored under the file's own name while ?name= said another, and a delete that took a body
      HttpResponse<Buffer> named2 = gw.admin(HttpMethod.POST, "/api/chaos/orchestration/library?name=mine")
          .sendBuffer(Buffer.buffer("name: o9\nsteps:\n  - {name: a, scenario: slow_backend, duration_seconds: 1}\n")).await();
      assertThat(named2.statusCode()).isEqualTo(400);
      assertThat(named2.bodyAsJsonObject().getString("field")).isEqualTo("name");
      assertThat(gw.get("/api/chaos/orchestration/library/o9").statusCode()).as("not stored").isEqualTo(404);
      HttpResponse<Buffer> deleteQuery = gw.admin(HttpMethod.DELETE, "/api/chaos/orchestration/library/o9?dry_run=true").send().await();
      assertThat(deleteQuery.statusCode()).isEqualTo(400);
      assertThat(deleteQuery.bodyAsJsonObject().getString("field")).isEqualTo("dry_run");
      // a repeated variable is refused, as every other JSON here (the last was taken: a delay of 900 ms, not 100)
      HttpResponse<Buffer> repeated = gw.admin(HttpMethod.POST, "/api/chaos/orchestration/start?variables="
          + java.net.URLEncoder.encode("{\"delay\": 100, \"delay\": 900}", java.nio.charset.StandardCharsets.UTF_8))
          .sendBuffer(Buffer.buffer("name: v\nsteps:\n  - {name: a, scenario: slow_backend, duration_seconds: 0.2}\n")).await();
      assertThat(repeated.statusCode()).isEqualTo(400);
      assertThat(repeated.bodyAsJsonObject().getString("field")).isEqualTo("variables");
      assertThat(repeated.bodyAsJsonObject().getString("error")).contains("delay");
      // and the start still takes its ?variables=
      HttpResponse<Buffer> start = gw.admin(HttpMethod.POST, "/api/chaos/orchestration/start?variables=%7B%7D")
          .sendBuffer(Buffer.buffer("name: v\nsteps:\n  - {name: a, scenario: slow_backend, duration_seconds: 0.2}\n")).await();
      assertThat(start.statusCode()).as(start.bodyAsString()).isEqualTo(202);
    }
  }

  /** A scenario as the API answers it can be saved back, on the node or on another; the change log names it. */
  @Test
  void aScenarioAsReadCanBeSavedBackAndItsSaveIsNamedInTheChangeLog() {
    try (GatewayFixture gw = new GatewayFixture(Map.of()); GatewayFixture other = new GatewayFixture(Map.of())) {
      assertThat(gw.postJson("/api/chaos/scenarios", "{\"name\": \"t1\", \"config\": {\"latency\": {\"fixed_delay_ms\": 7}}}")
          .statusCode()).isEqualTo(201);
      String read = gw.get("/api/chaos/scenarios/t1").bodyAsString();
      HttpResponse<Buffer> copied = other.postJson("/api/chaos/scenarios", read);
      assertThat(copied.statusCode()).as(copied.bodyAsString()).isEqualTo(201);
      assertThat(other.get("/api/chaos/scenarios/t1").bodyAsJsonObject()).isEqualTo(new JsonObject(read));
      assertThat(gw.postJson("/api/chaos/scenarios", read).statusCode()).as("saved again on its own node").isEqualTo(201);
      HttpResponse<Buffer> builtIn = gw.postJson("/api/chaos/scenarios", new JsonObject(read).put("built_in", true).encode());
      assertThat(builtIn.statusCode()).isEqualTo(400);
      assertThat(builtIn.bodyAsJsonObject().getString("field")).isEqualTo("built_in");
      JsonObject saved = gw.get("/api/chaos/changes?limit=1").bodyAsJsonObject().getJsonArray("changes").getJsonObject(0);
      assertThat(saved.getString("address")).isEqualTo("faultline.scenario.save");
      assertThat(saved.getString("name")).isEqualTo("t1");
      HttpResponse<Buffer> withBody = gw.admin(HttpMethod.DELETE, "/api/chaos/scenarios/t1").sendBuffer(Buffer.buffer("{\"force\": true}")).await();
      assertThat(withBody.statusCode()).isEqualTo(400);
      assertThat(gw.admin(HttpMethod.DELETE, "/api/chaos/scenarios/t1").send().await().statusCode()).isEqualTo(200);
      JsonObject deleted = gw.get("/api/chaos/changes?limit=1").bodyAsJsonObject().getJsonArray("changes").getJsonObject(0);
      assertThat(deleted.getString("address")).isEqualTo("faultline.scenario.delete");
      assertThat(deleted.getString("name")).isEqualTo("t1");
    }
  }

  /**
   * A config read back writes every default out, about 600 bytes a rule: past 1,700 rules it outgrew the
   * 1 MiB body limit it was once under, and a script's GET, edit, PUT was refused with 413.
   */
  @Test
  void aConfigReadBackCanAlwaysBePutBack() {
    try (GatewayFixture gw = new GatewayFixture(Map.of())) {
      StringBuilder rules = new StringBuilder();
      String tail = "/" + "x".repeat(1_000); // 1,000 rules, the most a config holds, each over a KiB
      for (int i = 0; i < 1_000; i++) {
        rules.append(i == 0 ? "" : ",").append("{\"name\": \"r").append(i).append("\", \"match\": {\"path\": \"/r/")
            .append(i).append(tail).append("\"}, \"fault_injection\": {\"http_errors\": [503], \"http_error_probability\": 1.0}}");
      }
      assertThat(gw.put("/api/chaos/config", "{\"enabled\": true, \"rules\": [" + rules + "]}").statusCode()).isEqualTo(200);
      HttpResponse<Buffer> read = gw.get("/api/chaos/config");
      assertThat(read.body().length()).as("the config as read back").isGreaterThan(1024 * 1024);
      JsonObject config = read.bodyAsJsonObject();
      config.getJsonArray("rules").getJsonObject(999).getJsonObject("fault_injection").put("http_errors", List.of(502));
      HttpResponse<Buffer> back = gw.put("/api/chaos/config", config.encodePrettily());
      assertThat(back.statusCode()).as(back.bodyAsString().substring(0, Math.min(300, back.bodyAsString().length()))).isEqualTo(200);
      assertThat(gw.traffic("/r/999" + tail).statusCode()).isEqualTo(502);
      assertThat(gw.traffic("/r/0" + tail).statusCode()).isEqualTo(503);
    }
  }

  @Test
  void aStandaloneNodeSaysDistributedTasksNeedACluster() {
    try (GatewayFixture gw = new GatewayFixture(Map.of())) {
      for (var response : List.of(gw.get("/api/cluster/tasks"), gw.post("/api/cluster/tasks/t1/cancel"))) {
        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(response.bodyAsJsonObject().getString("error"))
            .isEqualTo("distributed tasks need a cluster: start the node with --cluster (a one-node cluster works)");
      }
    }
  }

  @Test
  void aJsonBodySentAsCurlsDefaultFormTypeIsReadAsJson() {
    try (GatewayFixture gw = new GatewayFixture(Map.of())) {
      // curl -d sends application/x-www-form-urlencoded; bodies over 1 KiB were refused with a bare "Bad Request"
      String rule = "{\"name\": \"big\", \"match\": {\"path\": \"/" + "a".repeat(2_000) + "\"}, \"latency\": {\"fixed_delay_ms\": 5}}";
      HttpResponse<Buffer> put = gw.admin(HttpMethod.POST, "/api/chaos/rules")
          .putHeader("Content-Type", "application/x-www-form-urlencoded").sendBuffer(Buffer.buffer(rule)).await();
      assertThat(put.statusCode()).as(put.bodyAsString()).isEqualTo(201);
      assertThat(gw.get("/api/chaos/rules").bodyAsJsonObject().getJsonArray("rules")).hasSize(1);
    }
  }

  /**
   * A multipart body (curl -F) is refused naming its Content-Type: Vert.x keeps none of it, so a listener's removal with
   * {@code -F grace_ms=30000} ran with no grace, answered 200, and cut the requests in flight.
   */
  @Test
  void aMultipartBodyIsRefusedNotReadAsNone() throws Exception {
    try (GatewayFixture gw = new GatewayFixture(Map.of())) {
      Process curl = new ProcessBuilder("curl", "-s", "-X", "DELETE", "-F", "grace_ms=30000",
          "http://127.0.0.1:" + gw.gateway.adminPort() + "/api/listeners/web").redirectErrorStream(true).start();
      assertThat(curl.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      JsonObject refused = new JsonObject(new String(curl.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
      assertThat(refused.getString("field")).isEqualTo("Content-Type");
      assertThat(refused.getString("error")).startsWith("a multipart body (curl -F) is not taken here");
      assertThat(gw.traffic("/x").statusCode()).as("the listener stays").isEqualTo(200);
    }
  }

  @Test
  void duplicateKeysInAJsonBodyAreRefused() {
    try (GatewayFixture gw = new GatewayFixture(Map.of())) {
      HttpResponse<Buffer> dup = gw.put("/api/chaos/config/latency", "{\"fixed_delay_ms\": 5, \"fixed_delay_ms\": 500}");
      assertThat(dup.statusCode()).isEqualTo(400);
      assertThat(dup.bodyAsJsonObject().getString("error")).contains("Duplicate field 'fixed_delay_ms'");
    }
  }

  @Test
  void wholeConfigPutKeepsEnabledUnlessGiven() {
    try (GatewayFixture gw = new GatewayFixture(Map.of(Flag.CHAOS, "true"))) {
      HttpResponse<Buffer> set = gw.put("/api/chaos/config", "{\"fault_injection\": {\"http_errors\": [502], \"http_error_probability\": 1}}");
      assertThat(set.bodyAsJsonObject().getBoolean("enabled")).isTrue();
      assertThat(gw.traffic("/x").statusCode()).isEqualTo(502);
      // a client that writes what it leaves out as null neither switches chaos off nor drops the rules or the seed
      gw.postJson("/api/chaos/rules", "{\"name\": \"keep\", \"match\": {\"path\": \"/keep\"}, \"latency\": {\"fixed_delay_ms\": 1}}");
      long seed = gw.status().getLong("seed");
      for (String field : new String[] {"enabled", "seed", "rules"}) {
        HttpResponse<Buffer> nulled = gw.put("/api/chaos/config", "{\"" + field + "\": null, \"latency\": {\"fixed_delay_ms\": 3}}");
        assertThat(nulled.statusCode()).as(field).isEqualTo(400);
        assertThat(nulled.bodyAsJsonObject().getString("field")).isEqualTo(field);
        assertThat(nulled.bodyAsJsonObject().getString("error")).contains("leave it out to keep the current value");
      }
      JsonObject kept = gw.status();
      assertThat(kept.getBoolean("enabled")).isTrue();
      assertThat(kept.getLong("seed")).isEqualTo(seed);
      assertThat(kept.getInteger("rules")).isEqualTo(1);
      assertThat(kept.getJsonObject("config").containsKey("latency")).as("nothing half-applied").isFalse();
      gw.post("/api/chaos/reset");
      JsonObject reset = gw.status();
      assertThat(reset.getJsonObject("config").containsKey("fault_injection")).as("back to the startup config").isFalse();
      assertThat(gw.traffic("/x").statusCode()).isEqualTo(200);
    }
  }

  /**
   * A config put with a scenario and some of a section's fields refines the scenario's section, as the same
   * config in a file does, and stopping the scenario ends it. The same input meant two things: put, the
   * section replaced the scenario's whole (its 2 s delay silently gone); from a file, it refined it.
   */
  @Test
  void aScenarioPutWithSomeFieldsIsRefinedAsAFilesIsAndStopsWhole() {
    try (GatewayFixture gw = new GatewayFixture(Map.of())) {
      HttpResponse<Buffer> put = gw.put("/api/chaos/config",
          "{\"enabled\": true, \"scenario\": \"slow_backend\", \"latency\": {\"probability\": 0.5}}");
      assertThat(put.statusCode()).as(put.bodyAsString()).isEqualTo(200);
      JsonObject latency = gw.get("/api/chaos/config").bodyAsJsonObject().getJsonObject("latency");
      assertThat(latency.getLong("fixed_delay_ms")).as("the scenario's delay").isEqualTo(2_000L);
      assertThat(latency.getDouble("jitter_percent")).isEqualTo(10.0);
      assertThat(latency.getDouble("probability")).as("the field given").isEqualTo(0.5);
      assertThat(gw.get("/api/chaos/status").bodyAsJsonObject().getJsonArray("active_faults")).contains("latency");
      JsonObject stopped = gw.post("/api/chaos/scenarios/stop").bodyAsJsonObject();
      assertThat(stopped.getString("scenario")).isNull();
      assertThat(stopped.getJsonArray("active_faults")).as(stopped.encode()).isEmpty();
      assertThat(gw.get("/api/chaos/config").bodyAsJsonObject().containsKey("latency")).isFalse();
    }
  }

  @Test
  void scenariosStartStopSaveAndDelete() {
    try (GatewayFixture gw = new GatewayFixture(Map.of())) {
      assertThat(gw.get("/api/chaos/scenarios").bodyAsJsonObject().getJsonArray("scenarios")).hasSize(5);
      assertThat(gw.get("/api/chaos/scenarios/slow_backend").bodyAsJsonObject().getBoolean("built_in")).isTrue();
      HttpResponse<Buffer> unknown = gw.post("/api/chaos/scenarios/nope");
      assertThat(unknown.statusCode()).isEqualTo(404);
      assertThat(unknown.bodyAsJsonObject().getString("error")).contains("unknown scenario nope");
      HttpResponse<Buffer> saved = gw.postJson("/api/chaos/scenarios",
          "{\"name\": \"teapot\", \"description\": \"always 418\", \"config\": {\"fault_injection\": {\"http_errors\": [418], \"http_error_probability\": 1}}}");
      assertThat(saved.statusCode()).isEqualTo(201);
      assertThat(gw.postJson("/api/chaos/scenarios", "{\"name\": \"slow_backend\", \"config\": {}}").statusCode()).isEqualTo(400);
      // what a start would ignore is refused, naming it; nothing is saved
      Map<String, String> ignored = Map.of(
          "rules", "{\"rules\": [{\"name\": \"r\", \"match\": {\"path\": \"/x\"}, \"latency\": {\"fixed_delay_ms\": 5}}]}",
          "seed", "{\"seed\": 42, \"latency\": {\"fixed_delay_ms\": 5}}",
          "scenario", "{\"scenario\": \"slow_backend\"}",
          "enabled", "{\"enabled\": false, \"latency\": {\"fixed_delay_ms\": 5}}");
      ignored.forEach((field, config) -> {
        HttpResponse<Buffer> refused = gw.postJson("/api/chaos/scenarios", "{\"name\": \"ignored\", \"config\": " + config + "}");
        assertThat(refused.statusCode()).as(field).isEqualTo(400);
        assertThat(refused.bodyAsJsonObject().getString("field")).isEqualTo("config." + field);
      });
      assertThat(gw.get("/api/chaos/scenarios/ignored").statusCode()).isEqualTo(404);
      assertThat(gw.postJson("/api/chaos/scenarios", "{\"name\": \"on\", \"config\": {\"enabled\": true, \"rules\": []}}").statusCode())
          .isEqualTo(201);
      JsonObject started = gw.post("/api/chaos/scenarios/teapot").bodyAsJsonObject();
      assertThat(started.getString("scenario")).isEqualTo("teapot");
      assertThat(started.getBoolean("enabled")).isTrue();
      assertThat(gw.traffic("/x").statusCode()).isEqualTo(418);
      JsonObject stopped = gw.post("/api/chaos/scenarios/stop").bodyAsJsonObject();
      assertThat(stopped.getString("scenario")).isNull();
      assertThat(stopped.getBoolean("enabled")).as("the config before the scenario").isFalse();
      assertThat(gw.traffic("/x").statusCode()).isEqualTo(200);
      assertThat(gw.post("/api/chaos/scenarios/stop").statusCode()).as("nothing to stop").isEqualTo(404);
      assertThat(gw.admin(HttpMethod.DELETE, "/api/chaos/scenarios/teapot").send().await().statusCode()).isEqualTo(200);
      assertThat(gw.post("/api/chaos/scenarios/teapot").statusCode()).isEqualTo(404);
    }
  }

  @Test
  void slowBackendScenarioDelaysTraffic() {
    try (GatewayFixture gw = new GatewayFixture(Map.of())) {
      gw.post("/api/chaos/scenarios/slow_backend");
      long start = System.nanoTime();
      assertThat(gw.traffic("/x").statusCode()).isEqualTo(200);
      long elapsedMs = (System.nanoTime() - start) / 1_000_000;
      // 2 s ± 10% jitter; the upper bound leaves room for a slow CI machine.
      assertThat(elapsedMs).isBetween(1_790L, 4_000L);
    }
  }

  @Test
  void rulesAreAddedListedAndRemoved() {
    try (GatewayFixture gw = new GatewayFixture(Map.of(Flag.CHAOS, "true"))) {
      HttpResponse<Buffer> added = gw.postJson("/api/chaos/rules",
          "{\"name\": \"admin-down\", \"match\": {\"path\": \"/admin/**\"}, \"fault_injection\": {\"http_errors\": [503], \"http_error_probability\": 1}}");
      assertThat(added.statusCode()).isEqualTo(201);
      assertThat(gw.traffic("/admin/users").statusCode()).isEqualTo(503);
      assertThat(gw.traffic("/users").statusCode()).isEqualTo(200);
      assertThat(gw.get("/api/chaos/rules").bodyAsJsonObject().getJsonArray("rules")).hasSize(1);
      HttpResponse<Buffer> bad = gw.postJson("/api/chaos/rules", "{\"match\": {\"path\": \"/x\"}}");
      assertThat(bad.statusCode()).isEqualTo(400);
      assertThat(bad.bodyAsJsonObject().getString("field")).isEqualTo("name");
      assertThat(gw.admin(HttpMethod.DELETE, "/api/chaos/rules/admin-down").send().await().statusCode()).isEqualTo(200);
      assertThat(gw.admin(HttpMethod.DELETE, "/api/chaos/rules/admin-down").send().await().statusCode()).isEqualTo(404);
      assertThat(gw.traffic("/admin/users").statusCode()).isEqualTo(200);

      // host names are case-insensitive, on both sides
      assertThat(gw.postJson("/api/chaos/rules", "{\"name\": \"by-host\", \"match\": {\"host\": \"*.Example.com\"},"
          + " \"fault_injection\": {\"http_errors\": [451], \"http_error_probability\": 1}}").statusCode()).isEqualTo(201);
      for (String host : new String[] {"a.example.com", "A.EXAMPLE.COM:3000", "api.Example.Com"}) {
        assertThat(gw.client.get(gw.gateway.listenerPort("web"), "127.0.0.1", "/x").putHeader("Host", host).send().await().statusCode())
            .as(host).isEqualTo(451);
      }
      assertThat(gw.client.get(gw.gateway.listenerPort("web"), "127.0.0.1", "/x").putHeader("Host", "example.org").send().await()
          .statusCode()).isEqualTo(200);
      assertThat(gw.admin(HttpMethod.DELETE, "/api/chaos/rules/by-host").send().await().statusCode()).isEqualTo(200);

      // the first matching rule wins: a rule posted again under its name keeps its place (it moved to the end)
      String broad = "{\"name\": \"broad\", \"match\": {\"path\": \"/api\"}, \"fault_injection\": {\"http_errors\": [%d],"
          + " \"http_error_probability\": 1}}";
      assertThat(gw.postJson("/api/chaos/rules", broad.formatted(500)).statusCode()).isEqualTo(201);
      assertThat(gw.postJson("/api/chaos/rules", "{\"name\": \"narrow\", \"match\": {\"path\": \"/api/test\"},"
          + " \"fault_injection\": {\"http_errors\": [418], \"http_error_probability\": 1}}").statusCode()).isEqualTo(201);
      assertThat(gw.traffic("/api/test").statusCode()).isEqualTo(500);
      assertThat(gw.postJson("/api/chaos/rules", broad.formatted(502)).statusCode()).isIn(200, 201);
      assertThat(gw.traffic("/api/test").statusCode()).isEqualTo(502);
      assertThat(gw.get("/api/chaos/rules").bodyAsJsonObject().getJsonArray("rules").stream().map(r -> ((JsonObject) r).getString("name")))
          .containsExactly("broad", "narrow");
      // a header name or a method no request can carry would never match: refused, named
      for (Map.Entry<String, String> never : Map.of("{\"headers\": {\"bad header\": \"x\"}}", "match.headers.bad header",
          "{\"methods\": [\"GET\", \"PO ST\"]}", "match.methods[1]").entrySet()) {
        HttpResponse<Buffer> refused = gw.postJson("/api/chaos/rules", "{\"name\": \"never\", \"match\": " + never.getKey()
            + ", \"latency\": {\"fixed_delay_ms\": 5}}");
        assertThat(refused.statusCode()).as(never.getKey()).isEqualTo(400);
        assertThat(refused.bodyAsJsonObject().getString("field")).as(never.getKey()).isEqualTo(never.getValue());
        assertThat(refused.bodyAsJsonObject().getString("error")).startsWith("must be an HTTP token");
      }
      // an injected "error" that no client sees as one is refused
      HttpResponse<Buffer> ok = gw.put("/api/chaos/config/fault_injection", "{\"http_errors\": [200], \"http_error_probability\": 1}");
      assertThat(ok.statusCode()).isEqualTo(400);
      assertThat(ok.bodyAsJsonObject()).isEqualTo(new JsonObject().put("error", "must be an HTTP error status, 400 to 599, got 200")
          .put("field", "fault_injection.http_errors[0]"));
      // none named beside a probability got the server errors; left out, that is what reference files mean
      HttpResponse<Buffer> none = gw.put("/api/chaos/config/fault_injection", "{\"http_errors\": [], \"http_error_probability\": 1}");
      assertThat(none.statusCode()).isEqualTo(400);
      assertThat(none.bodyAsJsonObject().getString("field")).isEqualTo("fault_injection.http_errors");
      assertThat(gw.put("/api/chaos/config/fault_injection", "{\"http_error_probability\": 1}").statusCode()).isEqualTo(200);
      // what a config read back shows is taken back as it is
      JsonObject config = gw.get("/api/chaos/config").bodyAsJsonObject();
      assertThat(gw.put("/api/chaos/config", config.encode()).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void tokenProtectsEverythingButHealth() {
    try (GatewayFixture gw = new GatewayFixture(Map.of(Flag.ADMIN_TOKEN, "s3cret"))) {
      assertThat(gw.get("/health").statusCode()).isEqualTo(200);
      HttpResponse<Buffer> denied = gw.get("/api/chaos/status");
      assertThat(denied.statusCode()).isEqualTo(401);
      assertThat(denied.bodyAsJsonObject().getString("error")).contains("bearer token");
      gw.token = "wrong";
      assertThat(gw.post("/api/chaos/enable").statusCode()).isEqualTo(401);
      gw.token = "s3cret";
      assertThat(gw.get("/api/chaos/status").statusCode()).isEqualTo(200);
      gw.token = null;
      // the scheme in any case, as HTTP's auth schemes are; the token itself exactly
      assertThat(gw.admin(HttpMethod.GET, "/api/chaos/status").putHeader("Authorization", "bearer s3cret").send().await().statusCode())
          .isEqualTo(200);
      assertThat(gw.admin(HttpMethod.GET, "/api/chaos/status").putHeader("Authorization", "BEARER s3cret").send().await().statusCode())
          .isEqualTo(200);
      assertThat(gw.admin(HttpMethod.GET, "/api/chaos/status").putHeader("Authorization", "Bearer S3CRET").send().await().statusCode())
          .isEqualTo(401);
      assertThat(gw.admin(HttpMethod.GET, "/api/chaos/status").putHeader("Authorization", "Bearers3cret").send().await().statusCode())
          .isEqualTo(401);
    }
  }

  @Test
  void unknownPathsAndMethodsAreJsonErrors() {
    try (GatewayFixture gw = new GatewayFixture(Map.of())) {
      HttpResponse<Buffer> missing = gw.get("/api/nothing");
      assertThat(missing.statusCode()).isEqualTo(404);
      assertThat(missing.bodyAsJsonObject().getString("error")).contains("/api/nothing");
      assertThat(gw.admin(HttpMethod.DELETE, "/api/chaos/status").send().await().statusCode()).isEqualTo(405);
    }
  }

  /**
   * What the admin API would silently ignore or choke on is refused with a 400 naming it: a misspelt query
   * parameter (a start with {@code ?variabels=} ran with the file's own values), an import body's extra or repeated
   * key, and YAML aliases sent to convert (329 bytes of them ran the node out of heap).
   */
  @Test
  void misspeltParametersImportKeysAndAliasBombsAreRefusedNamingThem() {
    try (GatewayFixture gw = new GatewayFixture(Map.of())) {
      String orchestration = "name: probe\nvariables:\n  delay: 100\nsteps:\n  - name: s1\n    duration_seconds: 1\n"
          + "    scenario:\n      name: slow\n      config:\n        latency: { fixed_delay_ms: \"${delay}\" }\n";
      Map<String, String> misspelt = Map.of(
          "/api/chaos/orchestration/start?variabels=%7B%22delay%22%3A250%7D", "variabels",
          "/api/chaos/orchestration/convert?too=json", "too");
      misspelt.forEach((path, name) -> {
        HttpResponse<Buffer> refused = gw.postJson(path, orchestration);
        assertThat(refused.statusCode()).as(path).isEqualTo(400);
        assertThat(refused.bodyAsJsonObject().getString("field")).as(path).isEqualTo(name);
        assertThat(refused.bodyAsJsonObject().getString("error")).as(path).contains("would ignore " + name);
      });
      assertThat(gw.get("/api/chaos/orchestration/status").bodyAsJsonObject().getString("status")).as("no run started")
          .isNotEqualTo("running");
      for (String path : List.of("/api/traffic/recent?secs=5", "/api/chaos/changes?lmit=5", "/api/chaos/orchestration/reports/latest?fromat=html")) {
        HttpResponse<Buffer> refused = gw.get(path);
        assertThat(refused.statusCode()).as(path).isEqualTo(400);
        assertThat(refused.bodyAsJsonObject().getString("field")).as(path).isEqualTo(path.substring(path.indexOf('?') + 1, path.indexOf('=')));
      }

      String content = new JsonObject().put("content", orchestration).encode();
      HttpResponse<Buffer> extra = gw.postJson("/api/chaos/orchestration/import",
          content.substring(0, content.length() - 1) + ", \"fromat\": \"yaml\"}");
      assertThat(extra.statusCode()).isEqualTo(400);
      assertThat(extra.bodyAsJsonObject().getString("field")).isEqualTo("fromat");
      HttpResponse<Buffer> twice = gw.postJson("/api/chaos/orchestration/import",
          "{\"content\": \"name: first\", " + content.substring(1));
      assertThat(twice.statusCode()).isEqualTo(400);
      assertThat(twice.bodyAsJsonObject().getString("error")).contains("content");
      HttpResponse<Buffer> imported = gw.postJson("/api/chaos/orchestration/import", content);
      assertThat(imported.statusCode()).as("the reference's own body: " + imported.bodyAsString()).isEqualTo(200);

      StringBuilder bomb = new StringBuilder("a0: &a0 [x, x, x]\n");
      for (int i = 1; i <= 12; i++) {
        bomb.append("a").append(i).append(": &a").append(i).append(" [*a").append(i - 1).append(", *a").append(i - 1)
            .append(", *a").append(i - 1).append("]\n");
      }
      HttpResponse<Buffer> expanded = gw.postJson("/api/chaos/orchestration/convert?to=json", bomb.toString());
      assertThat(expanded.statusCode()).isEqualTo(400);
      assertThat(expanded.bodyAsJsonObject().getString("field")).isEqualTo("text");
      assertThat(expanded.bodyAsJsonObject().getString("error")).contains("anchors and aliases");
      HttpResponse<Buffer> malformed = gw.postJson("/api/chaos/orchestration/start", "name: [");
      assertThat(malformed.statusCode()).isEqualTo(400);
      assertThat(malformed.bodyAsJsonObject().getString("field")).as("malformed text is named too").isEqualTo("text");
    }
  }
}
