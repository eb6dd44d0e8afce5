/** Alpaca SDK failures classified as BrokerError, and the classes of BrokerError the adapter acts on. */
import { ApiError, FetchError } from '@alpacahq/alpaca-trade-api';
import { BrokerError } from './types';

/** Classifies any SDK failure: network, timeout, 5xx and 429 are retryable; other 4xx and local errors are not. */
export function toBrokerError(err: unknown, context = 'broker request'): BrokerError {
  if (err instanceof BrokerError) return err;
  if (err instanceof ApiError) {
    const code = typeof err.code === 'number' ? err.code : err.code !== undefined && /^\d+$/.test(String(err.code)) ? Number(err.code) : undefined;
    const retryable = err.status >= 500 || err.status === 429 || err.status === 408;
    const retryAfterSeconds = err.retryAfterMs !== undefined ? err.retryAfterMs / 1000 : undefined;
    return new BrokerError(
      `${context}: HTTP ${err.status}${code ? ` (${code})` : ''}: ${err.message}`,
      retryable,
      err.status,
      code,
      retryAfterSeconds,
    );
  }
  if (err instanceof FetchError || (err instanceof Error && err.name === 'FetchError')) {
    const cause = (err as FetchError).cause;
    return new BrokerError(`${context}: ${cause?.name === 'TimeoutError' ? 'timed out' : `network error: ${cause?.message ?? err.message}`}`, true);
  }
  if (isRawFetchFailure(err)) {
    // The SDK wraps fetch failures in FetchError only when they pass its `instanceof Error`, which errors from
    // another realm (e.g. undici's under Jest's vm sandbox) do not.
    return new BrokerError(`${context}: network error: ${String((err as { cause?: { message?: string } }).cause?.message ?? 'fetch failed')}`, true);
  }
  if (err instanceof SyntaxError) return new BrokerError(`${context}: unreadable response: ${err.message}`, true);
  return new BrokerError(`${context}: ${err instanceof Error ? err.message : String(err)}`, false);
}

function isRawFetchFailure(err: unknown): boolean {
  const candidate = err as { name?: unknown; message?: unknown } | null;
  return typeof candidate === 'object' && candidate !== null && candidate.name === 'TypeError' && candidate.message === 'fetch failed';
}

/** Retryable failures after which the request may or may not have taken effect on the broker. */
export function isAmbiguous(err: BrokerError): boolean {
  return err.retryable && err.status !== 429;
}

export function isDuplicateClientOrderId(err: BrokerError): boolean {
  return err.status === 422 && err.code === 40010001 && /client_order_id/i.test(err.message);
}
