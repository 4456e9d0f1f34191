// Loads and validates the operator's config: resolves relative paths against the config file's folder,
// realpaths each root once, and refuses roots that would make confinement meaningless.
import type { Root } from '../policy/resolver.ts';
import type { Host } from '../runtime/host.ts';
import { ArgumentError } from '../validate/schema.ts';
import { CONFIG_SCHEMA, DEFAULTS, DEFAULT_DENY, type LOG_LEVELS, type RawConfig } from './schema.ts';

export type Mode = 'production' | 'development';

export type Config = {
  readonly mode: Mode;
  readonly source: string | null;
  readonly roots: readonly Root[];
  readonly files: {
    readonly extensions: readonly string[];
    readonly deny: readonly string[];
    readonly hidden: boolean;
    readonly symlinks: 'deny' | 'within-root';
    readonly hardLinks: boolean;
    readonly binary: 'refuse' | 'blob';
    readonly maxFileBytes: number;
  };
  readonly limits: typeof DEFAULTS.limits extends infer L ? { readonly [K in keyof L]: number } : never;
  readonly audit: { readonly path: string; readonly rotateBytes: number; readonly keep: number };
  /** Reads that need the user's explicit consent (elicitation), by path glob or size. */
  readonly confirm: { readonly paths: readonly string[]; readonly largerThan: number; readonly timeoutMs: number };
  readonly logLevel: (typeof LOG_LEVELS)[number];
};

export class ConfigError extends Error {}

export type LoadOptions = { readonly configPath: string | null; readonly rootArgs: readonly string[]; readonly logPath: string | null };

const MAX_CONFIG_BYTES = 1024 * 1024;

function readRaw(host: Host, path: string): RawConfig {
  let text: string;
  try {
    text = host.readConfigText(path, MAX_CONFIG_BYTES);
  } catch (err) {
    const why = err instanceof Error && err.message.startsWith('Cannot') ? err.message : 'cannot open or decode the file';
    throw new ConfigError(`Cannot load config ${JSON.stringify(path)}: ${why}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`Cannot load config ${JSON.stringify(path)}: invalid JSON (${err instanceof Error ? err.message : 'parse error'})`);
  }
  try {
    return CONFIG_SCHEMA.read(json, 'config');
  } catch (err) {
    if (err instanceof ArgumentError) throw new ConfigError(`Cannot load config ${JSON.stringify(path)}: ${err.message}`);
    throw err;
  }
}

function nameFromPath(host: Host, dir: string, taken: Set<string>): string {
  const base = dir.split(host.path.sep).filter(Boolean).pop() ?? 'docs';
  let name = base.replace(/[^A-Za-z0-9_-]/g, '-').replace(/^[-_]+/, '').slice(0, 24) || 'docs';
  for (let i = 2; taken.has(name); i++) name = `${base.slice(0, 20)}-${i}`;
  return name;
}

async function checkRoot(host: Host, name: string, configured: string): Promise<Root> {
  let real: string;
  try {
    real = await host.realpath(configured);
  } catch {
    throw new ConfigError(`Cannot use root "${name}": ${JSON.stringify(configured)} does not exist or is not readable`);
  }
  const st = await host.stat(real);
  if (st.kind !== 'dir') throw new ConfigError(`Cannot use root "${name}": ${JSON.stringify(configured)} is not a directory`);
  if (host.path.dirname(real) === real) throw new ConfigError(`Cannot use root "${name}": a file-system root ("/") exposes the whole machine`);
  const home = host.homeDir();
  if (home !== null && real === home) throw new ConfigError(`Cannot use root "${name}": the home directory itself holds keys and credentials; configure a docs folder inside it`);
  return { name, path: real, dev: st.dev, configured };
}

export async function loadConfig(host: Host, options: LoadOptions): Promise<Config> {
  const configPath = options.configPath === null ? null : host.path.resolve(host.cwd(), options.configPath);
  const raw: RawConfig = configPath === null ? {} : readRaw(host, configPath);
  const base = configPath === null ? host.cwd() : host.path.dirname(configPath);

  const wanted: { name: string; path: string }[] = [];
  if (options.rootArgs.length > 0) {
    const taken = new Set<string>();
    for (const arg of options.rootArgs) {
      const path = host.path.resolve(host.cwd(), arg);
      const name = nameFromPath(host, path, taken);
      taken.add(name);
      wanted.push({ name, path });
    }
  } else {
    for (const r of raw.roots ?? []) wanted.push({ name: r.name, path: host.path.resolve(base, r.path) });
  }
  if (wanted.length === 0) {
    throw new ConfigError('Cannot start: no documentation roots configured; pass --root DIR or a config with "roots"');
  }
  const names = new Set<string>();
  const roots: Root[] = [];
  for (const w of wanted) {
    if (names.has(w.name)) throw new ConfigError(`Cannot use root "${w.name}": the name is used twice`);
    names.add(w.name);
    roots.push(await checkRoot(host, w.name, w.path));
  }

  const f = raw.files ?? {};
  const d = DEFAULTS.files;
  const defaultDeny = f.defaultDeny ?? d.defaultDeny;
  const auditPath = options.logPath ?? raw.audit?.path ?? DEFAULTS.audit.path;
  return {
    mode: raw.mode ?? DEFAULTS.mode,
    source: configPath,
    roots,
    files: {
      extensions: f.extensions ?? d.extensions,
      deny: [...(defaultDeny ? DEFAULT_DENY : []), ...(f.deny ?? [])],
      hidden: f.hidden ?? d.hidden,
      symlinks: f.symlinks ?? d.symlinks,
      hardLinks: f.hardLinks ?? d.hardLinks,
      binary: f.binary ?? d.binary,
      maxFileBytes: f.maxFileBytes ?? d.maxFileBytes,
    },
    limits: { ...DEFAULTS.limits, ...(raw.limits ?? {}) },
    audit: {
      path: auditPath === 'stderr' ? 'stderr' : host.path.resolve(options.logPath !== null ? host.cwd() : base, auditPath),
      rotateBytes: raw.audit?.rotateBytes ?? DEFAULTS.audit.rotateBytes,
      keep: raw.audit?.keep ?? DEFAULTS.audit.keep,
    },
    confirm: {
      paths: raw.confirm?.paths ?? DEFAULTS.confirm.paths,
      largerThan: raw.confirm?.largerThan ?? DEFAULTS.confirm.largerThan,
      timeoutMs: raw.confirm?.timeoutMs ?? DEFAULTS.confirm.timeoutMs,
    },
    logLevel: raw.logLevel ?? DEFAULTS.logLevel,
  };
}
