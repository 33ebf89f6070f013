package io.faultline.admin.bridge;

import io.faultline.chaos.control.Addresses;
import io.faultline.history.HistoryAddresses;
import io.faultline.orchestration.OrchestratorVerticle;
import java.util.Set;

/**
 * The event-bus addresses a script may use over the bridge: those README's event-bus table documents.
 * Everything else a node answers (cluster replication, the config rebase, report and library
 * synchronisation between nodes, file import and export) is internal and refused.
 */
public final class PublicAddresses {

  private static final Set<String> INBOUND = Set.of(
      Addresses.CHAOS_STATUS, Addresses.CHAOS_GET, Addresses.CHAOS_SET, Addresses.CHAOS_ENABLE, Addresses.CHAOS_DISABLE,
      Addresses.CHAOS_RESET, Addresses.CHAOS_CHANGES, Addresses.RULES_LIST, Addresses.RULES_PUT, Addresses.RULES_REMOVE, Addresses.RULES_REPLACE,
      Addresses.SCENARIO_LIST, Addresses.SCENARIO_START, Addresses.SCENARIO_STOP, Addresses.SCENARIO_SAVE,
      Addresses.SCENARIO_DELETE, Addresses.CONFIG_RELOAD, Addresses.CLUSTER_NODES, Addresses.CLUSTER_LEADER,
      Addresses.TASKS_SUBMIT, Addresses.TASKS_LIST, Addresses.TASKS_GET, Addresses.TASKS_CANCEL, Addresses.TASKS_DELETE, Addresses.TRAFFIC_RECENT,
      Addresses.LISTENERS_LIST, Addresses.LISTENERS_ADD, Addresses.LISTENERS_REMOVE,
      OrchestratorVerticle.VALIDATE, OrchestratorVerticle.START, OrchestratorVerticle.STOP, OrchestratorVerticle.STATUS,
      OrchestratorVerticle.REPORTS, OrchestratorVerticle.REPORT, OrchestratorVerticle.EXECUTE,
      OrchestratorVerticle.LIBRARY_LIST, OrchestratorVerticle.LIBRARY_GET, OrchestratorVerticle.LIBRARY_PUT,
      OrchestratorVerticle.LIBRARY_DELETE,
      HistoryAddresses.RUNS, HistoryAddresses.RUN, HistoryAddresses.TRENDS, HistoryAddresses.COMPARE, HistoryAddresses.SUMMARY,
      HistoryAddresses.EXPORT, HistoryAddresses.AB, HistoryAddresses.BREAKING_POINT, HistoryAddresses.EXPERIMENTS,
      HistoryAddresses.EXPERIMENT, HistoryAddresses.EXPERIMENT_STOP, HistoryAddresses.CHANGES, HistoryAddresses.WINDOWS, HistoryAddresses.RECORDER_SEARCH,
      HistoryAddresses.ANOMALIES, HistoryAddresses.ANALYTICS_TRENDS, HistoryAddresses.HEALTH, HistoryAddresses.INSIGHTS);

  /** A run's record is published by the node that ran it; scripts may listen, not publish one (it would enter the history). */
  private static final Set<String> OUTBOUND = Set.of(Addresses.CHAOS_CHANGED, OrchestratorVerticle.PROGRESS, OrchestratorVerticle.SCHEDULED,
      Addresses.TRAFFIC_SUMMARY, HistoryAddresses.RUN_RECORDED);

  /** Addresses that act on nothing but their name: the REST calls they stand for take no body either. */
  private static final Set<String> NO_BODY = Set.of(Addresses.CHAOS_ENABLE, Addresses.CHAOS_DISABLE, Addresses.CHAOS_RESET,
      Addresses.SCENARIO_STOP, Addresses.CONFIG_RELOAD, OrchestratorVerticle.STOP);

  private PublicAddresses() {
  }

  /** Whether {@code address} takes no body (a body other than {@code {}} is refused: it would be ignored). */
  public static boolean takesNoBody(String address) {
    return NO_BODY.contains(address);
  }

  /** Addresses a script may send or publish to. */
  public static Set<String> inbound() {
    return INBOUND;
  }

  /** Addresses a script may register for (events the node publishes). */
  public static Set<String> outbound() {
    return OUTBOUND;
  }
}
