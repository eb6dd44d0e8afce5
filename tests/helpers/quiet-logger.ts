/** A Temporal-compatible logger that discards everything (keeps bundler/worker output out of test logs). */
export const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
