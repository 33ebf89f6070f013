package io.faultline.chaos.listener;

import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.HttpClientConnectionInternal;
import io.vertx.core.http.impl.UnpooledHttpClientConnection;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * What every HTTP/1.x connection to an upstream gets between Netty's HTTP decoder and Vert.x, where the
 * Vert.x client falls short of a proxy's needs: {@link InterimAnswers} (1xx it does not know) and
 * {@link AnswersBeforeClose} (an answer kept whole when the upstream closes right after it).
 */
public final class UpstreamPipeline {

  /** The name Vert.x gives its HTTP/1.x client codec in a connection's pipeline. */
  static final String CODEC = "codec";

  /**
   * The connection under the wrapper {@code HttpClientAgent.connect} gives: its pipeline is reached
   * through it (Vert.x offers no other way; the version is pinned, and the tests fail if this changes).
   */
  private static final VarHandle UNPOOLED_ACTUAL;

  static {
    try {
      UNPOOLED_ACTUAL = MethodHandles.privateLookupIn(UnpooledHttpClientConnection.class, MethodHandles.lookup())
          .findVarHandle(UnpooledHttpClientConnection.class, "actual", HttpClientConnectionInternal.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private UpstreamPipeline() {
  }

  /** Prepares {@code connection}, an upstream connection of an HTTP client (pooled, or from {@code connect}). */
  public static void prepare(HttpConnection connection) {
    HttpClientConnectionInternal internal = internal(connection);
    if (internal != null) {
      InterimAnswers.install(internal);
      AnswersBeforeClose.install(internal);
    }
  }

  /** True when the upstream has closed {@code connection} already (its close waits for an answer to be read): never to be used again. */
  static boolean closing(HttpConnection connection) {
    HttpClientConnectionInternal internal = internal(connection);
    return internal != null && AnswersBeforeClose.closing(internal);
  }

  private static HttpClientConnectionInternal internal(HttpConnection connection) {
    if (connection instanceof UnpooledHttpClientConnection unpooled) {
      connection = (HttpConnection) UNPOOLED_ACTUAL.get(unpooled);
    }
    return connection instanceof HttpClientConnectionInternal internal ? internal : null;
  }
}
