/**
 * The import graph of the source folders: no cycle anywhere (type-only imports included, since a cycle of
 * types still ties modules together), and outside workflows/ the workflows are reached only through their
 * contracts.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { relativeImportsOf } from '../../temporal/bundle-sources';

const ROOT = path.resolve(__dirname, '../..');
const FOLDERS = ['strategy', 'broker', 'db', 'config', 'activities', 'workflows', 'temporal', 'api', 'cli', 'chaos', 'bench', 'web'];

function sourceFiles(dir: string): string[] {
  const full = path.join(ROOT, dir);
  if (!existsSync(full)) return [];
  return readdirSync(full).flatMap((name) => {
    const rel = path.join(dir, name);
    if (statSync(path.join(ROOT, rel)).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(rel);
    return /\.ts$/.test(name) && !name.endsWith('.d.ts') ? [rel] : [];
  });
}

function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of FOLDERS.flatMap(sourceFiles)) {
    const targets = relativeImportsOf(path.join(ROOT, file))
      .filter((t) => t.endsWith('.ts'))
      .map((t) => path.relative(ROOT, t));
    graph.set(file, targets);
  }
  return graph;
}

/** Strongly connected components with more than one module, or a module importing itself (Tarjan). */
export function cyclesOf(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('import graph', () => {
  const graph = importGraph();

  it('reads the source folders', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get(path.normalize('activities/routing.ts'))).toContain(path.normalize('workflows/contracts/pair-trade.ts'));
  });

  it('finds a cycle when there is one (the detector itself)', () => {
    const cyclic = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    expect(cyclesOf(cyclic)).toEqual([['a', 'b', 'c']]);
    expect(
      cyclesOf(
        new Map([
          ['a', ['b']],
          ['b', []],
        ]),
      ),
    ).toEqual([]);
  });

  it('has no cycle', () => {
    expect(cyclesOf(graph)).toEqual([]);
  });

  it('reaches workflows/ from outside only through workflows/contracts/ (and the bundle entry, workflows/index.ts)', () => {
    const offending = [...graph].flatMap(([file, targets]) =>
      file.startsWith(`workflows${path.sep}`)
        ? []
        : targets
            .filter(
              (t) =>
                t.startsWith(`workflows${path.sep}`) &&
                !t.startsWith(path.join('workflows', 'contracts')) &&
                t !== path.join('workflows', 'index.ts'),
            )
            .map((t) => `${file} -> ${t}`),
    );
    expect(offending).toEqual([]);
  });
});
