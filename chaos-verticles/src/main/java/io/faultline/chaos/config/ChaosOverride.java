package io.faultline.chaos.config;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** A listener's own chaos sections; they become the rule {@code listener:NAME} matching all its traffic. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChaosOverride(Boolean enabled, @JsonIgnore SectionValues sections) implements ChaosSections {

  private static final List<String> FIELDS = List.of("enabled");

  public ChaosOverride {
    sections = sections == null ? SectionValues.NONE : sections;
    ChaosRule.globalOnly(sections);
  }

  @JsonCreator
  static ChaosOverride json(@JsonProperty("enabled") Boolean enabled, @JsonAnySetter Map<String, Object> sections) {
    return new ChaosOverride(enabled, SectionValues.read(sections, FIELDS));
  }

  @JsonAnyGetter
  Map<String, Object> jsonSections() {
    return sections.byName();
  }

  public ChaosRule toRule(String listener) {
    return new ChaosRule(ChaosRule.LISTENER_PREFIX + listener, enabled, RuleMatch.listenerOnly(listener), sections);
  }
}
