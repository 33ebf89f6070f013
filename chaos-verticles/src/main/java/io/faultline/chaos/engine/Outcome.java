package io.faultline.chaos.engine;

/** How an exchange ended, as the limiters that guard exchanges ({@link Guard}) judge it. */
public enum Outcome {
  /** Answered without a server error. */
  SUCCEEDED,
  /** A server error (5xx or its protocol's equivalent) or a lost connection, real or injected. */
  FAILED,
  /** A client error the gateway answered itself (a rate limit's 429): says nothing about the upstream. */
  IGNORED
}
