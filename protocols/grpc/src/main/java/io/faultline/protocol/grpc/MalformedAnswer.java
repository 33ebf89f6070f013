package io.faultline.protocol.grpc;

import io.vertx.core.http.HttpClientResponse;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.common.GrpcStatus;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * What an upstream did wrong in an answer its client could not read as it came, said in the {@code grpc-message}
 * the client gets instead ({@code upstream 127.0.0.1:50051 sent grpc-status "abc", not a number}), so that "the
 * upstream sent garbage" reads apart from a fault Faultline injected. Both paths word it alike.
 */
final class MalformedAnswer {

  /** The status and message the client gets instead of the upstream's answer. */
  record Answer(GrpcStatus status, String message) {
  }

  private MalformedAnswer() {
  }

  /**
   * What the upstream did wrong in {@code answer}, on which Vert.x's client threw {@code failure} while decoding it,
   * or null when the answer shows nothing wrong. UNKNOWN for a status that is not a number, as grpc-java reads the
   * same answer relayed as it came; INTERNAL for an answer no gRPC client can read whole (a peer breaking the
   * protocol, as grpc-java reports a compressed message it has no codec for).
   */
  static Answer of(GrpcClientResponse<?, ?> answer, Throwable failure, String upstream) {
    String endStatus = answer.trailers().get("grpc-status");
    if (failure instanceof NumberFormatException && endStatus != null && !isStatusCode(endStatus)) {
      return new Answer(GrpcStatus.UNKNOWN, wordStatus(upstream, endStatus, answer.trailers().get("grpc-message")));
    }
    String headStatus = answer.headers().get("grpc-status");
    if (failure instanceof NullPointerException && headStatus != null) {
      // Vert.x took the head for a trailers-only answer's, and has no wire format for the messages that came after it
      return new Answer(GrpcStatus.INTERNAL, statusThenMessage(upstream, headStatus));
    }
    if (failure instanceof UnsupportedOperationException && answer.encoding() == null) {
      return new Answer(GrpcStatus.INTERNAL, compressedWithoutEncoding(upstream));
    }
    return null;
  }

  /**
   * Replaces, in an answer that has ended but is not decoded yet, a {@code grpc-status} that is not a number by
   * UNKNOWN and a message saying what the upstream sent, so that Vert.x's client decodes it as any status.
   */
  static void replaceWordStatus(GrpcClientResponse<?, ?> answer, HttpClientResponse http, String upstream) {
    if (answer.status() != null) {
      return; // read from its headers (or its end is decoded already): the trailers' is not read
    }
    // not answer.trailers(): asked before the answer's end, Vert.x makes an empty map, and from then on drops every
    // error of the answer (a reset, a lost connection) as if it had ended: a call broken off later hung
    String status = http.getTrailer("grpc-status");
    if (status != null && !isStatusCode(status)) {
      String message = wordStatus(upstream, status, answer.trailers().get("grpc-message"));
      answer.trailers().set("grpc-status", Integer.toString(GrpcStatus.UNKNOWN.code))
          .set("grpc-message", GrpcPassThrough.percentEncoded(message));
    }
  }

  /**
   * An answer that is no gRPC answer, read as gRPC clients read one that carries no {@code grpc-status}: an HTTP status
   * other than 200, or a content-type other than gRPC's, gets the status gRPC's HTTP-to-gRPC mapping gives
   * ({@link #fromHttpStatus}), as grpc-java and grpc-js read the answer relayed as it came. Null for a gRPC answer.
   */
  static Answer notGrpc(String upstream, int httpStatus, String contentType) {
    if (httpStatus == 200 && isGrpc(contentType)) {
      return null;
    }
    return new Answer(fromHttpStatus(httpStatus), "upstream " + upstream + " answered HTTP status " + httpStatus
        + (contentType == null ? " (no content-type)" : " (content-type " + contentType + ")") + " without a grpc-status");
  }

  /**
   * gRPC's mapping of an HTTP status that came without a {@code grpc-status} (doc/http-grpc-status-mapping.md), which
   * gRPC clients apply: not {@link GrpcDecisions#fromHttp}, the gateways' mapping for an HTTP error Faultline injects.
   */
  static GrpcStatus fromHttpStatus(int httpStatus) {
    return switch (httpStatus) {
      case 400 -> GrpcStatus.INTERNAL;
      case 401 -> GrpcStatus.UNAUTHENTICATED;
      case 403 -> GrpcStatus.PERMISSION_DENIED;
      case 404 -> GrpcStatus.UNIMPLEMENTED;
      case 429, 502, 503, 504 -> GrpcStatus.UNAVAILABLE;
      default -> GrpcStatus.UNKNOWN;
    };
  }

  /**
   * Whether {@code contentType} is gRPC's: {@code application/grpc}, alone or with a {@code +format} or parameters, in
   * any case (media types are, RFC 9110 8.3.1: {@code Application/grpc} got a bare 415).
   */
  static boolean isGrpc(String contentType) {
    String grpc = "application/grpc";
    return contentType != null && contentType.regionMatches(true, 0, grpc, 0, grpc.length())
        && (contentType.length() == grpc.length() || contentType.charAt(grpc.length()) == '+' || contentType.charAt(grpc.length()) == ';');
  }

  /**
   * A gRPC answer that ended without a {@code grpc-status} (no trailers, or none in them): INTERNAL, as grpc-java and
   * grpc-js read it relayed. Its head goes to the client at once, so even a head alone ending the stream (which they
   * read as UNKNOWN from the upstream itself) reaches them as a stream that ended without trailers.
   */
  static String noStatus(String upstream) {
    return "upstream " + upstream + " ended the call without a grpc-status";
  }

  /** Whether {@code value} is a {@code grpc-status} as gRPC's spec writes it: decimal digits only. */
  static boolean isStatusCode(String value) {
    if (value.isEmpty() || value.length() > 9) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  /** A {@code grpc-status} that is not a number (answered UNKNOWN, as grpc-java reads it), with the upstream's own message if any. */
  static String wordStatus(String upstream, String status, String rawMessage) {
    String said = "upstream " + upstream + " sent grpc-status \"" + status + "\", not a number";
    return rawMessage == null ? said : said + "; its grpc-message: " + decoded(rawMessage);
  }

  /**
   * Messages after a status in the answer's headers: its head is a trailers-only answer's, yet the stream goes on.
   * grpc-java and grpc-js read the messages and the trailers' status; Vert.x's client cannot read the messages.
   */
  static String statusThenMessage(String upstream, String status) {
    return "upstream " + upstream + " sent a message after the status in its headers (grpc-status " + status + ")";
  }

  /** A message flagged compressed in an answer that names no {@code grpc-encoding} to decompress it with. */
  static String compressedWithoutEncoding(String upstream) {
    return "upstream " + upstream + " sent a compressed message without saying its grpc-encoding";
  }

  /** An answer Vert.x's client (or the relay) failed on for a reason the answer does not show: a bug, logged too. */
  static String unreadable(String upstream, Throwable failure) {
    return "relaying the answer of upstream " + upstream + " failed: " + failure;
  }

  /** A {@code grpc-message} as its client reads it: percent-decoded (a '+' stays one), or as it came when that fails. */
  private static String decoded(String raw) {
    try {
      return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException notEncoded) {
      return raw;
    }
  }
}
