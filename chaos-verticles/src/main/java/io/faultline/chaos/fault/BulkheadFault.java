package io.faultline.chaos.fault;

import io.faultline.chaos.engine.ChaosRandom;
import io.faultline.chaos.engine.Decision;
import io.faultline.chaos.engine.Fault;
import io.faultline.chaos.engine.Guard;
import io.faultline.chaos.engine.RequestFacts;
import io.faultline.chaos.engine.Terminal;
import io.faultline.chaos.limit.Bulkhead;
import io.vertx.core.Context;
import io.vertx.core.Future;

/** The {@code BulkheadFault} makes each request wait for one of {@code max_concurrent_requests} permits; 503 when the queue is full. */
public final class BulkheadFault implements Fault {

  public static final String TYPE = "bulkhead";

  private static final Terminal FULL = new Terminal.BulkheadFull(TYPE);

  private final Decision guarded;

  public BulkheadFault(Bulkhead bulkhead) {
    this.guarded = new Decision.Guarded(new Permit(bulkhead));
  }

  @Override
  public Decision decide(RequestFacts request, ChaosRandom random) {
    return guarded;
  }

  /** An exchange's hold on one permit: taken before it goes on, given back when it ends. */
  private record Permit(Bulkhead bulkhead) implements Guard {

    @Override
    public Future<Void> admit(Context context) {
      return bulkhead.acquire(context);
    }

    @Override
    public void cancel(Future<Void> admission) {
      bulkhead.cancel(admission);
    }

    @Override
    public Terminal refusal() {
      return FULL;
    }

    @Override
    public void release() {
      bulkhead.release();
    }
  }
}
