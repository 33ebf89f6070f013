package io.faultline.chaos.state;

import com.fasterxml.jackson.core.type.TypeReference;
import io.faultline.chaos.config.ChaosConfig;
import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.chaos.config.ChaosJson;
import io.faultline.chaos.config.Scenario;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Saved scenarios as one JSON file ({@code DIR/scenarios.json}), replaced atomically on every change
 * so a crash never leaves half a file.
 */
public final class FileScenarioStore implements ScenarioStore {

  private final Path file;

  public FileScenarioStore(Path dir) {
    this.file = dir.resolve("scenarios.json");
  }

  @Override
  public List<Scenario> load() {
    if (!Files.exists(file)) {
      return List.of();
    }
    List<Map<String, Object>> entries;
    try {
      entries = ChaosJson.mapper().readValue(file.toFile(), new TypeReference<List<Map<String, Object>>>() { });
    } catch (IOException e) {
      throw new ChaosConfigException("state_dir", "cannot read saved scenarios from " + file + ": " + e.getMessage());
    }
    List<Scenario> scenarios = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      Map<String, Object> entry = entries.get(i);
      ChaosConfig config = ChaosJson.convert(entry.get("config"), ChaosConfig.class, file + "[" + i + "].config");
      Object duration = entry.get("default_duration_seconds");
      scenarios.add(new Scenario((String) entry.get("name"), (String) entry.get("description"), false, config,
          duration instanceof Number n ? n.doubleValue() : null));
    }
    return scenarios;
  }

  @Override
  public void save(List<Scenario> scenarios) {
    List<Map<String, Object>> entries = new ArrayList<>();
    for (Scenario s : scenarios) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("name", s.name());
      entry.put("description", s.description());
      if (s.defaultDurationSeconds() != null) {
        entry.put("default_duration_seconds", s.defaultDurationSeconds());
      }
      entry.put("config", ChaosJson.toMap(s.config()));
      entries.add(entry);
    }
    try {
      StateFiles.replace(file, temporary -> ChaosJson.mapper().writerWithDefaultPrettyPrinter().writeValue(temporary.toFile(), entries));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the saved scenarios to " + file + " (" + e + ")", e);
    }
  }
}
