package io.faultline.chaos.control;

import io.vertx.core.eventbus.Message;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The kill switch against changes already on their way. A run (or an experiment) learns that chaos was switched off
 * from the change published once the switch is applied; a step of it sent meanwhile was applied after the switch and
 * switched chaos on again, and the run, stopping for the kill switch, put nothing back. So the control verticle, which
 * applies changes one at a time, refuses the config changes of a runner that made its first change before the last kill
 * switch: the run that was stopped changes no more chaos (a run started after it does). One event loop, not
 * thread-safe.
 */
public final class KilledRuns {

  /**
   * What could switch chaos on or change what it does: a config set, a scenario's start, an enable, and a run's putting
   * back the config it found (a run the kill switch stopped puts nothing back).
   */
  private static final Set<String> CHANGING = Set.of(Addresses.CHAOS_SET, Addresses.SCENARIO_START, Addresses.CHAOS_ENABLE,
      InternalAddresses.CHAOS_RESTORE);
  /** The {@code field} of a refusal: a runner reads it as the kill switch itself. */
  public static final String FIELD = "kill_switch";
  /** The runners remembered, the newest kept: far more than run between two kill switches. */
  private static final int REMEMBERED = 1_000;

  KilledRuns() {
  }

  /** Whether {@code failure} is a runner's change refused for the kill switch ({@link #refuse}): the kill switch itself. */
  public static boolean refused(Throwable failure) {
    if (!(failure instanceof io.vertx.core.eventbus.ReplyException reply) || reply.failureCode() != 409) {
      return false;
    }
    try {
      return FIELD.equals(new io.vertx.core.json.JsonObject(reply.getMessage()).getString("field"));
    } catch (RuntimeException notJson) {
      return false;
    }
  }

  /** Changes applied, counted. */
  private long applied;
  private long lastKill = -1;
  /** Each runner ({@code orchestration:RUN_ID}, {@code experiment:ID}) by the count of its first change. */
  private final Map<String, Long> firstChange = new LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
      return size() > REMEMBERED;
    }
  };

  /** Throws {@link ControlError.Conflict} when {@code message} to {@code address} is a stopped runner's change. */
  void refuse(String address, Message<?> message) {
    if (!CHANGING.contains(address) || !ChangeLog.STEERERS.contains(ChangeLog.source(message))) {
      return;
    }
    String runner = message.headers().get(Addresses.SOURCE_HEADER);
    Long first = firstChange.get(runner);
    if (first != null && first < lastKill) {
      throw new ControlError.Conflict(FIELD, "chaos was switched off (the kill switch) while " + runner
          + " went on: it changes no more chaos");
    }
  }

  /** Counts {@code message} to {@code address}, applied: a kill switch, or a runner's first change. */
  void applied(String address, Message<?> message) {
    applied++;
    String source = ChangeLog.source(message);
    if (ChangeLog.killSwitch(address, source)) {
      lastKill = applied;
    } else if (ChangeLog.STEERERS.contains(source)) {
      firstChange.putIfAbsent(message.headers().get(Addresses.SOURCE_HEADER), applied);
    }
  }
}
