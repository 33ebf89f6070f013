package io.faultline.protocol.grpc;

import io.vertx.grpc.common.GrpcStatus;
import java.util.EnumSet;
import java.util.Set;

/**
 * The mapping of HTTP statuses to gRPC statuses the way gRPC gateways map them (429 → RESOURCE_EXHAUSTED,
 * 503 → UNAVAILABLE, 504 → DEADLINE_EXCEEDED, ...), and which statuses count as a failed call.
 */
final class GrpcDecisions {

  /** Metadata key naming an injected fault, in the response headers (or trailers-only response). */
  static final String FAULT_HEADER = "x-faultline-fault";

  /** Statuses that count as a failed call for the simulated circuit breaker. */
  private static final Set<GrpcStatus> FAILURES = EnumSet.of(GrpcStatus.UNKNOWN, GrpcStatus.DEADLINE_EXCEEDED,
      GrpcStatus.INTERNAL, GrpcStatus.UNAVAILABLE, GrpcStatus.DATA_LOSS);

  private GrpcDecisions() {
  }

  static GrpcStatus fromHttp(int status) {
    return switch (status) {
      case 400 -> GrpcStatus.INVALID_ARGUMENT;
      case 401 -> GrpcStatus.UNAUTHENTICATED;
      case 403 -> GrpcStatus.PERMISSION_DENIED;
      case 404 -> GrpcStatus.NOT_FOUND;
      case 409 -> GrpcStatus.ABORTED;
      case 412 -> GrpcStatus.FAILED_PRECONDITION;
      case 429 -> GrpcStatus.RESOURCE_EXHAUSTED;
      case 499 -> GrpcStatus.CANCELLED;
      case 500 -> GrpcStatus.INTERNAL;
      case 501 -> GrpcStatus.UNIMPLEMENTED;
      case 502, 503 -> GrpcStatus.UNAVAILABLE;
      case 504 -> GrpcStatus.DEADLINE_EXCEEDED;
      default -> status >= 500 ? GrpcStatus.UNKNOWN : status >= 400 ? GrpcStatus.FAILED_PRECONDITION : GrpcStatus.UNKNOWN;
    };
  }

  static boolean failed(GrpcStatus status) {
    return status != null && FAILURES.contains(status);
  }
}
