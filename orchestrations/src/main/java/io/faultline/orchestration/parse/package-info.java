/**
 * Reading orchestrations: YAML or JSON text to the {@link io.faultline.orchestration.model model}, with
 * every problem reported by field path (and line, for YAML), not just the first.
 */
package io.faultline.orchestration.parse;
