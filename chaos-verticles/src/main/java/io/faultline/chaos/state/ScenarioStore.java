package io.faultline.chaos.state;

import io.faultline.chaos.config.Scenario;
import java.util.List;

/** Where saved (custom) scenarios are kept between runs. Calls block: never call them on an event loop. */
public interface ScenarioStore {

  /** Keeps nothing: saved scenarios last as long as the process. */
  ScenarioStore MEMORY = new ScenarioStore() {
    @Override
    public List<Scenario> load() {
      return List.of();
    }

    @Override
    public void save(List<Scenario> scenarios) {
    }
  };

  List<Scenario> load();

  void save(List<Scenario> scenarios);
}
