/** An Alpaca-shaped error reply: HTTP status, Alpaca code, message and extra body fields. */
export class SimHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
