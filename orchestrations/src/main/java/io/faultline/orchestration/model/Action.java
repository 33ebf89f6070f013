package io.faultline.orchestration.model;

import java.util.Map;

/** One hook action: {@code log}, {@code set_variable}, {@code record_metric}, {@code http_request} or {@code command}, with its fields. */
public record Action(String type, Map<String, Object> fields) {
}
