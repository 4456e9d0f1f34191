// Start-up guard rails (docs/security.md, "Start-up guard rails"). Another user who can write the config could widen
// what is served, one who can write the audit log or its folder rewrite or pre-create the record, and one who can
// rename entries in ANY folder above them (writable by others and not sticky, or theirs) swap the whole folder.
// Production refuses such locations, development warns. Group write counts as other users' (an ACL naming one shows
// as group bits, and neither runtime can read ACLs). The config is judged as READ (its descriptor), then by path.
import type { Host } from '../runtime/host.ts';
import type { Config } from './schema.ts';

/** `refuse` stops a production start; `note` is for the audit record only (a check that could not run). */
export type GuardFinding = { readonly level: 'refuse' | 'warn' | 'note'; readonly message: string };

const OTHER_WRITE = 0o002;
const GROUP_WRITE = 0o020;
const GROUP_OTHER_READ = 0o044;
const STICKY = 0o1000;
const HOLDER = 'the folder that will hold the audit log folder'; // the nearest one there, when the log's is missing
// An ACL entry naming another user (`user:3101:rw-`) shows in the mode only as group write: its mask.
const GROUP_OR_ACL = 'its group or by a user an ACL names (group bits show an ACL\'s mask; docwarden cannot read ACLs)';

const octal = (mode: number): string => '0' + (mode & 0o7777).toString(8).padStart(3, '0');
const q = (p: string): string => JSON.stringify(p);
const levelOf = (config: Config): GuardFinding['level'] => config.mode === 'production' ? 'refuse' : 'warn';
const missing = (err: { code?: unknown } | null): boolean => err?.code === 'ENOENT' || err?.code === 'ENOTDIR';

/** `risk` completes "anyone could …"; `ownerOnly` skips the mode (a root's own, the log file's: judged elsewhere). */
type Target = { what: string; path: string; risk: string; stickyOk?: boolean; ownerOnly?: boolean };

function modeFindings(config: Config, { what, path, risk, stickyOk }: Target, mode: number): GuardFinding[] {
  if ((stickyOk && mode & STICKY) || !(mode & (OTHER_WRITE | GROUP_WRITE))) return [];
  const [by, who, bit] = mode & OTHER_WRITE ? ['other users', 'anyone', 'o'] : [GROUP_OR_ACL, 'they', 'g'];
  const fix = `${who} could ${risk}; fix: chmod ${bit}-w ${q(path)}`;
  return [{ level: levelOf(config), message: `${what} ${q(path)} is writable by ${by} (mode ${octal(mode)}): ${fix}` }];
}

/** The owner of a folder renames anything in it, sticky or not: only root and the user running docwarden may own it. */
function ownership(config: Config, { what, path, risk }: Target, owner: number, uid: number | null): GuardFinding[] {
  if (owner === 0 || owner === uid) return [];
  const name = `${what} ${q(path)} is owned by uid ${owner}`;
  if (uid === null) return [{ level: 'note', message: `${name}, not compared with yours (the runtime hides it)` }];
  const fix = `chown ${uid} ${q(path)} (as root), or move it where only you and root own it and every folder above`;
  const message = `${name}, another user (you are uid ${uid}): they could ${risk}; fix: ${fix}`;
  return [{ level: levelOf(config), message }];
}

/** `dir` and every folder above it, nearest first. */
const chain = (host: Host, dir: string): string[] =>
  host.path.dirname(dir) === dir ? [dir] : [dir, ...chain(host, host.path.dirname(dir))];

