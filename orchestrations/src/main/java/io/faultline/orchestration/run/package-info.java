/**
 * Running an orchestration: {@link io.faultline.orchestration.run.Run} sequences the steps (in a loop,
 * never a chain that grows with the iterations), applies their chaos through the control addresses,
 * waits on an injected {@link io.faultline.orchestration.run.RunClock}, measures the node's traffic,
 * checks assertions, and puts the config that was active before it back however it ends (a watchdog
 * sees to that).
 */
package io.faultline.orchestration.run;
