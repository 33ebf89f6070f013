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
      try {
        scenarios.add(entry(entries.get(i)));
      } catch (ChaosConfigException e) {
        // the entry's own checks (a name a later version no longer takes) named a field the user looked for in their config
        throw new ChaosConfigException("state_dir", "a saved scenario in " + file + " cannot be restored: [" + i + "]."
            + e.field() + ": " + e.getMessage() + " (rename or remove it there)");
      }
    }
    return scenarios;
  }

  /** One saved entry, its fields' types checked first: a cast failed with a ClassCastException, which named nothing. */
  private static Scenario entry(Map<String, Object> entry) {
    if (entry == null) {
      throw new ChaosConfigException("", "must be an object {name, description, config}");
    }
    Object name = entry.get("name");
    Object description = entry.get("description");
    Object duration = entry.get("default_duration_seconds");
    if (!(name instanceof String)) {
      throw new ChaosConfigException("name", "must be a string, got " + name);
    }
    if (description != null && !(description instanceof String)) {
      throw new ChaosConfigException("description", "must be a string, got " + description);
    }
    if (duration != null && !(duration instanceof Number)) {
      throw new ChaosConfigException("default_duration_seconds", "must be a number, got " + duration);
    }
    ChaosConfig config = ChaosJson.convert(entry.get("config"), ChaosConfig.class, "config");
    return new Scenario((String) name, (String) description, false, config, duration == null ? null : ((Number) duration).doubleValue());
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
