package io.faultline.orchestration.model;

/** A scenario a step names without a config (it must exist on the node): the field's path and line, and the name. */
public record ScenarioRef(String path, int line, String name) {
}
