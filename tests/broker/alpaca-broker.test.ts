/** Adapter pieces that need no server: broker selection from env and error classification. */
import { FetchError, ApiError } from '@alpacahq/alpaca-trade-api';
import { createBrokerFromEnv, describeBrokerEnv } from '../../broker/broker-from-env';
import { toBrokerError } from '../../broker/to-broker-error';
import { BrokerError } from '../../broker/types';

test('createBrokerFromEnv: explicit simulator URL, then real paper keys, then the default simulator', () => {
  expect(describeBrokerEnv({ ALPACA_SIM_URL: 'http://127.0.0.1:9999', ALPACA_KEY_ID: 'k', ALPACA_SECRET_KEY: 's' })).toBe(
    'simulator http://127.0.0.1:9999',
  );
  expect(describeBrokerEnv({ ALPACA_KEY_ID: 'k', ALPACA_SECRET_KEY: 's' })).toBe('alpaca-paper');
  expect(describeBrokerEnv({ ALPACA_KEY_ID: 'k' })).toBe('simulator http://127.0.0.1:8787');
  expect(createBrokerFromEnv({ ALPACA_KEY_ID: 'k', ALPACA_SECRET_KEY: 's' }).getAccount).toBeInstanceOf(Function);
  expect(createBrokerFromEnv({})).toBeDefined();
});

test('toBrokerError classifies network, timeout, parse and API failures', () => {
  const timeout = toBrokerError(new FetchError(new DOMException('late', 'TimeoutError'), 'aborted'), 'x');
  expect(timeout).toMatchObject({ retryable: true });
  expect(timeout.message).toMatch(/timed out/);
  expect(toBrokerError(Object.assign(new TypeError('fetch failed'), { cause: new Error('ECONNREFUSED') }))).toMatchObject({ retryable: true });
  expect(toBrokerError(new SyntaxError('Unexpected end of JSON input'))).toMatchObject({ retryable: true });
  const response = new Response('{}', { status: 503 });
  expect(toBrokerError(new ApiError(response, 503, 50010000, 'down'))).toMatchObject({ retryable: true, status: 503, code: 50010000 });
  expect(toBrokerError(new ApiError(response, 429, '42910000', 'slow down', undefined, 1500))).toMatchObject({
    retryable: true,
    status: 429,
    code: 42910000,
    retryAfterSeconds: 1.5,
  });
  expect(toBrokerError(new ApiError(response, 422, 40010001, 'bad'))).toMatchObject({ retryable: false, status: 422 });
  expect(toBrokerError(new ApiError(response, 403, 40310000, 'no'))).toMatchObject({ retryable: false, status: 403 });
  expect(toBrokerError(new Error('Order qty must be a finite number'))).toMatchObject({ retryable: false });
  const original = new BrokerError('keep', true, 500);
  expect(toBrokerError(original)).toBe(original);
});
