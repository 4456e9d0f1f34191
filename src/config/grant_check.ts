// Compares what the runtime sandbox grants with what the config needs, and names the flag to drop
// (docs/running-locked-down.md, "The start-up self-audit"). Pure: src/runtime/permissions.ts asks
// the runtime; this module only decides which answers mean "broader than needed".
import { rotatedName } from '../audit/rotate.ts';
import { isContained } from '../policy/resolver.ts';
import type { PathOps } from '../runtime/host.ts';
import type { GrantSnapshot, ProbePlan } from '../runtime/permissions.ts';
import type { Config, Mode } from './schema.ts';

/** The file access the server needs: read the roots, the config and the bundle; append to the log. */
export type Need = { readonly read: readonly string[]; readonly write: readonly string[] };

export type FindingKind = 'too_broad' | 'unverified' | 'unsandboxed';
export type Finding = { readonly kind: FindingKind; readonly flag: string; readonly message: string };
export type Verdict = 'ok' | 'warn' | 'refuse';
const finding = (flag: string, message: string, kind: FindingKind = 'too_broad'): Finding => ({ kind, flag, message });

// Places an over-broad grant typically reaches; each is probed unless the config needs it.
const POSIX_SENTINELS = ['/', '/etc', '/root', '/home', '/Users', '/tmp', '/var', '/proc'];

const CAPABILITY_FLAGS: Readonly<Record<'deno' | 'node', Readonly<Record<string, readonly [string, string]>>>> = {
  deno: {
    net: ['--allow-net', 'network access (docwarden has no network code)'], run: ['--allow-run', 'starting programs'],
    ffi: ['--allow-ffi', 'loading native libraries'], sys: ['--allow-sys', 'reading system information'],
    env: ['--allow-env', 'reading environment variables (docwarden needs none)'],
    import: ['--allow-import', 'loading modules from the network (remote code, whatever --deny-net says)'],
  },
  node: {
    child: ['--allow-child-process', 'starting programs'], worker: ['--allow-worker', 'starting worker threads'],
    addon: ['--allow-addons', 'loading native addons'], wasi: ['--allow-wasi', 'running WASI modules'],
    inspector: ['--allow-inspector', 'the inspector, which can run any code'],
    net: ['--allow-net', 'network access (docwarden has no network code)'],
  },
};

/** Every folder above `path`, nearest first, up to the file-system root. */
export function ancestors(path: string, p: PathOps): string[] {
  const out: string[] = [];
  for (let cur = p.dirname(path); cur !== path && !out.includes(cur); cur = p.dirname(cur)) out.push(cur);
  return out;
}

const unique = (xs: readonly string[]): string[] => [...new Set(xs)];

/** The audit log and, when it rotates, each rotated name: a rename needs read and write on both ends. */
function logFiles(config: Config): { files: string[]; rotates: boolean } {
  const { path, rotateBytes, keep } = config.audit;
  if (path === 'stderr') return { files: [], rotates: false };
  const rotates = rotateBytes > 0 && keep > 0;
  const rotated = rotates ? Array.from({ length: keep }, (_, i) => rotatedName(path, i + 1)) : [];
  return { files: [path, ...rotated], rotates };
}

/**
 * Node on Linux: the process's own descriptor links, so a confinement check can ask the kernel where an
 * opened file is (race-free; docs/security.md, "Races"). It reaches only what the process holds open
 * (an inherited folder is refused at start); the other runtime refuses these links whatever is granted.
 */
export const DESCRIPTOR_LINKS = '/proc/self/fd/';

export function neededGrants(config: Config, bundle: string | null): Need {
  const log = logFiles(config);
  const read = unique([
    ...config.roots.flatMap((r) => [r.configured, r.path]), ...(config.source === null ? [] : [config.source]),
    ...(bundle === null ? [] : [bundle]), ...(log.rotates ? log.files : []),
  ]);
  return { read, write: log.files };
}

// The runtime is asked about a name inside each sentinel folder, never the folder itself: Node 20.20
// reports "/" itself as readable (and lets it be listed) once grants span two top-level folders, a
// runtime defect no flag can drop; a grant that really covers a folder covers every name inside it.
const PROBE_NAME = '.docwarden-sandbox-probe';

/**
 * The paths to ask the runtime about: a name inside each folder above or beside the needed paths, and
 * for write the read-only paths themselves (a root, the config and the bundle must never be writable).
 */
