package io.faultline.chaos.config;

/**
 * A named chaos config that can be started as a whole. Built-in scenarios cannot be overwritten.
 * {@code defaultDurationSeconds} is how long an orchestration step that names it without a duration
 * lasts (reference 003: "0 = use scenario default"); null means {@link #DEFAULT_DURATION_SECONDS}.
 */
public record Scenario(String name, String description, boolean builtIn, ChaosConfig config, Double defaultDurationSeconds) {

  /** The default duration of a scenario that names none (every built-in one has it). */
  public static final double DEFAULT_DURATION_SECONDS = 60;

  public Scenario {
    if (name == null || !name.matches("[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}")) {
      throw new ChaosConfigException("name", "must be 1-64 letters, digits, '_', '-' or '.' (not starting with '.'), got " + name);
    }
    if (config == null) {
      throw new ChaosConfigException("config", "is required");
    }
    if (defaultDurationSeconds != null && !(defaultDurationSeconds > 0 && defaultDurationSeconds <= 31_536_000)) {
      throw new ChaosConfigException("default_duration_seconds", "must be more than 0 and at most 31536000 (a year), got "
          + defaultDurationSeconds);
    }
    description = description == null ? "" : description;
  }

  public Scenario(String name, String description, boolean builtIn, ChaosConfig config) {
    this(name, description, builtIn, config, null);
  }

  /** How long a step that names this scenario without a duration lasts. */
  public double durationSeconds() {
    return defaultDurationSeconds == null ? DEFAULT_DURATION_SECONDS : defaultDurationSeconds;
  }
}
