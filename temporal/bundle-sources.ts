import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const RELATIVE_IMPORT = /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"](\.[^'"]+)['"]|\b(?:require|import)\(\s*['"](\.[^'"]+)['"]\s*\)/g;

function resolveSource(fromFile: string, spec: string): string | null {
  const base = path.resolve(path.dirname(fromFile), spec);
  for (const candidate of [`${base}.ts`, `${base}.js`, path.join(base, 'index.ts'), base]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

/**
 * Every project source file the workflow bundle can include: the entry and, transitively, each module it
 * imports by relative path (type-only imports too: conservative, they cost nothing but a rebuild). Sorted.
 */
export function bundleSourceFiles(entry: string): string[] {
  const seen = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(RELATIVE_IMPORT)) {
      const target = resolveSource(file, (m[1] ?? m[2]));
      if (target !== null && !seen.has(target)) pending.push(target);
    }
  }
  return [...seen].sort();
}
