/**
 * The flags node runs the Pi gateway with: the systemd unit `axon gateway
 * install` writes (install-plan.ts) and the rpi bench (bench/rpi/gateway-entry.ts)
 * both take them from here, so what is measured is what a Pi runs.
 *
 * None yet: see docs/rpi-gateway.md ("Memory and CPU") for the V8 flags that
 * were measured and why they were or were not adopted.
 */
export const GATEWAY_NODE_FLAGS: readonly string[] = [];
