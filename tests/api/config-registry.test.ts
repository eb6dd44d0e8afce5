import { promises as fs } from 'node:fs';
import request from 'supertest';
import { loadConfig } from '../../config/loader';
import { DISCOVERY_WORKFLOW } from '../../workflows/contracts/discovery';
import { API, AUTH, insertPair, startApiTestEnv, type ApiTestEnv } from './helpers';

const isError = (body: unknown) => expect(body).toEqual({ error: expect.any(String), details: expect.any(Array) });

describe('stored config, its history, the registry and discovery on demand', () => {
  let env: ApiTestEnv;

  beforeAll(async () => {
    env = await startApiTestEnv('config-registry');
  }, 120_000);

  afterAll(async () => {
    await env?.teardown();
  });

  it('keeps every change with its old and new values; a repeated update adds none; the file follows', async () => {
    await request(env.app).post(`${API}/config`).set(AUTH).send({ entry_threshold: 2.4 }).expect(200);
    await request(env.app).post(`${API}/config`).set(AUTH).send({ entry_threshold: 2.4 }).expect(200);
    await request(env.app).post(`${API}/config`).set(AUTH).send({ exit_threshold: 0.4, position_pct: 0.03 }).expect(200);
    await request(env.app).post(`${API}/config`).set(AUTH).send({ exit_threshold: 5 }).expect(400);
    const { body } = await request(env.app).get(`${API}/config/history`).expect(200);
    expect(body.changes).toEqual([
      {
        version: 3,
        changed_at: expect.any(String),
        source: 'api',
        old: { exit_threshold: 0.5, position_pct: 0.02 },
        new: { exit_threshold: 0.4, position_pct: 0.03 },
      },
      { version: 2, changed_at: expect.any(String), source: 'api', old: { entry_threshold: 2 }, new: { entry_threshold: 2.4 } },
    ]);
    expect((await request(env.app).get(`${API}/config/history?limit=1`).expect(200)).body.changes).toHaveLength(1);
    isError((await request(env.app).get(`${API}/config/history?limit=0`).expect(400)).body);
    expect((await loadConfig(env.configPath)).exit_threshold).toBe(0.4);
  });

  it('serves the stored config even when the file changes under it, and stores changes when the file is read-only', async () => {
    const text = await fs.readFile(env.configPath, 'utf8');
    await fs.writeFile(env.configPath, text.replace(/^entry_threshold: .*$/m, 'entry_threshold: 2.9'));
    expect((await request(env.app).get(`${API}/config`).expect(200)).body.entry_threshold).toBe(2.4);
    await fs.chmod(env.configPath, 0o444);
    try {
      if (process.getuid?.() === 0) return; // root writes read-only files anyway
      await request(env.app).post(`${API}/config`).set(AUTH).send({ max_hold_hours: 60 }).expect(200);
      expect((await request(env.app).get(`${API}/config`).expect(200)).body.max_hold_hours).toBe(60);
    } finally {
      await fs.chmod(env.configPath, 0o644);
    }
  });

  it('GET /registry lists ACTIVE pairs first, then RETIRED ones with reason and time', async () => {
    const active = await insertPair(env.db, { symbol1: 'AAA', symbol2: 'BBB' });
    const retired = await insertPair(env.db, { symbol1: 'CCC', symbol2: 'DDD' });
    await env.db
      .updateTable('strategy_engine.pair_registry')
      .set({
        status: 'RETIRED',
        is_active: false,
        retired_at: new Date('2026-03-01T00:00:00Z') as never,
        retire_reason: 're-test: p-value 0.4 > 0.05',
      })
      .where('id', '=', retired)
      .execute();
    const { body } = await request(env.app).get(`${API}/registry`).expect(200);
    expect(body.pairs.map((p: { id: number; status: string }) => [p.id, p.status])).toEqual([
      [active, 'ACTIVE'],
      [retired, 'RETIRED'],
    ]);
    expect(body.pairs[1]).toMatchObject({ retired_at: '2026-03-01T00:00:00.000Z', retire_reason: 're-test: p-value 0.4 > 0.05', is_active: false });
  });

  it('POST /discovery/run starts the discovery workflow (202) and needs the token', async () => {
    await request(env.app).post(`${API}/discovery/run`).expect(401);
    isError((await request(env.app).post(`${API}/discovery/run`).set(AUTH).send({ x: 1 }).expect(400)).body);
    const { body } = await request(env.app).post(`${API}/discovery/run`).set(AUTH).expect(202);
    expect(body).toEqual({ message: 'Discovery started', workflow_id: expect.stringMatching(/^pairs-discovery-manual-/) });
    const described = await env.temporal.client.workflow.getHandle(body.workflow_id).describe();
    expect(described.type).toBe(DISCOVERY_WORKFLOW);
    expect(described.taskQueue).toBe(env.taskQueue);
    await env.temporal.client.workflow.getHandle(body.workflow_id).terminate('test');
  });
});
