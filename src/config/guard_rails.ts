// Start-up guard rails (docs/security.md, "Start-up guard rails"). Another user who can write the config could widen
// what is served; one who can write the audit log or its folder could rewrite or pre-create the record.
// Production refuses such locations (mode & 0o002), development warns; group-writable always warns.
import type { Host } from '../runtime/host.ts';
import type { Config } from './schema.ts';

/** `refuse` stops a production start; `note` is for the audit record only (a check that could not run). */
export type GuardFinding = { readonly level: 'refuse' | 'warn' | 'note'; readonly message: string };

const OTHER_WRITE = 0o002;
const GROUP_WRITE = 0o020;
const GROUP_OTHER_READ = 0o044;
const STICKY = 0o1000;

const octal = (mode: number): string => '0' + (mode & 0o7777).toString(8).padStart(3, '0');
const q = (p: string): string => JSON.stringify(p);

type Target = { readonly what: string; readonly path: string; readonly risk: string; readonly stickyOk: boolean };

function modeFindings(config: Config, { what, path, risk, stickyOk }: Target, mode: number): GuardFinding[] {
  if (stickyOk && mode & STICKY) return [];
  const writable = (by: string) => `${what} ${q(path)} is writable by ${by} (mode ${octal(mode)})`;
  const level = config.mode === 'production' ? 'refuse' : 'warn';
  if (mode & OTHER_WRITE) return [{ level, message: `${writable('other users')}: ${risk}; fix: chmod o-w ${q(path)}` }];
  const fix = `if other people are in that group, chmod g-w ${q(path)}`;
  return mode & GROUP_WRITE ? [{ level: 'warn', message: `${writable('its group')}: ${fix}` }] : [];
}

async function checkPath(host: Host, config: Config, t: Target): Promise<GuardFinding[] | 'missing'> {
  try {
    return modeFindings(config, t, (await host.stat(t.path)).mode);
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
    const message = `${t.what} ${q(t.path)} was not checked: no permission to read its metadata (sandboxed)`;
    return [{ level: 'note', message }];
  }
}

/** The checks before the log is opened: the config file and folder, the audit log's folder and place. */
export async function checkLocations(host: Host, config: Config): Promise<GuardFinding[]> {
  const out: GuardFinding[] = [];
  const add = (r: GuardFinding[] | 'missing') => void (r !== 'missing' && out.push(...r));
  const check = (t: Target) => checkPath(host, config, t);
  if (config.source !== null) {
    const risk = 'anyone on this machine could change what is served';
    add(await check({ what: 'the config file', path: config.source, risk, stickyOk: false }));
    // A sticky folder (like /tmp) stops others from replacing a file they do not own.
    add(await check({ what: 'the config folder', path: host.path.dirname(config.source), risk, stickyOk: true }));
  }
  for (const root of config.roots) { // who can rename entries of any folder above a root can swap it for another
    const what = `a folder above root "${root.name}"`, swap = 'anyone could swap the root for another folder';
    for (let dir = host.path.dirname(root.path), i = 0; i < 64; dir = host.path.dirname(dir), i++) {
      add(await check({ what, path: dir, risk: swap, stickyOk: true }));
      if (host.path.dirname(dir) === dir) break;
    }
  }
  const log = config.audit.path;
  if (log === 'stderr') return out;
  // The log file itself is checked once open, on its descriptor (checkOpenLog). The log folder, or the
  // nearest existing folder above it when it will be created: even a sticky world-writable folder lets anyone
  // create the log's name (or a symlink) first.
  const risk = 'anyone could replace, pre-create or remove the audit log';
  for (let i = 0, dir = host.path.dirname(log); i < 64; i++, dir = host.path.dirname(dir)) {
    const what = i === 0 ? 'the audit log folder' : 'the folder that will hold the audit log folder';
    const r = await check({ what, path: dir, risk, stickyOk: false });
    add(r); // nothing while it is missing
    if (r !== 'missing' || host.path.dirname(dir) === dir) break;
  }
  for (const root of config.roots) {
    const rel = host.path.relative(root.path, log);
    if (rel !== '' && !/^\.\.(?:[/\\]|$)/.test(rel) && !host.path.isAbsolute(rel)) { // `..x/` is a subfolder
      const why = 'a client could read it if its extension were served; keep it outside the roots';
      out.push({ level: 'warn', message: `the audit log ${q(log)} is inside root "${root.name}": ${why}` });
    }
  }
  return out;
}

/** Checks on the opened log file, through its descriptor (a sandbox may grant no read access to it). */
export function checkOpenLog(config: Config, mode: number | null): GuardFinding[] {
  if (mode === null) return [];
  const path = config.audit.path;
  const risk = 'anyone could rewrite the audit log';
  const out = modeFindings(config, { what: 'the audit log', path, risk, stickyOk: false }, mode);
  if (out.length === 0 && mode & GROUP_OTHER_READ) {
    const details = `(mode ${octal(mode)}); it holds redacted request details; fix: chmod 600 ${q(path)}`;
    out.push({ level: 'warn', message: `the audit log ${q(path)} is readable by other users ${details}` });
  }
  return out;
}
