/**
 * For commands that run until Ctrl-C (simulators, `decode uplink --follow`):
 * resolves on the first SIGINT or SIGTERM. The handlers are removed at once, so
 * a second Ctrl-C while the command closes gets Node's default (exit now).
 */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
