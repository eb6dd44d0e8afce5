import { promises as fs } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseDocument, type Document } from 'yaml';
import { describeIssues, strategyConfigSchema, thresholdsUpdateSchema, thresholdsOf, type StrategyConfig, type ThresholdsConfig } from './schema';

export const DEFAULT_CONFIG_PATH = path.join(__dirname, 'pairs.yaml');

export function configPathFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env.PAIRS_CONFIG ? path.resolve(env.PAIRS_CONFIG) : DEFAULT_CONFIG_PATH;
}

/** A config file or update that does not validate; `details` names every offending field. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    message: string,
    readonly details: string[],
  ) {
    super(`${message}: ${details.join('; ')}`);
  }
}

function parseYaml(text: string, file: string): Document {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0)
    throw new ConfigError(
      `${file} is not valid YAML`,
      doc.errors.map((e) => e.message.split('\n')[0]),
    );
  return doc;
}

export function validateConfig(value: unknown, source: string): StrategyConfig {
  const parsed = strategyConfigSchema.safeParse(value);
  if (!parsed.success) throw new ConfigError(`invalid config in ${source}`, describeIssues(parsed.error));
  return parsed.data;
}

export async function loadConfig(file: string = configPathFromEnv()): Promise<StrategyConfig> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config`, [`${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`]);
  }
  return validateConfig(parseYaml(text, file).toJS(), file);
}

/** Writes next to the target then renames over it, so a reader never sees a half-written file. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await fs.writeFile(tmp, text, { encoding: 'utf8', flag: 'wx' });
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

let writeQueue: Promise<unknown> = Promise.resolve();

/**
 * Applies a partial threshold update: validates the body (unknown fields rejected) and the merged config
 * (exit < entry < stop_loss), then rewrites only those values in the file, keeping its comments. Nothing is
 * written when validation fails. Updates in one process are serialised so none is lost.
 */
export function updateThresholds(update: unknown, file: string = configPathFromEnv()): Promise<ThresholdsConfig> {
  const run = async (): Promise<ThresholdsConfig> => {
    const body = thresholdsUpdateSchema.safeParse(update);
    if (!body.success) throw new ConfigError('invalid config update', describeIssues(body.error));
    const doc = parseYaml(await fs.readFile(file, 'utf8'), file);
    for (const [key, value] of Object.entries(body.data)) doc.set(key, value);
    const merged = validateConfig(doc.toJS(), 'the updated config');
    await writeAtomically(file, doc.toString());
    return thresholdsOf(merged);
  };
  const result = writeQueue.then(run, run);
  writeQueue = result.catch(() => undefined);
  return result;
}
