// Loads and validates the operator's config: resolves relative paths against the config file's folder,
// realpaths each root once, and refuses roots that would make confinement meaningless.
import type { Root } from '../policy/resolver.ts';
import type { FileStat, Host } from '../runtime/host.ts';
import { ArgumentError } from '../validate/schema.ts';
import { CONFIG_SCHEMA, DEFAULTS, DEFAULT_DENY, type Config, type RawConfig } from './schema.ts';

// The Config type lives beside the schema it is made from: the server uses it, this loader runs before serving.
export type { Config, Mode } from './schema.ts';

export class ConfigError extends Error {}

export type LoadOptions = Readonly<{ configPath: string | null; rootArgs: readonly string[]; logPath: string | null }>;

const MAX_CONFIG_BYTES = 1024 * 1024;
// A config file without audit.path still logs to a file, beside it (config.prod.json's own value): an
// operator who writes a config keeps records. Only --root without a config logs to stderr by default.
const CONFIG_AUDIT_PATH = '.docwarden/audit.jsonl';
// Why a config file cannot be read, by the runtime's error code, so the operator knows what to fix.
const READ_ERRORS: Readonly<Record<string, string>> = { ENOENT: 'no such file', EACCES: 'permission denied',
  EPERM: 'permission denied', EISDIR: 'it is a folder', ELOOP: 'it is a symbolic link (name the file it points to)',
  ERR_ENCODING_INVALID_ENCODED_DATA: 'it is not UTF-8 text' };

/** The config and what its descriptor said about the file READ (owner, mode, dev/ino), which the guard rails judge. */
async function readRaw(host: Host, path: string): Promise<[RawConfig, FileStat]> {
  const cannot = `Cannot load config ${JSON.stringify(path)}`;
  let text: string, st: FileStat;
  try {
    const file = await host.openRead(path); // O_NOFOLLOW, O_NONBLOCK: a link or FIFO is refused, never waited on
    try {
      st = await file.stat();
      if (st.kind !== 'file') throw new Error(st.kind === 'dir' ? 'it is a folder' : 'it is not a regular file');
      if (st.size > MAX_CONFIG_BYTES) throw new Error(`it is larger than ${MAX_CONFIG_BYTES} bytes`);
      const buf = new Uint8Array(st.size);
      let off = 0;
      for (let n = -1; n !== 0 && off < st.size; off += n) n = await file.read(buf.subarray(off), off);
      text = new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(0, off));
    } finally {
      await file.close();
    }
  } catch (err) {
    const why = READ_ERRORS[String((err as { code?: unknown }).code)] ?? (err instanceof Error ? err.message : '');
    throw new ConfigError(`${cannot}: ${why || 'cannot open or decode it'}`);
  }
  try {
    return [CONFIG_SCHEMA.read(JSON.parse(text), 'config'), st];
  } catch (err) {
    if (err instanceof SyntaxError) throw new ConfigError(`${cannot}: invalid JSON (${err.message})`);
    if (err instanceof ArgumentError) throw new ConfigError(`${cannot}: ${err.message}`);
    throw err;
  }
}

/**
 * A name that is not valid UTF-8 reaches us with U+FFFD in place of each bad byte: that spells a DIFFERENT
 * folder, one another user may create. Refused wherever a path comes in (arguments, config, cwd, home, realpath).
 */
function validUtf8(path: string, what: string): string {
  if (!path.includes('\uFFFD')) return path;
  throw new ConfigError(`Cannot use ${what} ${JSON.stringify(path)}: it contains U+FFFD, what bytes that are not ` +
    'UTF-8 become on the way in, so it may name another folder than yours (one anyone could create); rename it to ' +
    'valid UTF-8');
}

