package io.faultline.chaos.fault;

import io.faultline.chaos.engine.ChaosRandom;
import io.faultline.chaos.engine.Decision;
import io.faultline.chaos.engine.Fault;
import io.faultline.chaos.engine.RequestFacts;
import io.faultline.chaos.limit.Bulkhead;

/** The {@code BulkheadFault} makes each request wait for one of {@code max_concurrent_requests} permits; 503 when the queue is full. */
public final class BulkheadFault implements Fault {

  public static final String TYPE = "bulkhead";

  private final Decision admit;

  public BulkheadFault(Bulkhead bulkhead) {
    this.admit = new Decision.Admit(bulkhead);
  }

  @Override
  public Decision decide(RequestFacts request, ChaosRandom random) {
    return admit;
  }
}
