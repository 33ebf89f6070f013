/**
 * Hooks: what runs before and after steps and runs ({@code log}, {@code set_variable},
 * {@code record_metric}, {@code http_request}, {@code command}), within what the node permits. Commands
 * and HTTP calls run off the event loop; what they report comes back to the run on its event loop.
 */
package io.faultline.orchestration.hook;
