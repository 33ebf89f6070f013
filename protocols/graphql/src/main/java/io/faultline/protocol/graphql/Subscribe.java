package io.faultline.protocol.graphql;

import io.vertx.core.Promise;

/**
 * One {@code subscribe} message of a GraphQL-over-WebSocket connection: an exchange of its own for the
 * chaos lifecycle. {@link #acted} completes once it was forwarded or refused, so the connection's next
 * client message waits for it and order holds.
 */
record Subscribe(SubscriptionRelay relay, String id, ParsedOperation operation, String text, long startedNanos, Promise<Void> acted) {
}
