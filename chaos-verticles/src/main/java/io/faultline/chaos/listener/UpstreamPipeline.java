package io.faultline.chaos.listener;

import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.HttpClientConnectionInternal;

/**
 * What every HTTP/1.x connection of a pooled Vert.x client to an upstream gets between Netty's HTTP decoder and
 * Vert.x, where the client falls short of a proxy's needs ({@link UpstreamAnswers}: 1xx it does not know passed
 * over, an answer kept whole when the upstream closes right after it).
 */
public final class UpstreamPipeline {

  /** The name Vert.x gives its HTTP/1.x client codec in a connection's pipeline. */
  static final String CODEC = "codec";

  private UpstreamPipeline() {
  }

  /** Prepares {@code connection}, a new upstream connection of a pooled HTTP client (the pool hands its own, not a wrapper). */
  public static void prepare(HttpConnection connection) {
    if (connection instanceof HttpClientConnectionInternal internal) {
      UpstreamAnswers.install(internal);
    }
  }
}
