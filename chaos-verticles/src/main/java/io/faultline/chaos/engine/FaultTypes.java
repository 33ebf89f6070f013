package io.faultline.chaos.engine;

import io.faultline.chaos.config.BulkheadConfig;
import io.faultline.chaos.config.ChaosSections;
import io.faultline.chaos.config.CircuitBreakerConfig;
import io.faultline.chaos.config.FaultInjectionConfig;
import io.faultline.chaos.config.GraphQlConfig;
import io.faultline.chaos.config.LatencyConfig;
import io.faultline.chaos.config.RateLimitConfig;
import io.faultline.chaos.config.TcpConfig;
import io.faultline.chaos.config.TcpToxicTypes;
import io.faultline.chaos.config.TrafficShapingConfig;
import io.faultline.chaos.config.WebSocketConfig;
import io.faultline.chaos.fault.BandwidthFault;
import io.faultline.chaos.fault.AbortStreamFault;
import io.faultline.chaos.fault.BulkheadFault;
import io.faultline.chaos.fault.DownFault;
import io.faultline.chaos.fault.TcpToxicsFault;
import io.faultline.chaos.fault.GraphQlErrorFault;
import io.faultline.chaos.fault.GraphQlFieldFault;
import io.faultline.chaos.fault.GrpcStatusFault;
import io.faultline.chaos.fault.HandshakeDelayFault;
import io.faultline.chaos.fault.MessageFaults;
import io.faultline.chaos.fault.MessageLatencyFault;
import io.faultline.chaos.fault.StreamDropFault;
import io.faultline.chaos.fault.CircuitBreakerFault;
import io.faultline.chaos.fault.HttpErrorFault;
import io.faultline.chaos.fault.LatencyFault;
import io.faultline.chaos.fault.PacketLossFault;
import io.faultline.chaos.fault.PartialResponseFault;
import io.faultline.chaos.fault.RateLimitFault;
import io.faultline.chaos.fault.ResetPeerFault;
import io.faultline.chaos.fault.TimeoutFault;
import io.faultline.chaos.fault.WebSocketFault;
import io.faultline.chaos.limit.Bulkhead;
import io.faultline.chaos.limit.CircuitBreaker;
import io.faultline.chaos.limit.RateLimiter;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Every fault type, by name, in the order the engine consults them: a tcp listener that is down, guards
 * (breaker, rate limit, bulkhead), then latency, then errors, then shaping. Each entry builds its
 * {@link FaultSpec} from the config sections, or returns {@code null} when the sections leave it off. {@link #names()} adds the
 * types decided message by message ({@link MessageFaults}) and the toxics a tcp connection runs
 * ({@link TcpToxicTypes}): together, every type a listener counts.
 */
public final class FaultTypes {

  /** A registered fault type: its name and how to build it from config. */
  public record FaultType(String name, BiFunction<ChaosSections, StatefulParts, FaultSpec> builder) {
  }

  private static final List<FaultType> BUILT_IN = List.of(
      // A listener that is down refuses before any limiter counts the connection.
      new FaultType(DownFault.TYPE, (s, parts) -> {
        TcpConfig c = s.tcp();
        return c == null || !c.refusing() ? null : new FaultSpec(DownFault.TYPE, 1.0, new DownFault());
      }),
      new FaultType(CircuitBreakerFault.TYPE, (s, parts) -> {
        CircuitBreakerConfig c = s.circuitBreaker();
        if (c == null || !c.enabled()) {
          return null;
        }
        CircuitBreaker breaker = parts.shared(c, () -> new CircuitBreaker(c.failureThreshold(), c.resetTimeoutMs(),
            c.halfOpenMaxRequests(), c.successThreshold(), parts.nanoClock()));
        return new FaultSpec(CircuitBreakerFault.TYPE, 1.0, new CircuitBreakerFault(breaker));
      }),
      new FaultType(RateLimitFault.TYPE, (s, parts) -> {
        RateLimitConfig c = s.rateLimit();
        if (c == null || !c.enabled()) {
          return null;
        }
        // scope: cluster — each live node enforces its share of the cluster's rate and burst.
        int share = c.scope().equals("cluster") ? parts.clusterSize() : 1;
        java.util.function.Supplier<RateLimiter> all = () ->
            new RateLimiter(c.requestsPerSecond() / share, Math.max(1, c.burst() / share), parts.nanoClock());
        // only the cluster-wide bucket is split between the members: each client's and endpoint's stay the node's own
        RateLimiter whole = c.scope().equals("cluster") ? parts.sharedByMembers(c, "all", all) : parts.shared(c, "all", all);
        RateLimiter perIp = c.perIp() ? parts.shared(c, "per_ip", () -> RateLimiter.perSecond(c.perIpRate(), parts.nanoClock())) : null;
        RateLimiter perEndpoint = c.perEndpoint()
            ? parts.shared(c, "per_endpoint", () -> RateLimiter.perSecond(c.perEndpointRate(), parts.nanoClock())) : null;
        return new FaultSpec(RateLimitFault.TYPE, 1.0, new RateLimitFault(whole, perIp, perEndpoint));
      }),
      new FaultType(BulkheadFault.TYPE, (s, parts) -> {
        BulkheadConfig c = s.bulkhead();
        if (c == null || !c.enabled()) {
          return null;
        }
        Bulkhead bulkhead = parts.carried(c, Bulkhead.class, () -> new Bulkhead(c.maxConcurrentRequests(), c.maxQueueSize(), c.queueTimeoutMs()),
            b -> b.resize(c.maxConcurrentRequests(), c.maxQueueSize(), c.queueTimeoutMs()));
        return new FaultSpec(BulkheadFault.TYPE, 1.0, new BulkheadFault(bulkhead));
      }),
      new FaultType(LatencyFault.TYPE, (s, parts) -> {
        LatencyConfig c = s.latency();
        return c == null || !c.active() || c.fixedDelayMs() == 0 && c.randomDelayRangeMs() == null ? null
            : new FaultSpec(LatencyFault.TYPE, c.probability(), new LatencyFault(c));
      }),
      new FaultType(HandshakeDelayFault.TYPE, (s, parts) -> {
        WebSocketConfig c = s.websocket();
        return c == null || !c.enabled() || c.handshakeDelayMs() == 0 ? null
            : new FaultSpec(HandshakeDelayFault.TYPE, 1.0, new HandshakeDelayFault(c.handshakeDelayMs()));
      }),
      new FaultType(MessageLatencyFault.TYPE, (s, parts) -> {
        LatencyConfig c = s.latency();
        return c == null || !c.active() || c.perMessageDelayMs() == 0 ? null
            : new FaultSpec(MessageLatencyFault.TYPE, c.probability(), new MessageLatencyFault(c.perMessageDelayMs()),
                LatencyFault.TYPE); // one section, one draw: with its fixed delay or not at all
      }),
      new FaultType(GraphQlFieldFault.TYPE, (s, parts) -> {
        GraphQlConfig c = s.graphql();
        return c == null || !c.enabled() || c.fieldFaults().isEmpty() ? null
            : new FaultSpec(GraphQlFieldFault.TYPE, 1.0, new GraphQlFieldFault(c.fieldFaults()));
      }),
      new FaultType(GraphQlErrorFault.TYPE, (s, parts) -> {
        GraphQlConfig c = s.graphql();
        return c == null || !c.enabled() || c.errorProbability() == 0 ? null
            : new FaultSpec(GraphQlErrorFault.TYPE, c.errorProbability(), new GraphQlErrorFault(c));
      }),
      new FaultType(HttpErrorFault.TYPE, (s, parts) -> {
        FaultInjectionConfig c = injecting(s);
        return c == null || c.httpErrorProbability() == 0 ? null
            : new FaultSpec(HttpErrorFault.TYPE, c.httpErrorProbability(), new HttpErrorFault(c.httpErrors()));
      }),
      new FaultType(GrpcStatusFault.TYPE, (s, parts) -> {
        FaultInjectionConfig c = injecting(s);
        return c == null || c.grpcStatusProbability() == 0 ? null
            : new FaultSpec(GrpcStatusFault.TYPE, c.grpcStatusProbability(), new GrpcStatusFault(c.grpcStatusCodes(), c.grpcStatusMessage()));
      }),
      new FaultType(TimeoutFault.TYPE, (s, parts) -> {
        FaultInjectionConfig c = injecting(s);
        return c == null || c.timeoutProbability() == 0 ? null
            : new FaultSpec(TimeoutFault.TYPE, c.timeoutProbability(), new TimeoutFault(c.timeoutMs()));
      }),
      new FaultType(ResetPeerFault.TYPE, (s, parts) -> {
        FaultInjectionConfig c = injecting(s);
        return c == null || c.connectionErrorProbability() == 0 ? null
            : new FaultSpec(ResetPeerFault.TYPE, c.connectionErrorProbability(), new ResetPeerFault());
      }),
      new FaultType(PartialResponseFault.TYPE, (s, parts) -> {
        FaultInjectionConfig c = injecting(s);
        return c == null || c.partialResponseProbability() == 0 ? null
            : new FaultSpec(PartialResponseFault.TYPE, c.partialResponseProbability(), new PartialResponseFault());
      }),
      new FaultType(BandwidthFault.TYPE, (s, parts) -> {
        TrafficShapingConfig c = s.trafficShaping();
        return c == null || !c.enabled() || c.bandwidthLimitBps() == 0 ? null
            : new FaultSpec(BandwidthFault.TYPE, 1.0, new BandwidthFault(c.bandwidthLimitBps()));
      }),
      new FaultType(PacketLossFault.TYPE, (s, parts) -> {
        TrafficShapingConfig c = s.trafficShaping();
        return c == null || !c.enabled() || c.packetLossPercent() == 0 ? null
            : new FaultSpec(PacketLossFault.TYPE, c.packetLossPercent() / 100.0, new PacketLossFault());
      }),
      new FaultType(StreamDropFault.TYPE, (s, parts) -> {
        FaultInjectionConfig c = injecting(s);
        return c == null || c.streamDropProbability() == 0 ? null
            : new FaultSpec(StreamDropFault.TYPE, c.streamDropProbability(), new StreamDropFault());
      }),
      new FaultType(AbortStreamFault.TYPE, (s, parts) -> {
        FaultInjectionConfig c = injecting(s);
        return c == null || c.abortAfterMessages() == 0 ? null
            : new FaultSpec(AbortStreamFault.TYPE, 1.0, new AbortStreamFault(c.abortAfterMessages(), c.abortStatus()));
      }),
      new FaultType(WebSocketFault.TYPE, (s, parts) -> {
        WebSocketConfig ws = s.websocket() != null && s.websocket().active() ? s.websocket() : null;
        LatencyConfig latency = s.latency() != null && s.latency().active() ? s.latency() : null;
        if (ws == null && latency == null) {
          return null;
        }
        // With only latency set, this is the latency fault acting per message on websocket listeners: listed as latency.
        // The websocket section goes along even with no fault of its own: its direction says which way latency acts.
        return new FaultSpec(ws == null ? LatencyFault.TYPE : WebSocketFault.TYPE, 1.0,
            new WebSocketFault(ws != null ? ws : s.websocket(), latency));
      }),
      new FaultType(TcpToxicsFault.TYPE, (s, parts) -> {
        TcpConfig c = s.tcp();
        return c == null || c.active().isEmpty() ? null : new FaultSpec(TcpToxicsFault.TYPE, 1.0, new TcpToxicsFault(c));
      }));

  private FaultTypes() {
  }

  private static final List<String> NAMES = java.util.stream.Stream.of(BUILT_IN.stream().map(FaultType::name),
      MessageFaults.TYPES.stream(), TcpToxicTypes.names().stream()).flatMap(s -> s).distinct().toList();

  public static List<FaultType> builtIn() {
    return BUILT_IN;
  }

  /** Every fault type name a listener can count in {@code faultline_faults_injected_total}. */
  public static List<String> names() {
    return NAMES;
  }

  private static FaultInjectionConfig injecting(ChaosSections s) {
    FaultInjectionConfig c = s.faultInjection();
    return c == null || !c.enabled() ? null : c;
  }
}
