import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

function sourceFiles(dir: string): string[] {
  const full = path.join(ROOT, dir);
  return readdirSync(full).flatMap((name) => {
    const p = path.join(full, name);
    if (statSync(p).isDirectory()) return sourceFiles(path.join(dir, name));
    return name.endsWith('.ts') ? [path.join(dir, name)] : [];
  });
}

interface ImportLine {
  file: string;
  spec: string;
  typeOnly: boolean;
}

function imports(dir: string): ImportLine[] {
  return sourceFiles(dir).flatMap((file) => {
    const text = readFileSync(path.join(ROOT, file), 'utf8');
    const found: ImportLine[] = [];
    for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^'";]*?from\s+['"]([^'"]+)['"]/gm)) {
      found.push({ file, spec: m[3], typeOnly: Boolean(m[2]) });
    }
    for (const m of text.matchAll(/\brequire\(\s*['"]([^'"]+)['"]\s*\)|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      found.push({ file, spec: m[1] ?? m[2], typeOnly: false });
    }
    return found;
  });
}

function resolvesInto(line: ImportLine, folder: string): boolean {
  if (!line.spec.startsWith('.')) return false;
  const target = path.relative(ROOT, path.resolve(ROOT, path.dirname(line.file), line.spec));
  return target === folder || target.startsWith(`${folder}${path.sep}`);
}

const IO_PACKAGES = /^(node:)?(fs|net|http|https|child_process|dgram|dns|tls|pg|kysely|express|@alpacahq\/.*|@temporalio\/.*|pino)(\/|$)/;

describe('imports flow one way', () => {
  it('strategy/ imports no I/O module and nothing outside strategy/', () => {
    const offending = imports('strategy').filter(
      (l) => IO_PACKAGES.test(l.spec) || ['db', 'broker', 'activities', 'workflows', 'api', 'cli', 'config'].some((f) => resolvesInto(l, f)),
    );
    expect(offending).toEqual([]);
  });

  it('workflows/ imports neither db/ nor broker/ nor activities/ at run time, and no Node module', () => {
    // broker/order-status.ts is the one model of Alpaca's order lifecycle: pure, and imported by the trade workflow.
    const offending = imports('workflows').filter(
      (l) =>
        (!l.typeOnly &&
          !resolvesInto(l, 'broker/order-status') &&
          ['db', 'broker', 'activities', 'api', 'cli', 'temporal'].some((f) => resolvesInto(l, f))) ||
        (!l.typeOnly && /^(node:|fs$|path$|crypto$|pg$|kysely$|@temporalio\/(client|worker|activity)$)/.test(l.spec)),
    );
    expect(offending).toEqual([]);
  });

  it('broker/ and db/ know nothing of workflows or HTTP routes', () => {
    const offending = [...imports('broker'), ...imports('db')].filter(
      (l) => ['workflows', 'activities', 'api', 'temporal', 'cli'].some((f) => resolvesInto(l, f)) || /^@temporalio\//.test(l.spec),
    );
    expect(offending).toEqual([]);
  });
});
