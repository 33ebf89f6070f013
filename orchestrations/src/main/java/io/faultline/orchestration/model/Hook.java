package io.faultline.orchestration.model;

import java.util.List;

/**
 * Hooks run at {@code pre_step}, {@code post_step}, {@code pre_orchestration} or
 * {@code post_orchestration}, if their condition holds; a {@code required} hook that fails fails its
 * step (or, before the orchestration, the run).
 */
public record Hook(String name, String type, List<Action> actions, Condition condition, boolean required) {
}
