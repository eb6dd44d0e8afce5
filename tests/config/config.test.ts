import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, DEFAULT_CONFIG_PATH, loadConfig, updateThresholds } from '../../config/loader';

async function tempCopy(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pairs-config-'));
  const file = path.join(dir, 'pairs.yaml');
  await fs.copyFile(DEFAULT_CONFIG_PATH, file);
  return file;
}

describe('config/pairs.yaml', () => {
  it('ships the spec defaults', async () => {
    const config = await loadConfig(DEFAULT_CONFIG_PATH);
    expect(config).toMatchObject({
      entry_threshold: 2.0,
      exit_threshold: 0.5,
      stop_loss_threshold: 3.0,
      max_hold_hours: 72,
      position_pct: 0.02,
      z_score_window: 40,
    });
    expect(config.discovery.max_pvalue).toBe(0.05);
  });

  it('round-trips an update, keeping the comments and the other fields', async () => {
    const file = await tempCopy();
    const original = await fs.readFile(file, 'utf8');
    const result = await updateThresholds({ entry_threshold: 2.25, max_hold_hours: 48 }, file);
    expect(result).toEqual({ entry_threshold: 2.25, exit_threshold: 0.5, stop_loss_threshold: 3.0, max_hold_hours: 48, position_pct: 0.02 });

    const written = await fs.readFile(file, 'utf8');
    const commentLines = original.split('\n').filter((l) => l.trim().startsWith('#'));
    for (const line of commentLines) expect(written).toContain(line.trim());
    const reloaded = await loadConfig(file);
    expect(reloaded.entry_threshold).toBe(2.25);
    expect(reloaded.max_hold_hours).toBe(48);
    expect(reloaded.discovery).toEqual((await loadConfig(DEFAULT_CONFIG_PATH)).discovery);
    expect((await fs.readdir(path.dirname(file))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it.each([
    [{ entry_threshold: 'high' }, 'entry_threshold'],
    [{ exit_threshold: 2.5 }, 'exit_threshold'],
    [{ stop_loss_threshold: 1.5 }, 'stop_loss_threshold'],
    [{ position_pct: 0.5 }, 'position_pct'],
    [{ position_pct: 0 }, 'position_pct'],
    [{ max_hold_hours: -1 }, 'max_hold_hours'],
    [{ z_score_window: 40 }, 'z_score_window'],
    [{ leverage: 3 }, 'leverage'],
    [{}, 'at least one field'],
  ])('rejects %j naming %s and leaves the file unchanged', async (update, field) => {
    const file = await tempCopy();
    const before = await fs.readFile(file, 'utf8');
    const error = await updateThresholds(update, file).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(field);
    expect(await fs.readFile(file, 'utf8')).toBe(before);
  });

  it.each([
    ['entry_threshold: 2.0', 'entry_threshold: -1', 'entry_threshold'],
    ['z_score_window: 40', 'z_score_window: 5', 'z_score_window'],
    ['  max_pvalue: 0.05', '  max_pvalue: 2', 'discovery.max_pvalue'],
    ['exit_threshold: 0.5', 'exit_threshold: 0.5\nsurprise: 1', 'surprise'],
    ['position_pct: 0.02', 'position_pct: [', 'not valid YAML'],
  ])('rejects a file where %s became %s, naming %s', async (from, to, field) => {
    const file = await tempCopy();
    const text = await fs.readFile(file, 'utf8');
    expect(text).toContain(from);
    await fs.writeFile(file, text.replace(from, to));
    await expect(loadConfig(file)).rejects.toThrow(field);
  });

  it('names the file when it cannot be read', async () => {
    await expect(loadConfig('/nonexistent/pairs.yaml')).rejects.toThrow(/nonexistent\/pairs.yaml: ENOENT/);
  });

  it('serialises concurrent updates so none is lost', async () => {
    const file = await tempCopy();
    await Promise.all([
      updateThresholds({ entry_threshold: 2.5 }, file),
      updateThresholds({ max_hold_hours: 24 }, file),
      updateThresholds({ position_pct: 0.03 }, file),
    ]);
    const config = await loadConfig(file);
    expect([config.entry_threshold, config.max_hold_hours, config.position_pct]).toEqual([2.5, 24, 0.03]);
  });
});
