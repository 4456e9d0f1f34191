// Start-up guard rails (docs/security.md, "Start-up guard rails"). Another user who can write the config could widen
// what is served; one who can write the audit log or its folder could rewrite or pre-create the record.
// Production refuses such locations (mode & 0o002), development warns; group-writable always warns. Also
// counts, by pattern and never by name, the entries the deny rules hide in each root (`secretCensus`).
import { compileGlob } from '../policy/glob.ts';
import { foldName } from '../policy/path_rules.ts';
import { writableByOthers } from '../policy/resolver.ts';
import type { Host } from '../runtime/host.ts';
import type { Root } from '../policy/resolver.ts';
import type { Config } from './load.ts';

/** `refuse` stops a production start; `note` is for the audit record only (a check that could not run). */
export type GuardFinding = { readonly level: 'refuse' | 'warn' | 'note'; readonly message: string };

const OTHER_WRITE = 0o002;
const GROUP_WRITE = 0o020;
const GROUP_OTHER_READ = 0o044;
const STICKY = 0o1000;

const octal = (mode: number): string => '0' + (mode & 0o7777).toString(8).padStart(3, '0');
const q = (p: string): string => JSON.stringify(p);

function statError(err: unknown): 'missing' | 'unchecked' {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : 'unchecked';
}

type Target = { readonly what: string; readonly path: string; readonly risk: string; readonly stickyOk: boolean };

function modeFindings(config: Config, t: Target, mode: number): GuardFinding[] {
  if (t.stickyOk && mode & STICKY) return [];
  if (mode & OTHER_WRITE) {
    const level = config.mode === 'production' ? 'refuse' : 'warn';
    return [{ level, message: `${t.what} ${q(t.path)} is writable by other users (mode ${octal(mode)}): ${t.risk}; fix: chmod o-w ${q(t.path)}` }];
  }
  if (mode & GROUP_WRITE) {
    return [{ level: 'warn', message: `${t.what} ${q(t.path)} is writable by its group (mode ${octal(mode)}): if other people are in that group, chmod g-w ${q(t.path)}` }];
  }
  return [];
}

async function checkPath(host: Host, config: Config, t: Target): Promise<GuardFinding[] | 'missing'> {
  try {
    return modeFindings(config, t, (await host.stat(t.path)).mode);
  } catch (err) {
    if (statError(err) === 'missing') return 'missing';
    return [{ level: 'note', message: `${t.what} ${q(t.path)} was not checked: no permission to read its metadata (sandboxed)` }];
  }
}

/** The checks before the log is opened: the config file and folder, the audit log's folder and place. */
export async function checkLocations(host: Host, config: Config): Promise<GuardFinding[]> {
  const out: GuardFinding[] = [];
  const add = (r: GuardFinding[] | 'missing') => void (r !== 'missing' && out.push(...r));
  if (config.source !== null) {
    const risk = 'anyone on this machine could change what is served';
    add(await checkPath(host, config, { what: 'the config file', path: config.source, risk, stickyOk: false }));
    // A sticky folder (like /tmp) stops others from replacing a file they do not own.
    add(await checkPath(host, config, { what: 'the config folder', path: host.path.dirname(config.source), risk, stickyOk: true }));
  }
  const log = config.audit.path;
  if (log === 'stderr') return out;
  // The log file itself is checked once open, on its descriptor (checkOpenLog). The log folder, or the
  // nearest existing folder above it when it will be created: even a sticky world-writable folder lets anyone
  // create the log's name (or a symlink) first.
  let dir = host.path.dirname(log);
  for (let i = 0; i < 64; i++) {
    const what = i === 0 ? 'the audit log folder' : 'the folder that will hold the audit log folder';
    const r = await checkPath(host, config, { what, path: dir, risk: 'anyone could replace, pre-create or remove the audit log', stickyOk: false });
    if (r !== 'missing' || host.path.dirname(dir) === dir) {
      add(r);
      break;
    }
    dir = host.path.dirname(dir);
  }
  for (const root of config.roots) {
    const rel = host.path.relative(root.path, log);
    if (rel !== '' && !rel.startsWith('..') && !host.path.isAbsolute(rel)) {
      out.push({ level: 'warn', message: `the audit log ${q(log)} is inside root "${root.name}": a client could read it if its extension were served; keep it outside the roots` });
    }
  }
  return out;
}

