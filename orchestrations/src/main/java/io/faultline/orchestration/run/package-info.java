/**
 * Running an orchestration: {@link io.faultline.orchestration.run.Run} sequences the steps (in a loop,
 * never a chain that grows with the iterations), applies their chaos through the control addresses,
 * waits on an injected {@link io.faultline.orchestration.run.RunClock}, measures the node's traffic,
 * checks assertions, and puts the config that was active before it back however it ends (a watchdog
 * sees to that). A run may be scoped to one node ({@link io.faultline.orchestration.run.RunScope}, a
 * distributed task's item): its chaos is then that item's rule, and the end removes it.
 */
package io.faultline.orchestration.run;
