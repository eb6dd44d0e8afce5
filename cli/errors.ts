/** Bad input from the user: the CLI prints one line and exits 2, changing nothing. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Runs a command body and maps failures to the CLI's exit-code contract. */
export async function runCommand(body: () => Promise<void> | void): Promise<void> {
  try {
    await body();
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`pairs: ${err.message}\n`);
      process.exit(2);
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`pairs: ${message}\n`);
    process.exit(1);
  }
}
