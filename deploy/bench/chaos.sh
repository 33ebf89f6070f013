# shellcheck shell=bash
# The chaos config of the "chaos on at p=0" measurements, sourced by run.sh and sidebyside.sh.

# The latency section of "on0": configured, at probability 0
ON0_LATENCY='{"fixed_delay_ms":100,"probability":0}'

# chaos_config LATENCY [EXTRA]: the whole chaos config that PUT /api/chaos/config takes, chaos on with every fault
# configured at probability 0 (the decision engine runs on every request and injects nothing), the latency section
# LATENCY, and EXTRA (a protocol's own sections, ',"graphql":{...}') added at its end. FAULTS_EXTRA (a case's own
# fault_injection fields, ',"grpc_status_probability":0'), when set, goes into the fault_injection section.
chaos_config() {
  local faults='{"http_errors":[500],"http_error_probability":0,"timeout_probability":0,"connection_error_probability":0,"partial_response_probability":0'"${FAULTS_EXTRA:-}"'}'
  printf '{"enabled":true,"seed":42,"latency":%s,"fault_injection":%s,"traffic_shaping":{"packet_loss_percent":0}%s}' \
    "$1" "$faults" "${2:-}"
}
