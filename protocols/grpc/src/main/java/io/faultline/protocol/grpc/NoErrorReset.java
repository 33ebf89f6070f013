package io.faultline.protocol.grpc;

import io.vertx.core.http.StreamResetException;

/**
 * An upstream's {@code RST_STREAM(NO_ERROR)}: a server that answered whole before its client finished sending asks it
 * so to stop (RFC 9113, 8.1), and grpc-go's servers do it whenever they end a call the client has not half-closed.
 * The answer stands, as gRPC clients take it (grpc-java ignores a reset after the trailers). Vert.x reports the
 * reset at once, while the answer's end may still wait in its queue behind a pause (a delay, a slow client): it
 * comes when the relay resumes, so the relay lets it come instead of resetting its client's stream as for a failure.
 * A server that resets so before its answer's end (against the RFC) is still caught: Vert.x then reports the stream
 * closed unended, as another error, at once.
 */
final class NoErrorReset {

  private static final long NO_ERROR = 0x0;

  private NoErrorReset() {
  }

  static boolean is(Throwable error) {
    return error instanceof StreamResetException reset && reset.getCode() == NO_ERROR;
  }
}
