package io.faultline.chaos.config;

/** A named chaos config that can be started as a whole. Built-in scenarios cannot be overwritten. */
public record Scenario(String name, String description, boolean builtIn, ChaosConfig config) {

  public Scenario {
    if (name == null || !name.matches("[A-Za-z0-9_.-]{1,64}")) {
      throw new ChaosConfigException("name", "must be 1-64 letters, digits, '_', '-' or '.', got " + name);
    }
    if (config == null) {
      throw new ChaosConfigException("config", "is required");
    }
    description = description == null ? "" : description;
  }
}
