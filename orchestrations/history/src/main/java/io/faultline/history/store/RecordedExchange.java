package io.faultline.history.store;

import io.faultline.chaos.event.ExchangeRecord;

/**
 * An exchange the flight recorder kept, with the id its node gave it when it was kept: a batch written
 * again after a lost answer carries the same ids, and the store keeps each exchange once.
 */
public record RecordedExchange(String id, ExchangeRecord exchange) {
}
