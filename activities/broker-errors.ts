import { ApplicationFailure } from '@temporalio/activity';
import { BrokerError } from '../broker/types';

/**
 * Maps a broker failure onto Temporal's retry decision: permanent rejections (validation, 403/422) become
 * non-retryable `BrokerRejected` failures the workflow compensates for; transient ones (5xx, timeouts, 429)
 * stay retryable, waiting at least as long as the broker's Retry-After when it gave one.
 */
export function toActivityFailure(err: unknown): unknown {
  if (!(err instanceof BrokerError)) return err;
  const details = { status: err.status ?? null, code: err.code ?? null };
  if (!err.retryable) {
    return ApplicationFailure.create({ message: err.message, type: 'BrokerRejected', nonRetryable: true, details: [details] });
  }
  return ApplicationFailure.create({
    message: err.message,
    type: 'BrokerTransient',
    details: [details],
    nextRetryDelay: err.retryAfterSeconds !== undefined && err.retryAfterSeconds > 0 ? `${err.retryAfterSeconds}s` : undefined,
  });
}

export async function brokerCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toActivityFailure(err);
  }
}
