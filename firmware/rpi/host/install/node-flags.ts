/**
 * The flags node runs the Pi gateway with: the systemd unit `axon gateway
 * install` writes (install-plan.ts) and the rpi bench (bench/rpi/gateway-entry.ts)
 * both take them from here, so what is measured is what a Pi runs.
 *
 * --max-semi-space-size=2: V8's young generation in 2 MB semi-spaces instead of
 *   16 MB (64-bit default). The gateway allocates short-lived objects at every
 *   poll, and with the default the young generation grows to its maximum and
 *   more garbage is carried: RSS at 1,000 devices (rpi.rss_mb_1000_devices)
 *   was 123–175 MB without it and 94–102 MB with it, the CPU per poll at 200
 *   polls/s the same within the bench's noise (0.26 against 0.254 ms side by
 *   side). 1 MB saved no more memory and cost about a quarter more CPU at 200
 *   polls/s (more collections); docs/rpi-gateway.md, "Memory".
 */
export const GATEWAY_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2'];
