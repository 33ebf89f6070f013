/**
 * The orchestration model of references 003 and 004 as records: an {@link io.faultline.orchestration.model.Orchestration}
 * of {@link io.faultline.orchestration.model.Step}s with their conditions, hooks and assertions. The parser builds
 * them; the run only reads them.
 */
package io.faultline.orchestration.model;
