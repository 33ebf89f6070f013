/**
 * Run reports: the typed {@link io.faultline.orchestration.report.RunReport} a run produces (the
 * experiment history persists it), its JSON (the shape the REST API has always served), JUnit XML and
 * HTML renderings, and the node's store of recent reports.
 */
package io.faultline.orchestration.report;
