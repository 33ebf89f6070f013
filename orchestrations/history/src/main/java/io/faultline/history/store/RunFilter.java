package io.faultline.history.store;

/**
 * Which runs to list: each field null (or empty) for "any". Times are epoch milliseconds on
 * {@code started_at}; {@code limit} is 1..10,000.
 */
public record RunFilter(String name, String tag, String status, Long since, Long until, Double minScore, int limit) {

  public static RunFilter named(String name, long since, int limit) {
    return new RunFilter(name, null, null, since, null, null, limit);
  }

  public static RunFilter all(int limit) {
    return new RunFilter(null, null, null, null, null, null, limit);
  }

  /** The same filter, finding at most {@code max} runs. */
  public RunFilter withLimit(int max) {
    return new RunFilter(name, tag, status, since, until, minScore, max);
  }
}
