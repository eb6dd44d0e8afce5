import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const RELATIVE_IMPORT =
  /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"](\.[^'"]+)['"]|\b(?:require|import)\(\s*['"](\.[^'"]+)['"]\s*\)/g;

function resolveSource(fromFile: string, spec: string): string | null {
  const base = path.resolve(path.dirname(fromFile), spec);
  for (const candidate of [`${base}.ts`, `${base}.js`, path.join(base, 'index.ts'), base]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

/** The project files `file` imports by relative path (static, export-from, require and dynamic import; type-only too). */
export function relativeImportsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const targets = [...text.matchAll(RELATIVE_IMPORT)].map((m) => resolveSource(file, m[1] ?? m[2]));
  return [...new Set(targets.filter((t): t is string => t !== null))];
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
    for (const target of relativeImportsOf(file)) if (!seen.has(target)) pending.push(target);
  }
  return [...seen].sort();
}