export function probePlan(need: Need, p: PathOps, home: string | null): ProbePlan {
  const extra = [...(p.sep === '/' ? POSIX_SENTINELS : []), ...(home === null ? [] : [home])];
  const above = unique([...[...need.read, ...need.write].flatMap((x) => ancestors(x, p)), ...extra]);
  const inside = (xs: string[]) => xs.map((x) => p.join(x, PROBE_NAME));
  return {
    read: inside(above.filter((s) => !need.read.some((n) => isContained(p, n, s)))),
    write: unique([...inside(above), ...need.read.filter((x) => !need.write.includes(x))]),
  };
}

/** The folder a probe stands for, or the path itself when it was asked about directly. */
const probed = (path: string, p: PathOps): string => (path.endsWith(`${p.sep}${PROBE_NAME}`) ? p.dirname(path) : path);

/** Keeps only the outermost of the granted paths: granting a folder grants what is below it. */
const outermost = (paths: readonly string[], p: PathOps): string[] =>
  paths.filter((x) => !paths.some((y) => y !== x && isContained(p, y, x)));

/** Paths for a message, with the rotated names of a log folded into "log (and .1 to .N)". */
function listPaths(paths: readonly string[]): string {
  const rotated = (x: string) => /^(.*)\.[1-9][0-9]*$/.exec(x)?.[1];
  const shown = paths.filter((x) => { const base = rotated(x); return base === undefined || !paths.includes(base); });
  return shown.map((x) => {
    const n = paths.filter((y) => rotated(y) === x).length;
    return n === 0 ? JSON.stringify(x) : `${JSON.stringify(x)} (and .1 to .${n})`;
  }).join(', ');
}

export function describeNeed(need: Need): string {
  const write = need.write.length === 0 ? 'nothing (the audit log goes to stderr)' : listPaths(need.write);
  return `it needs to read ${listPaths(need.read)} and to write ${write}`;
}

export function nodePermissionFlag(version: string): '--permission' | '--experimental-permission' {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map((x) => Number.parseInt(x, 10) || 0);
  // `--permission` is stable from Node 23.5 and was backported to 22.13.
  const stable = major > 23 || (major === 23 && minor >= 5) || (major === 22 && minor >= 13);
  return stable ? '--permission' : '--experimental-permission';
}

function fileFindings(s: GrantSnapshot, need: Need, p: PathOps): Finding[] {
  const out: Finding[] = [];
  const deno = s.runtime === 'deno';
  const readFlag = deno ? '--allow-read' : '--allow-fs-read';
  const writeFlag = deno ? '--allow-write' : '--allow-fs-write';
  const all = deno ? '' : '=*'; // how each runtime spells a grant of every file
  if (s.readAll) out.push(finding(readFlag + all, 'every file is readable; grant only the paths docwarden needs'));
  if (s.writeAll) out.push(finding(writeFlag + all, 'every file is writable; docwarden writes its audit log only'));
  const descriptorLinks = !deno && p.sep === '/' ? [p.resolve(DESCRIPTOR_LINKS)] : [];
  // Node reads "*" inside a path as a wildcard ("/srv/d*" also grants "/srv/dsecret"): never needed.
  const wild = (x: string, what: string): string => (!x.includes('*') ? what
    : 'Node reads "*" as a wildcard, so this grants every path starting with ' + JSON.stringify(x.split('*')[0]));
  const needed = (x: string) => need.read.some((n) => isContained(p, n, x)) || descriptorLinks.includes(x);
  // Listed grants docwarden does not need ("*" alone is readAll or writeAll, reported above).
  const extraRead = (s.listed?.read ?? []).filter((x) => x !== '*' && (x.includes('*') || !needed(x)));
  const extraWrite = (s.listed?.write ?? []).filter((x) => x !== '*' && (x.includes('*') || !need.write.includes(x)));
  for (const x of unique(extraRead)) out.push(finding(`${readFlag}=${x}`, wild(x, 'docwarden reads nothing there')));
  for (const x of unique(extraWrite)) out.push(finding(`${writeFlag}=${x}`, wild(x, 'docwarden writes nothing there')));
  // Probed paths that no listed flag explains (deno shows no flags; Node may get them from NODE_OPTIONS).
  const unexplained = (flag: string, granted: readonly string[], listed: readonly string[], than: string) =>
    outermost(granted.map((g) => probed(g, p)), p).filter((g) => !listed.some((l) => isContained(p, l, g)))
      .map((g) => finding(flag, `one of its entries covers ${JSON.stringify(g)}, more than ${than}`));
  if (!s.readAll) out.push(...unexplained(readFlag, s.read, extraRead, 'docwarden reads'));
  if (!s.writeAll) out.push(...unexplained(writeFlag, s.write, extraWrite, 'the audit log'));
  return out;
}

