package io.faultline.protocol.grpc;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.streams.ReadStream;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.server.GrpcServerResponse;

/**
 * Relays a call's response messages to its client in batches: every message that arrives in one turn of
 * the event loop (one read of the upstream's connection holds many) goes out framed in one HTTP/2 write.
 * Written one by one, each message was a DATA frame and a flush of its own (Vert.x flushes a stream's
 * write at once unless that stream's own connection is being read), which made a server-streaming call
 * of 100 small messages cost 100 system calls: the streaming bench's profile was two thirds flushes.
 * gRPC lets messages share DATA frames, so the client reads the same messages.
 *
 * <p>Uncompressed messages to a response that compresses nothing are batched; any other message is
 * written through {@link GrpcServerResponse#writeMessage} (after the batch before it), which compresses
 * or decompresses it as the response's encoding says. The response's head must have been sent.
 */
final class MessageBatch {

  private static final int HEADER_BYTES = 5;

  private final GrpcServerResponse<Buffer, Buffer> grpc;
  private final ReadStream<?> source;
  private final boolean identity;
  private final TurnBatch batch;

  /** {@code source} is paused while the client's stream cannot take more. */
  MessageBatch(Context context, GrpcServerResponse<Buffer, Buffer> grpc, HttpServerResponse http, String encoding, ReadStream<?> source) {
    this.grpc = grpc;
    this.source = source;
    this.identity = encoding == null || encoding.equals("identity");
    this.batch = TurnBatch.toClient(context, http, source);
  }

  void add(GrpcMessage message) {
    if (!identity || !message.encoding().equals("identity")) {
      batch.flush();
      GrpcRelay.relay(message, grpc, source);
      return;
    }
    Buffer payload = message.payload();
    batch.appendable(HEADER_BYTES + payload.length()).appendByte((byte) 0).appendInt(payload.length()).appendBuffer(payload);
    batch.full();
  }

  /** Writes what is pending now (before the response ends, or when the batch is full). */
  void flush() {
    batch.flush();
  }
}
