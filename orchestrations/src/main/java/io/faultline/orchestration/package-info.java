/**
 * Orchestrations: the {@link io.faultline.orchestration.OrchestratorVerticle} and its event-bus
 * addresses, and the metric names runs measure ({@link io.faultline.orchestration.Metrics}). The parts
 * live in {@code model}, {@code parse}, {@code run}, {@code hook}, {@code report} and {@code library}.
 */
package io.faultline.orchestration;