// Node's debugger flags, on its command line or in NODE_OPTIONS (the other runtime shows none of its own:
// docs/running-locked-down.md, "The start-up self-audit").
const INSPECT = /^"?--(inspect|debug-port)/;

export function auditGrants(s: GrantSnapshot, need: Need, p: PathOps): Finding[] {
  const port = 'a debugger port: whoever reaches it runs any code in docwarden, past every grant';
  const inspect = s.listed?.flags.filter((f) => INSPECT.test(f)).map((f) => finding(f.replaceAll('"', ''), port)) ?? [];
  const off = 'the permission model is off, so docwarden may do anything its user may';
  if (!s.sandboxed) return [{ kind: 'unsandboxed', flag: nodePermissionFlag(s.version), message: off }, ...inspect];
  const table = CAPABILITY_FLAGS[s.runtime];
  const caps = s.capabilities.filter((c) => table[c.name] !== undefined);
  if (s.runtime === 'deno' && s.readAll && s.writeAll && caps.length > 0 && caps.every((c) => c.access === 'granted')) {
    return [{ kind: 'too_broad', flag: '-A', message: 'drop -A (--allow-all): it grants every permission' }];
  }
  const out = [...fileFindings(s, need, p), ...inspect];
  const inherited = (fd: number): Finding => finding(`fd ${fd}`, 'a folder inherited from the launching process, ' +
    `reachable as /proc/self/fd/${fd}/…; close it first (exec ${fd}<&-)`);
  out.push(...s.inherited.map(inherited));
  const flagged = (flag: string) => s.listed?.flags.some((f) => f === flag || f.startsWith(`${flag}=`)) ?? false;
  for (const c of caps) {
    const [flag, what] = table[c.name] as readonly [string, string];
    const unseen = `${what} is not denied, and a grant for part of it cannot be seen from inside`;
    if (c.access === 'granted' || flagged(flag)) out.push(finding(flag, what));
    // deno reports a grant for some hosts or variables only (--allow-net=HOST) as "prompt": invisible here.
    else if (c.access === 'prompt') out.push(finding(flag.replace('--allow-', '--deny-'), unseen, 'unverified'));
  }
  return out;
}

export function verdict(findings: readonly Finding[], mode: Mode): Verdict {
  if (findings.length === 0) return 'ok';
  return mode === 'production' && findings.some((f) => f.kind === 'too_broad') ? 'refuse' : 'warn';
}

/** One line per finding, saying which flag to drop (too broad) or to add (unverified, unsandboxed). */
export function findingLines(findings: readonly Finding[]): string[] {
  return findings.map(({ kind, flag, message }) =>
    (kind !== 'too_broad' ? `add ${flag}: ${message}` : flag === '-A' ? message : `drop ${flag}: ${message}`));
}

/** The start-up message: refusal (production) or warning (development, or nothing provably too broad). */
export function startupMessage(s: GrantSnapshot, need: Need, findings: readonly Finding[], v: Verdict): string {
  const lines = findingLines(findings).map((l) => `  ${l}`);
  const launch = `docwarden launch --config FILE --runtime ${s.runtime}`;
  const hint = `  \`${launch}\` prints the least-privilege line; ${describeNeed(need)}`;
  if (v === 'refuse') {
    const what = s.sandboxed ? `the ${s.runtime} sandbox grants` : 'Node, without its permission model, grants';
    const dev = '  (with "mode": "development" this is only a warning)';
    return [`Cannot start in production mode: ${what} more than this config needs`, ...lines, hint, dev].join('\n');
  }
  // Node without --permission is how MCP clients start servers by default: alone, a warning, never a refusal.
  const head = s.sandboxed ? `warning: the ${s.runtime} sandbox is wider than this config needs`
    : 'warning: Node runs docwarden without its permission model';
  return [head, ...lines, hint].join('\n');
}
