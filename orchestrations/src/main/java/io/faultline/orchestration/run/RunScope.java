package io.faultline.orchestration.run;

import io.faultline.chaos.control.TaskRules;

/**
 * Where a run's chaos goes when it is not the whole cluster's: item {@code index} of distributed task
 * {@code task}, run on {@code node}. Every change the run makes becomes that item's rule
 * ({@link TaskRules}), matching only {@code node}, so the run's steps change no other node's traffic.
 */
public record RunScope(String task, int index, String node) {

  public RunScope {
    if (task == null || node == null || index < 0) {
      throw new IllegalArgumentException("a task run needs its task, item index and node");
    }
  }

  /** The rule the run's chaos is. */
  public String rule() {
    return TaskRules.name(task, index);
  }
}