/** The checks before the log is opened: the config file, the roots, the audit log, and every folder above each. */
export async function checkLocations(host: Host, config: Config): Promise<GuardFinding[]> {
  const out: GuardFinding[] = [], seen = new Set<string>(), uid = host.uid();
  /** Adds what is wrong with `t` (once: folders above several places are judged once); false when it is missing. */
  const check = async (t: Target): Promise<boolean> => {
    const key = `${t.stickyOk === true} ${t.ownerOnly === true} ${t.path}`;
    if (seen.has(key)) return true;
    const st = await host.stat(t.path).catch((err: { code?: unknown } | null) => // null: missing; undefined: hidden
      missing(err) ? null : err?.code === 'ELOOP' ? 'loop' : undefined);
    if (st === null) return false;
    const loop = `${t.what} ${q(t.path)} is a loop of symbolic links: fix the links`; // said so, not as a sandbox
    if (st === 'loop') return out.push({ level: 'refuse', message: loop }) > 0; // the server cannot open it either
    const hidden = `${t.what} ${q(t.path)} was not checked: no permission to read its metadata (sandboxed)`;
    if (st === undefined) out.push({ level: 'note', message: hidden });
    else out.push(...ownership(config, t, st.uid, uid), ...t.ownerOnly ? [] : modeFindings(config, t, st.mode));
    if (!t.ownerOnly && st) seen.add(`judged ${st.dev}:${st.ino}`); // mode too: one only owner-checked is walked again
    return seen.add(key).size > 0;
  };
  // The path as the kernel walks it, a name at a time: `..` from where the walk really is, a link's target read in
  // the folder that really holds it, at most 40 links. Every link's owner and every folder passed through (owner,
  // mode) is judged: an attacker's link or folder anywhere on the way redirects what lies beyond it, whatever the
  // written path or the final real path say (outside attacks: a link in sticky /tmp, `../theirs/..`, a link held
  // in their folder). The last name is left to the rules of what it is (config file, root, log). A missing name (sbe18:
  // their link in /tmp, gone for the walk only) means `what` was read through another; the log is created where we are.
  const walkPath = async (path: string, what: string | null): Promise<void> => {
    const names = path.split('/').reverse();
    for (let at = '/', hops = 0; names.length > 0;) {
      const name = names.pop() as string;
      if (name === '..') at = host.path.dirname(at);
      if (name === '' || name === '.' || name === '..') continue;
      const next = host.path.join(at, name), st = await host.lstat(next).catch((e) => missing(e) ? null : undefined);
      const lost = st === null || (st && st.kind !== 'dir' && st.kind !== 'symlink' && names.length > 0); // or a file
      const gone = `${what} ${q(path)} changed during the checks: ${q(next)} is ${st ? 'not a folder' : 'gone'}`;
      if (lost && what !== null) return void out.push({ level: 'refuse', message: gone });
      const risk = 'replace, pre-create or remove the audit log', last = names.length === 0;
      if (lost) return void await check({ what: last ? 'the audit log folder' : HOLDER, path: at, risk });
      if (st?.kind === 'symlink' && ++hops <= 40) {
        const t = { what: 'a symbolic link on the way', path: next, risk: 'repoint it' };
        if (!seen.has(`link ${next}`)) out.push(...ownership(config, t, st.uid, uid));
        seen.add(`link ${next}`);
        const target = await host.readlink(next).catch(() => '');
        if (target.startsWith('/')) at = '/';
        names.push(...target.split('/').reverse());
        continue;
      }
      if (st?.kind !== 'dir' || names.length === 0) return;
      const t = { what: 'a folder on the way', path: next, risk: 'swap what lies beyond it', stickyOk: true };
      // As THIS lstat saw it, never by an earlier look at the name: a link swapped for their folder since (sbe19).
      const judged = seen.has(`judged ${st.dev}:${st.ino}`) || !seen.add(`judged ${st.dev}:${st.ino}`);
      if (!judged) out.push(...ownership(config, t, st.uid, uid), ...modeFindings(config, t, st.mode));
      at = next;
    }
  };
  // As written, then as resolved: a folder on the way may be a symlink, and its real parents can swap it too.
  const above = async (path: string, dir = host.path.dirname(path)): Promise<string[]> =>
    [...new Set([...chain(host, dir), ...chain(host, await host.realpath(dir).catch(() => dir))])];
  if (config.source !== null) {
    const risk = 'change what is served', read = config.sourceStat;
    const t = { what: 'the config file', path: config.source, risk };
    // What was READ is judged, and the path must still name it: a file or folder swapped in for the read and out
    // before these checks (sbe17: 13 of 40 starts) is refused either way. Read moments ago: no sandbox hides it now.
    // "development" is the config's own word, which theirs would say too: what only such a swap explains (the file
    // read is another user's, or gone or replaced by now) is refused in either mode.
    const now = await host.lstat(t.path).catch(() => null), firm = { ...config, mode: 'production' as const };
    if (read) out.push(...ownership(firm, t, read.uid, uid), ...modeFindings(config, t, read.mode));
    if (!read || !now || now.dev !== read.dev || now.ino !== read.ino) { // a config built without reading: the same
      const fix = 'start again, with every folder above it owned by you or root and writable by no one else';
      const message = `the config file ${q(t.path)} changed or disappeared after it was read: ${fix}`;
      out.push({ level: 'refuse', message });
      seen.add('config moved'); // said once: the walk below need not say it is gone
    }
    // A sticky folder (like /tmp) stops others from replacing a file they do not own.
    for (const [i, path] of (await above(config.source)).entries()) {
      await check({ what: i > 0 ? 'a folder above the config file' : 'the config folder', path, risk, stickyOk: true });
    }
  }
  for (const root of config.roots) { // who can rename entries of any folder above a root can swap it for another
    const what = `a folder above root "${root.name}"`, risk = 'swap the root for another folder';
    await check({ what: `root "${root.name}"`, path: root.path, risk: 'change what is served', ownerOnly: true });
    // Above the configured path too: a root given as a symlink is swapped by renaming the link.
    for (const path of [...await above(root.configured), ...await above(root.path)]) {
      await check({ what, path, risk, stickyOk: true });
    }
  }
  if (config.source !== null && !seen.has('config moved')) await walkPath(config.source, 'the config file');
  for (const root of config.roots) await walkPath(root.configured, `root "${root.name}"`);
  const log = config.audit.path;
  if (log === 'stderr') return out;
  // The log file's mode is checked once open, on its descriptor (checkOpenLog). Its folder, or the nearest existing
  // folder above it when it will be created: even a sticky world-writable folder lets anyone create the log's name
  // (or a symlink) first. Above that, sticky is enough, as for roots.
  await check({ what: 'the audit log', path: log, risk: 'rewrite the audit log', ownerOnly: true });
  let nearest = true;
  for (const [i, path] of (await above(log)).entries()) {
    const what = !nearest ? 'a folder above the audit log'
      : i === 0 ? 'the audit log folder' : HOLDER;
    const risk = nearest ? 'replace, pre-create or remove the audit log' : 'swap the audit log folder for their own';
    if (await check({ what, path, risk, stickyOk: !nearest })) nearest = false;
    else if ((await host.lstat(path).catch(() => null))?.kind === 'symlink') { // the log could never be created
      out.push({ level: 'refuse', message: `${what} ${q(path)} is a symbolic link to nothing: point it at a folder` });
    }
  }
  await walkPath(log, null);
  for (const root of config.roots) {
    const rel = host.path.relative(root.path, log);
    if (rel !== '' && !/^\.\.(?:[/\\]|$)/.test(rel) && !host.path.isAbsolute(rel)) { // `..x/` is a subfolder
      const why = 'a client could read it if its extension were served; keep it outside the roots';
      out.push({ level: 'warn', message: `the audit log ${q(log)} is inside root "${root.name}": ${why}` });
    }
  }
  return out;
}

/** The opened log file, judged through its descriptor (whatever its path showed before): mode and owner (you: uid). */
export function checkOpenLog(config: Config, file: { mode: number; uid: number } | null, uid: number | null) {
  if (file === null) return [];
  const { mode } = file, path = config.audit.path, t = { what: 'the audit log', path, risk: 'rewrite the audit log' };
  const out = [...ownership(config, t, file.uid, uid), ...modeFindings(config, t, mode)];
  if (out.length === 0 && mode & GROUP_OTHER_READ) {
    const details = `(mode ${octal(mode)}); it holds redacted request details; fix: chmod 600 ${q(path)}`;
    out.push({ level: 'warn', message: `the audit log ${q(path)} is readable by other users ${details}` });
  }
  return out;
}