/** Checks on the opened log file, through its descriptor (a sandbox may grant no read access to it). */
export function checkOpenLog(config: Config, mode: number | null): GuardFinding[] {
  if (mode === null) return [];
  const path = config.audit.path;
  const out = modeFindings(config, { what: 'the audit log', path, risk: 'anyone could rewrite the audit log', stickyOk: false }, mode);
  if (out.length === 0 && mode & GROUP_OTHER_READ) {
    out.push({ level: 'warn', message: `the audit log ${q(path)} is readable by other users (mode ${octal(mode)}); it holds redacted request details; fix: chmod 600 ${q(path)}` });
  }
  return out;
}

export type SecretCensus = {
  readonly root: string;
  /** Entries hidden by each deny pattern; a denied folder counts once (it is not entered). */
  readonly hidden: readonly { readonly pattern: string; readonly count: number }[];
  readonly total: number;
  readonly visited: number;
  readonly truncated: boolean;
  readonly ms: number;
  /** Under path-based confinement: folders other users can write (root-relative, "." the root; 20 named). */
  readonly writable?: { readonly count: number; readonly first: readonly string[] };
};

const YIELD_EVERY = 256;

/**
 * Counts what the deny rules hide under one root, by pattern, never naming a file. Uses the folder
 * listing's entry types only (no stat per file), stops at limits.walkEntries, never enters symlinks, and
 * yields to the event loop every few hundred entries so requests are served meanwhile. Null if aborted.
 */
export async function secretCensus(
  host: Host, config: Config, root: Root, signal: AbortSignal, pathBased = false,
): Promise<SecretCensus | null> {
  const started = host.now();
  const rules = config.files.deny.map((p) => ({ p, whole: p.includes('/'), g: compileGlob(foldName(p), { caseInsensitive: true }) }));
  const owner = pathBased ? (await host.lstat(root.path)).uid : 0;
  const writable: string[] = [];
  const counts = new Map<string, number>();
  const stack: { abs: string; rel: string; depth: number }[] = [{ abs: root.path, rel: '', depth: 1 }];
  let visited = 0;
  let truncated = false;
  while (stack.length > 0 && !truncated) {
    const dir = stack.pop() as { abs: string; rel: string; depth: number };
    const st = pathBased ? await host.lstat(dir.abs).catch(() => null) : null;
    if (st !== null && writableByOthers(st, owner)) writable.push(dir.rel || '.');
    let entries;
    try {
      entries = await host.readdir(dir.abs, config.limits.walkEntries - visited + 1);
    } catch {
      continue; // unreadable: the server cannot serve it either
    }
    for (const e of entries) {
      if (++visited > config.limits.walkEntries) {
        truncated = true;
        break;
      }
      if (visited % YIELD_EVERY === 0) {
        await host.yieldNow();
        if (signal.aborted) return null;
      }
      const rel = dir.rel === '' ? e.name : `${dir.rel}/${e.name}`;
      const hit = rules.find((r) => r.g.matches(foldName(r.whole ? rel : e.name)));
      if (hit) counts.set(hit.p, (counts.get(hit.p) ?? 0) + 1);
      else if (e.kind === 'dir' && dir.depth < config.limits.depth && (config.files.hidden || !e.name.startsWith('.'))) {
        stack.push({ abs: host.path.join(dir.abs, e.name), rel, depth: dir.depth + 1 });
      }
    }
  }
  const hidden = [...counts].map(([pattern, count]) => ({ pattern, count })).sort((a, b) => b.count - a.count || (a.pattern < b.pattern ? -1 : 1));
  const total = hidden.reduce((n, h) => n + h.count, 0);
  return {
    root: root.name, hidden, total, visited: Math.min(visited, config.limits.walkEntries), truncated, ms: Math.round(host.now() - started),
    ...(writable.length > 0 ? { writable: { count: writable.length, first: writable.slice(0, 20) } } : {}),
  };
}

/** One stderr line: counts by pattern, never a file name. */
export function formatCensus(c: SecretCensus): string {
  const what = c.total === 0 ? 'hide nothing' : `hide ${c.total} entr${c.total === 1 ? 'y' : 'ies'} (${c.hidden.map((h) => `${h.pattern} ${h.count}`).join(', ')})`;
  const scope = c.truncated ? `stopped after ${c.visited} entries (limits.walkEntries)` : `${c.visited} entr${c.visited === 1 ? 'y' : 'ies'} scanned`;
  const w = c.writable;
  const shared = w ? `; ${w.count} folder(s) writable by other users (${w.first.join(', ')}${w.count > w.first.length ? ', …' : ''}): ` +
    'production refuses them under path-based confinement unless files.writableFolders names them' : '';
  return `root "${c.root}": the deny rules ${what}; ${scope} in ${c.ms} ms${shared}`;
}
