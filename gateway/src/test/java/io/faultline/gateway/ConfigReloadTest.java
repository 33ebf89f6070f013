package io.faultline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigReloadTest {

  @TempDir
  Path dir;

  @Test
  void reloadAppliesTheNewFileAndRefusesABadOne() throws IOException {
    Path file = dir.resolve("faultline.yaml");
    Files.writeString(file, "chaos: { enabled: true, fault_injection: { http_errors: [500], http_error_probability: 1 } }\n");
    try (GatewayFixture gw = new GatewayFixture(file, Map.of())) {
      assertThat(gw.traffic("/x").statusCode()).isEqualTo(500);
      Files.writeString(file, "chaos: { enabled: true, fault_injection: { http_errors: [503], http_error_probability: 1 } }\n");
      HttpResponse<Buffer> reloaded = gw.post("/api/config/reload");
      assertThat(reloaded.statusCode()).isEqualTo(200);
      assertThat(reloaded.bodyAsJsonObject().getBoolean("reloaded")).isTrue();
      assertThat(gw.traffic("/x").statusCode()).isEqualTo(503);
      gw.post("/api/chaos/reset");
      assertThat(gw.traffic("/x").statusCode()).as("reset returns to the reloaded file").isEqualTo(503);

      Files.writeString(file, "chaos: { enabled: true, fault_injection: { http_errors: [503], http_error_probability: 7 } }\n");
      HttpResponse<Buffer> refused = gw.post("/api/config/reload");
      assertThat(refused.statusCode()).isEqualTo(400);
      assertThat(refused.bodyAsJsonObject().getString("field")).isEqualTo("chaos.fault_injection.http_error_probability");
      assertThat(gw.traffic("/x").statusCode()).as("still the last good config").isEqualTo(503);

      // over GraphQL as over REST: it answered an internal error once the reload was made (read as a chaos status)
      Files.writeString(file, "chaos: { enabled: true, fault_injection: { http_errors: [502], http_error_probability: 1 } }\n");
      io.vertx.core.json.JsonObject answer = gw.postJson("/graphql", "{\"query\": \"mutation { reloadConfig }\"}").bodyAsJsonObject();
      assertThat(answer.containsKey("errors")).as(answer.encode()).isFalse();
      assertThat(answer.getJsonObject("data").getJsonObject("reloadConfig").getBoolean("reloaded")).isTrue();
      assertThat(gw.traffic("/x").statusCode()).isEqualTo(502);
    }
  }

  @Test
  void sectionsAReloadCannotApplyAreListedForARestart() throws IOException {
    Path file = dir.resolve("sections.yaml");
    Files.writeString(file, "chaos: { enabled: false }\n");
    try (GatewayFixture gw = new GatewayFixture(file, Map.of())) {
      Files.writeString(file, """
          chaos: { enabled: false }
          orchestration: { allow_commands: true }
          bridge: { port: 7999 }
          metrics: { vertx: true }
          cluster: { node_id: other }
          recorder: { sample_rate: 1.0 }
          """);
      HttpResponse<Buffer> reloaded = gw.post("/api/config/reload");
      assertThat(reloaded.statusCode()).isEqualTo(200);
      assertThat(reloaded.bodyAsJsonObject().getJsonArray("restart_required").getList())
          .containsExactlyInAnyOrder("orchestration", "bridge", "metrics", "cluster", "recorder");
    }
  }

  /**
   * An edit made while the gateway starts (after the file was read, before the watcher's first look: a ConfigMap updated
   * as the pod comes up) is applied: the watcher took the edited file as the one already running, and never applied it.
   */
  @Test
  void anEditMadeWhileTheGatewayStartsIsApplied() throws Exception {
    Path file = dir.resolve("starting.yaml");
    Files.writeString(file, "chaos: { enabled: false }\n");
    try (GatewayFixture gw = new GatewayFixture(file, Map.of(), () -> {
      try {
        Files.writeString(file, "chaos: { enabled: true, fault_injection: { http_errors: [502], http_error_probability: 1 } }\n");
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    })) {
      assertThat(awaitStatus(gw, "/x", 502)).as("the edit, applied by the watcher's first look").isEqualTo(502);
    }
  }

  /**
   * A reload that renames (or removes) a listener leaves the running listener its own chaos until the restart that
   * applies the listener change: its rule went at once, so the running listener lost its chaos while the new name's rule
   * matched nothing. A listener's own chaos changed under its running name still applies at once.
   */
  @Test
  void aRenamedListenerKeepsItsChaosUntilTheRestart() throws IOException {
    Path file = dir.resolve("renamed.yaml");
    String listener = "chaos: { enabled: true }\nlisteners:\n  - name: %s\n    protocol: http\n"
        + "    chaos: { fault_injection: { http_errors: [%d], http_error_probability: 1.0 } }\n";
    Files.writeString(file, listener.formatted("web", 418));
    try (GatewayFixture gw = new GatewayFixture(file, Map.of())) {
      assertThat(gw.traffic("/x").statusCode()).isEqualTo(418);
      Files.writeString(file, listener.formatted("web", 503));
      assertThat(gw.post("/api/config/reload").statusCode()).isEqualTo(200);
      assertThat(gw.traffic("/x").statusCode()).as("its own chaos, changed under its name, applies live").isEqualTo(503);
      Files.writeString(file, listener.formatted("api", 429));
      HttpResponse<Buffer> renamed = gw.post("/api/config/reload");
      assertThat(renamed.statusCode()).as(renamed.bodyAsString()).isEqualTo(200);
      assertThat(renamed.bodyAsJsonObject().getJsonArray("restart_required").getList()).contains("listeners");
      assertThat(gw.traffic("/x").statusCode()).as("web runs until the restart, with the chaos it has (not its startup's)")
          .isEqualTo(503);
      gw.post("/api/chaos/reset");
      assertThat(gw.traffic("/x").statusCode()).as("reset returns to the reloaded config").isEqualTo(503);
    }
  }

  /**
   * A Toxiproxy proxy (a listener added while the node runs) keeps its toxics and its down switch through a reload:
   * the reload replaced every rule with the file's, and the proxy, still listening, answered {@code toxics: []} and
   * came back up, with nothing said.
   */
  @Test
  void aToxiproxyProxysToxicsAndDownSwitchOutliveAReload() throws IOException {
    Path file = dir.resolve("toxics.yaml");
    Files.writeString(file, "chaos: { enabled: true }\n");
    io.vertx.core.Vertx upstreamVertx = io.vertx.core.Vertx.vertx();
    int echo = io.faultline.chaos.testing.Upstreams.echoTcp(upstreamVertx);
    try (GatewayFixture gw = new GatewayFixture(file, Map.of(io.faultline.gateway.config.Flag.TOXIPROXY_PORT, "0"))) {
      java.util.function.BiFunction<String, String, HttpResponse<Buffer>> toxiproxy = (path, body) -> gw.client
          .request(body == null ? io.vertx.core.http.HttpMethod.GET : io.vertx.core.http.HttpMethod.POST, gw.gateway.toxiproxyPort(),
              "127.0.0.1", path)
          .sendBuffer(Buffer.buffer(body == null ? "" : body)).await();
      for (String name : List.of("pg", "cache")) {
        assertThat(toxiproxy.apply("/proxies", "{\"name\": \"" + name + "\", \"listen\": \"127.0.0.1:0\", \"upstream\": \"127.0.0.1:"
            + echo + "\"}").statusCode()).isEqualTo(201);
      }
      assertThat(toxiproxy.apply("/proxies/pg/toxics", "{\"type\": \"latency\", \"attributes\": {\"latency\": 250}}").statusCode())
          .isEqualTo(200);
      assertThat(toxiproxy.apply("/proxies/cache", "{\"enabled\": false}").statusCode()).isEqualTo(200);

      Files.writeString(file, "chaos: { enabled: true, latency: { fixed_delay_ms: 1 } }\n");
      HttpResponse<Buffer> reloaded = gw.post("/api/config/reload");
      assertThat(reloaded.bodyAsJsonObject().getBoolean("reloaded")).as(reloaded.bodyAsString()).isTrue();
      assertThat(gw.status().getJsonObject("config").getJsonObject("latency").getInteger("fixed_delay_ms")).as("the file applied")
          .isEqualTo(1);
      io.vertx.core.json.JsonArray toxics = new io.vertx.core.json.JsonArray(toxiproxy.apply("/proxies/pg/toxics", null).bodyAsString());
      assertThat(toxics).as("pg's toxics").hasSize(1);
      assertThat(toxics.getJsonObject(0).getJsonObject("attributes").getInteger("latency")).isEqualTo(250);
      assertThat(toxiproxy.apply("/proxies/cache", null).bodyAsJsonObject().getBoolean("enabled")).as("cache still down").isFalse();

      gw.post("/api/chaos/reset");
      assertThat(new io.vertx.core.json.JsonArray(toxiproxy.apply("/proxies/pg/toxics", null).bodyAsString()))
          .as("a reset goes back to the file's chaos, as Toxiproxy's own reset takes the toxics away").isEmpty();
    } finally {
      upstreamVertx.close().await();
    }
  }

  /**
   * A listener the file started, removed and added again through the listeners API, is the API's: a reload keeps its toxics.
   * The reload took it for the file's (it was among the listeners the node started with) and put the file's chaos in its
   * place, so its toxics went.
   */
  @Test
  void aFileListenerAddedAgainThroughTheApiKeepsItsToxicsThroughAReload() throws IOException {
    io.vertx.core.Vertx upstreamVertx = io.vertx.core.Vertx.vertx();
    int echo = io.faultline.chaos.testing.Upstreams.echoTcp(upstreamVertx);
    Path file = dir.resolve("readded.yaml");
    String listeners = "listeners: [{name: pg, protocol: tcp, port: 0, upstream: \"127.0.0.1:" + echo + "\"}]\n";
    Files.writeString(file, listeners + "chaos: { enabled: true }\n");
    try (GatewayFixture gw = new GatewayFixture(file, Map.of(io.faultline.gateway.config.Flag.TOXIPROXY_PORT, "0"))) {
      assertThat(gw.admin(io.vertx.core.http.HttpMethod.DELETE, "/api/listeners/pg").send().await().statusCode()).isLessThan(300);
      HttpResponse<Buffer> added = gw.postJson("/api/listeners", "{\"name\": \"pg\", \"protocol\": \"tcp\", \"port\": 0,"
          + " \"upstream\": \"127.0.0.1:" + echo + "\"}");
      assertThat(added.statusCode()).as(added.bodyAsString()).isLessThan(300);
      HttpResponse<Buffer> toxic = gw.client.request(io.vertx.core.http.HttpMethod.POST, gw.gateway.toxiproxyPort(), "127.0.0.1",
          "/proxies/pg/toxics").sendBuffer(Buffer.buffer("{\"type\": \"latency\", \"attributes\": {\"latency\": 250}}")).await();
      assertThat(toxic.statusCode()).as(toxic.bodyAsString()).isEqualTo(200);

      Files.writeString(file, listeners + "chaos: { enabled: true, latency: { fixed_delay_ms: 1 } }\n");
      HttpResponse<Buffer> reloaded = gw.post("/api/config/reload");
      assertThat(reloaded.bodyAsJsonObject().getBoolean("reloaded")).as(reloaded.bodyAsString()).isTrue();
      io.vertx.core.json.JsonArray toxics = new io.vertx.core.json.JsonArray(gw.client.request(io.vertx.core.http.HttpMethod.GET,
          gw.gateway.toxiproxyPort(), "127.0.0.1", "/proxies/pg/toxics").send().await().bodyAsString());
      assertThat(toxics).as("pg's toxics, the API's listener's").hasSize(1);
    } finally {
      upstreamVertx.close().await();
    }
  }

  @Test
  void aChangedFileIsPickedUpWithoutACall() throws Exception {
    Path file = dir.resolve("watched.yaml");
    Files.writeString(file, "chaos: { enabled: false }\n");
    try (GatewayFixture gw = new GatewayFixture(file, Map.of())) {
      assertThat(gw.traffic("/x").statusCode()).isEqualTo(200);
      Files.writeString(file, "chaos: { enabled: true, fault_injection: { http_errors: [502], http_error_probability: 1 } }\n");
      Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5_000));
      long deadline = System.currentTimeMillis() + 10_000;
      int status = 200;
      while (status != 502 && System.currentTimeMillis() < deadline) {
        Thread.sleep(200);
        status = gw.traffic("/x").statusCode();
      }
      assertThat(status).as("the watcher polls every second").isEqualTo(502);

      // an editor truncates the file, then writes it: the empty file in between is not a config of defaults (chaos off)
      long version = gw.status().getLong("version");
      Files.writeString(file, "");
      Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 10_000));
      HttpResponse<Buffer> empty = gw.post("/api/config/reload");
      assertThat(empty.statusCode()).isEqualTo(400);
      assertThat(empty.bodyAsJsonObject().getString("field")).isEqualTo("config");
      Thread.sleep(2_500); // two polls of the watcher
      assertThat(gw.status().getLong("version")).as("nothing was applied").isEqualTo(version);
      assertThat(gw.traffic("/x").statusCode()).isEqualTo(502);
      Files.writeString(file, "chaos: { enabled: true, fault_injection: { http_errors: [504], http_error_probability: 1 } }\n");
      Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 15_000));
      deadline = System.currentTimeMillis() + 10_000;
      while (status != 504 && System.currentTimeMillis() < deadline) {
        Thread.sleep(200);
        status = gw.traffic("/x").statusCode();
      }
      assertThat(status).as("the write after the truncation is picked up").isEqualTo(504);
    }
  }

  /**
   * A file replaced by one of the same time and size (two versions written within one tick of the file
   * system's clock, a ConfigMap's flip, a reproducible build's files) is applied: the watch looked at the
   * time and size only, and never saw the second.
   */
  @Test
  void aFileReplacedByOneOfTheSameTimeAndSizeIsApplied() throws Exception {
    Path file = dir.resolve("same-shape.yaml");
    java.nio.file.attribute.FileTime time = java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 60_000);
    Files.writeString(file, "chaos: { enabled: false }\n");
    try (GatewayFixture gw = new GatewayFixture(file, Map.of())) {
      Files.writeString(file, "chaos: { enabled: true, fault_injection: { http_errors: [502], http_error_probability: 1 } }\n");
      Files.setLastModifiedTime(file, time);
      assertThat(awaitStatus(gw, "/x", 502)).isEqualTo(502);
      Files.writeString(file, "chaos: { enabled: true, fault_injection: { http_errors: [504], http_error_probability: 1 } }\n");
      Files.setLastModifiedTime(file, time);
      assertThat(awaitStatus(gw, "/x", 504)).as("the second version, same time and size").isEqualTo(504);
    }
  }

  /** Waits (at most 10 s) until {@code path} answers {@code status}. */
  private static int awaitStatus(GatewayFixture gw, String path, int status) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    int seen = gw.traffic(path).statusCode();
    while (seen != status && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
      seen = gw.traffic(path).statusCode();
    }
    return seen;
  }

  /**
   * A file saved again with the same chaos (touched, a comment added, an editor's save) applies nothing: it
   * threw away the rules set through the API. A change during an orchestration run waits for the run's end
   * (which puts back the config the run found, and would have undone it), then applies.
   */
  @Test
  void aSaveThatLeavesTheChaosAsItWasKeepsTheApisRulesAndAChangeDuringARunWaitsForItsEnd() throws Exception {
    Path file = dir.resolve("kept.yaml");
    Files.writeString(file, "chaos: { enabled: true, latency: { fixed_delay_ms: 1 } }\n");
    long later = System.currentTimeMillis();
    try (GatewayFixture gw = new GatewayFixture(file, Map.of())) {
      assertThat(gw.postJson("/api/chaos/rules", "{\"name\": \"keepme\", \"match\": {\"path\": \"/kept\"},"
          + " \"fault_injection\": {\"http_errors\": [418], \"http_error_probability\": 1}}").statusCode()).isEqualTo(201);
      assertThat(gw.traffic("/kept").statusCode()).isEqualTo(418);
      long version = gw.status().getLong("version");
      Files.writeString(file, "# a comment, and the same chaos\nchaos: { enabled: true, latency: { fixed_delay_ms: 1 } }\n");
      Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(later += 5_000));
      Thread.sleep(2_500); // two polls of the watcher
      assertThat(gw.status().getLong("version")).as("nothing applied").isEqualTo(version);
      assertThat(gw.traffic("/kept").statusCode()).as("the API's rule stays").isEqualTo(418);

      // a run holds chaos for 3 s; the file changes meanwhile
      var started = gw.admin(io.vertx.core.http.HttpMethod.POST, "/api/chaos/orchestration/start").sendBuffer(Buffer.buffer(
          "name: holding\nsteps:\n  - {name: hold, scenario: {config: {latency: {fixed_delay_ms: 2}}}, duration_seconds: 3}\n")).await();
      assertThat(started.statusCode()).isEqualTo(202);
      Files.writeString(file, "chaos: { enabled: true, fault_injection: { http_errors: [503], http_error_probability: 1 } }\n");
      Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(later += 5_000));
      HttpResponse<Buffer> asked = gw.post("/api/config/reload");
      assertThat(asked.statusCode()).isEqualTo(409);
      assertThat(asked.bodyAsJsonObject().getString("error"))
          .isEqualTo("orchestration holding is running; its end puts back the config it found, which would undo the reload");
      Thread.sleep(1_500);
      assertThat(gw.traffic("/x").statusCode()).as("not applied while the run goes on").isEqualTo(200);
      assertThat(awaitStatus(gw, "/x", 503)).as("applied once the run has ended").isEqualTo(503);
      assertThat(gw.get("/api/chaos/orchestration/status").bodyAsJsonObject().getBoolean("is_running")).isFalse();
    }
  }

  @Test
  void aChangeHeldBackForARunDoesNotUndoTheKillSwitchThatEndedIt() throws Exception {
    Path file = dir.resolve("kill.yaml");
    Files.writeString(file, "chaos: { enabled: true, latency: { fixed_delay_ms: 1 } }\n");
    try (GatewayFixture gw = new GatewayFixture(file, Map.of())) {
      var started = gw.admin(io.vertx.core.http.HttpMethod.POST, "/api/chaos/orchestration/start").sendBuffer(Buffer.buffer(
          "name: holding\nsteps:\n  - {name: hold, scenario: {config: {latency: {fixed_delay_ms: 2}}}, duration_seconds: 60}\n")).await();
      assertThat(started.statusCode()).isEqualTo(202);
      Files.writeString(file, "chaos: { enabled: true, fault_injection: { http_errors: [503], http_error_probability: 1 } }\n");
      Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5_000));
      Thread.sleep(1_500); // the watcher holds the change back for the run
      assertThat(gw.post("/api/chaos/disable").statusCode()).isEqualTo(200); // the kill switch: the run stops
      Thread.sleep(2_500); // the watcher applies the change held back, the run having ended
      assertThat(gw.get("/api/chaos/orchestration/status").bodyAsJsonObject().getBoolean("is_running")).isFalse();
      assertThat(gw.status().getBoolean("enabled")).as("the kill switch came after the edit: chaos stays off").isFalse();
      assertThat(gw.traffic("/x").statusCode()).isEqualTo(200);
      assertThat(gw.get("/api/chaos/config").bodyAsJsonObject().getJsonObject("fault_injection").getJsonArray("http_errors"))
          .as("the rest of the change is applied").containsExactly(503);
    }
  }

  /**
   * A broken edit made while the gateway starts (a ConfigMap half-updated as the pod comes up) is said: the watcher's
   * first look dropped every error of the file as a whole, a YAML syntax error too, and the node ran on in silence.
   */
  @Test
  void aBrokenEditMadeWhileTheGatewayStartsIsSaid() throws Exception {
    Path file = dir.resolve("broken.yaml");
    Files.writeString(file, "chaos: { enabled: false }\n");
    try (LogCapture log = LogCapture.of(ConfigReloader.class); GatewayFixture gw = new GatewayFixture(file, Map.of(), () -> {
      try {
        Files.writeString(file, "chaos: { enabled: true\n");
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    })) {
      long deadline = System.currentTimeMillis() + 10_000;
      while (log.messages().stream().noneMatch(m -> m.startsWith("not reloading " + file)) && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
      }
      assertThat(log.messages()).as("what the reloader logged").anyMatch(m -> m.startsWith("not reloading " + file));
      assertThat(gw.status().getBoolean("enabled")).as("the node runs on what it started with").isFalse();
    }
  }

  @Test
  void aFileWithNoSettingsLeftOrNoFileAtAllIsNeverApplied() throws Exception {
    Path file = dir.resolve("blank.yaml");
    Files.writeString(file, "chaos: { enabled: true, fault_injection: { http_errors: [503], http_error_probability: 1 } }\n");
    try (LogCapture log = LogCapture.of(io.faultline.gateway.config.ConfigLoader.class);
        GatewayFixture gw = new GatewayFixture(file, Map.of())) {
      Files.writeString(file, "\n# everything commented out, or a newline an editor wrote first\n");
      Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5_000));
      Thread.sleep(2_500); // two polls of the watcher
      assertThat(gw.traffic("/x").statusCode()).as("chaos as it was, not every default").isEqualTo(503);
      // the refusal alone is said: not also that every setting is now its default (that is the start's warning)
      assertThat(log.messages()).as("what the config loader logged").isEmpty();
      HttpResponse<Buffer> asked = gw.post("/api/config/reload");
      assertThat(asked.statusCode()).isEqualTo(400);
      assertThat(asked.bodyAsJsonObject().getString("error")).endsWith("holds no settings (blank lines or comments only): nothing reloaded");

      Files.delete(file);
      HttpResponse<Buffer> gone = gw.post("/api/config/reload");
      assertThat(gone.statusCode()).isEqualTo(400);
      assertThat(gone.bodyAsJsonObject().getString("field")).isEqualTo("config");
      assertThat(gone.bodyAsJsonObject().getString("error")).endsWith("is gone (deleted or moved away): nothing reloaded");
      assertThat(gw.traffic("/x").statusCode()).isEqualTo(503);

      // {} is no blank file but every default, on purpose: it was refused as "blank lines or comments only"
      Files.writeString(file, "{}\n");
      HttpResponse<Buffer> defaults = gw.post("/api/config/reload");
      assertThat(defaults.statusCode()).as(defaults.bodyAsString()).isEqualTo(200);
      assertThat(defaults.bodyAsJsonObject().getBoolean("reloaded")).isTrue();
      assertThat(gw.traffic("/x").statusCode()).as("chaos off, as the file says").isEqualTo(200);
    }
  }
}
