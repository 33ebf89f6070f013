package io.faultline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
