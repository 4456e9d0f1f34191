// One walk of a root under the deny rules, with two consumers: the start-up census (what the deny rules
// hide, by pattern; it runs while serving, so it yields) and `docwarden check` (src/cli/check.ts: what
// the rules expose and hide, by rule). Neither ever names a file's content.
import type { Config } from './schema.ts';
import { denyGlob, foldedGlob, folds, MAX_PATH_CHARS } from '../policy/path_rules.ts';
import { writableByOthers, type Root } from '../policy/resolver.ts';
import type { FileKind, Host } from '../runtime/host.ts';

/** One listed entry: `denied` is the deny pattern that hides it; `deep` means a folder at limits.depth. */
export type Entry = {
  abs: string; rel: string; name: string; kind: FileKind; deep: boolean; denied: string | undefined;
};
export type Walk = { visited: number; truncated: boolean; unreadable: number; writable: string[] };

const YIELD_EVERY = 256;

/**
 * Walks a root by the folder listing's entry types (no stat per entry), entering a folder only when
 * `visit` says so and never through a symlink, up to limits.walkEntries, yielding to the event loop every
 * few hundred entries so requests are served meanwhile. With `writable`, also names the folders (root-
 * relative, "." the root) that users other than the root's owner can write. Null if aborted.
 */
export async function walkRoot(
  host: Host, config: Config, root: Root, writable: boolean, signal: AbortSignal | null, visit: (e: Entry) => boolean,
): Promise<Walk | null> {
  // The rules as the server reads them (path_rules.ts): a folder whose every entry a rule denies is denied with it.
  const rules = config.files.deny.map((p) => ({ p, whole: denyGlob(p).includes('/'), g: foldedGlob(denyGlob(p)) }));
  const owner = writable ? (await host.lstat(root.path)).uid : 0;
  const w: Walk = { visited: 0, truncated: false, unreadable: 0, writable: [] };
  // Folders still to list are a name and their parent, never a full path: 200,000 planted folders of 3 KB paths
  // held 1.2 GB as paths (outside attack). A path longer than a request may name is not entered (never served).
  type Folder = { abs: string; rel: string; depth: number };
  const stack: { parent: Folder; name: string }[] = [];
  const nextFolder = (next = stack.pop()): Folder | undefined => next && {
    abs: host.path.join(next.parent.abs, next.name), depth: next.parent.depth + 1,
    rel: next.parent.rel === '' ? next.name : `${next.parent.rel}/${next.name}`,
  };
  for (let dir: Folder | undefined = { abs: root.path, rel: '', depth: 1 }; dir && !w.truncated; dir = nextFolder()) {
    const st = writable ? await host.lstat(dir.abs).catch(() => null) : null;
    if (st !== null && writableByOthers(st, owner)) w.writable.push(dir.rel || '.');
    const entries = await host.readdir(dir.abs, config.limits.walkEntries - w.visited + 1).catch(() => null);
    if (entries === null) {
      w.unreadable++; // the server cannot serve it either
      continue;
    }
    for (const e of entries) {
      if (++w.visited > config.limits.walkEntries) {
        w.truncated = true;
        break;
      }
      if (w.visited % YIELD_EVERY === 0) {
        await host.yieldNow();
        if (signal?.aborted) return null;
      }
      const rel = dir.rel === '' ? e.name : `${dir.rel}/${e.name}`;
      const denied = rules.find((r) => folds(r.whole ? rel : e.name).some((f) => r.g.matches(f, e.kind === 'dir')))?.p;
      const abs = host.path.join(dir.abs, e.name);
      const deep = dir.depth >= config.limits.depth;
      if (visit({ abs, rel, name: e.name, kind: e.kind, deep, denied }) && e.kind === 'dir' && !deep) {
        if (rel.length <= MAX_PATH_CHARS) stack.push({ parent: dir, name: e.name });
      }
    }
  }
  w.visited = Math.min(w.visited, config.limits.walkEntries);
  return w;
}

/**
 * For the start-up census: what the deny rules hide under one root, by pattern (a denied folder counts
 * once); under path-based confinement, the folders other users can write (20 named). Null if aborted.
 */
export async function secretCensus(host: Host, config: Config, root: Root, signal: AbortSignal, pathBased = false) {
  const started = host.now();
  const counts = new Map<string, number>();
  const w = await walkRoot(host, config, root, pathBased, signal, (e) => {
    if (e.denied !== undefined) counts.set(e.denied, (counts.get(e.denied) ?? 0) + 1);
    return e.denied === undefined && (config.files.hidden || !e.name.startsWith('.'));
  });
  if (w === null) return null;
  const hidden = [...counts].map(([pattern, count]) => ({ pattern, count }))
    .sort((a, b) => b.count - a.count || (a.pattern < b.pattern ? -1 : 1));
  return {
    root: root.name, hidden, total: hidden.reduce((n, h) => n + h.count, 0), visited: w.visited, truncated: w.truncated,
    ms: Math.round(host.now() - started),
    ...(w.writable.length > 0 ? { writable: { count: w.writable.length, first: w.writable.slice(0, 20) } } : {}),
  };
}

/** One stderr line: counts by pattern, never a file name. */
const entries = (n: number): string => `${n} entr${n === 1 ? 'y' : 'ies'}`;

export function formatCensus(c: NonNullable<Awaited<ReturnType<typeof secretCensus>>>): string {
  const byPattern = c.hidden.map((h) => `${h.pattern} ${h.count}`).join(', ');
  const what = c.total === 0 ? 'hide nothing' : `hide ${entries(c.total)} (${byPattern})`;
  const scope = c.truncated ? `stopped after ${c.visited} entries (limits.walkEntries)`
    : `${entries(c.visited)} scanned`;
  const w = c.writable;
  const named = `${w?.first.join(', ')}${w && w.count > w.first.length ? ', …' : ''}`;
  const shared = w ? `; ${w.count} folder(s) writable by other users (${named}): ` +
    'production refuses them under path-based confinement unless files.writableFolders names them' : '';
  return `root "${c.root}": the deny rules ${what}; ${scope} in ${c.ms} ms${shared}`;
}

