/** Input a backtest cannot run on; `message` is one line fit for a user. */
export class BacktestInputError extends Error {
  override name = 'BacktestInputError';
}

export function invalidInput(message: string): never {
  throw new BacktestInputError(message);
}
