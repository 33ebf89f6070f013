mockforge serve \
  --chaos --chaos-scenario network_degradation \
  --tracing --jaeger-endpoint http://localhost:14268/api/traces