/** Resolves a path against `base`; a leading "~/" is the home folder (clients start servers without a shell). */
function resolvePath(host: Host, base: string, path: string, what: string): string {
  if (!path.startsWith('~')) return validUtf8(host.path.resolve(base, path), what);
  const home = /^~(?:[/\\]|$)/.test(path) ? host.homeDir() : undefined;
  if (typeof home === 'string') return validUtf8(host.path.join(home, path.slice(1)), what);
  const why = home === null ? 'this runtime cannot tell the home folder' : 'only "~/" (your home folder) is expanded';
  throw new ConfigError(`Cannot use ${what} ${JSON.stringify(path)}: ${why}; write the absolute path`);
}

/** A root name for a --root folder: its last segment made a valid name, numbered past the names `taken`. */
function nameFromPath(host: Host, dir: string, taken: Set<string>): string {
  const base = dir.split(host.path.sep).filter(Boolean).pop() ?? 'docs';
  let name = base.replace(/[^A-Za-z0-9_-]/g, '-').replace(/^[-_]+/, '').slice(0, 24) || 'docs';
  for (let i = 2; taken.has(name); i++) name = `${base.slice(0, 20)}-${i}`;
  taken.add(name);
  return name;
}

async function checkRoot(host: Host, name: string, configured: string): Promise<Root> {
  const cannot = (why: string) => new ConfigError(`Cannot use root "${name}": ${why}`);
  let real: string;
  try {
    real = await host.realpath(configured);
  } catch {
    throw cannot(`${JSON.stringify(configured)} does not exist or is not readable`);
  }
  validUtf8(real, `root "${name}" (resolved)`);
  const st = await host.stat(real);
  if (st.kind !== 'dir') throw cannot(`${JSON.stringify(configured)} is not a directory`);
  if (host.path.dirname(real) === real) throw cannot('a file-system root ("/") exposes the whole machine');
  if (real === host.homeDir()) {
    throw cannot('the home directory itself holds keys and credentials; configure a docs folder inside it');
  }
  return { name, path: real, dev: st.dev, ino: st.ino, configured };
}

export async function loadConfig(host: Host, options: LoadOptions): Promise<Config> {
  const configPath = options.configPath === null ? null : resolvePath(host, host.cwd(), options.configPath, '--config');
  const [raw, sourceStat] = configPath === null ? [{} as RawConfig, null] : await readRaw(host, configPath);
  const base = configPath === null ? host.cwd() : host.path.dirname(configPath);

  const taken = new Set<string>();
  const fromArgs = options.rootArgs.map((arg) => resolvePath(host, host.cwd(), arg, 'root'))
    .map((path) => ({ name: nameFromPath(host, path, taken), path }));
  const wanted = fromArgs.length > 0 ? fromArgs
    : (raw.roots ?? []).map(({ name, path }) => ({ name, path: resolvePath(host, base, path, `root "${name}"`) }));
  if (wanted.length === 0) {
    throw new ConfigError('Cannot start: no documentation roots configured; pass --root DIR or a config with "roots"');
  }
  const roots: Root[] = [];
  for (const w of wanted) {
    const twice = roots.some((r) => r.name === w.name);
    if (twice) throw new ConfigError(`Cannot use root "${w.name}": the name is used twice`);
    roots.push(await checkRoot(host, w.name, w.path));
  }

  const f = raw.files ?? {};
  const d = DEFAULTS.files;
  const auditPath = options.logPath ?? raw.audit?.path ?? (configPath === null ? 'stderr' : CONFIG_AUDIT_PATH);
  const auditBase = options.logPath !== null ? host.cwd() : base;
  const auditFile = auditPath === 'stderr' ? 'stderr' : resolvePath(host, auditBase, auditPath, 'audit log');
  return {
    mode: raw.mode ?? DEFAULTS.mode, source: configPath, sourceStat, roots,
    files: { ...d, ...f, deny: [...((f.defaultDeny ?? d.defaultDeny) ? DEFAULT_DENY : []), ...(f.deny ?? [])] },
    limits: { ...DEFAULTS.limits, ...(raw.limits ?? {}) }, audit: { ...DEFAULTS.audit, ...raw.audit, path: auditFile },
    confirm: { ...DEFAULTS.confirm, ...raw.confirm }, logLevel: raw.logLevel ?? DEFAULTS.logLevel,
  };
}
