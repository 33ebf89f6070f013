package io.faultline.history.store;

/**
 * Reference 001's recorder search: each field null for "any". {@code path} matches exactly, or as a
 * prefix when it ends with {@code *}; {@code fault} is one fault type; times are epoch milliseconds on
 * when the exchange ended; {@code limit} is 1..10,000, newest first.
 */
public record ExchangeFilter(Integer statusCode, String path, String fault, String listener, Long since, Long until, int limit) {
}
