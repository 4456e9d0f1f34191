// The config file's closed schema, the built-in defaults (which equal config.prod.json) and the Config the server is
// given. Validated as strictly as tool input (config/load.ts): unknown keys and out-of-range values stop the server.
import type { Root } from '../policy/resolver.ts';
import type { FileStat } from '../runtime/host.ts';
import { compileGlob } from '../policy/glob.ts';
import { denyGlob, foldedGlob } from '../policy/path_rules.ts';
import { ArgumentError, array, boolean, integer, object, oneOf, string } from '../validate/schema.ts';
import type { Infer, Schema } from '../validate/schema.ts';

/** MCP log levels, least severe first (logLevel here; logging/setLevel and _meta in src/mcp/notifier.ts). */
export const LOG_LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'] as const;

export const DEFAULT_EXTENSIONS = [
  'md', 'markdown', 'mdx', 'rst', 'rest', 'txt', 'text', 'adoc', 'asciidoc',
  'html', 'htm', 'yaml', 'yml', 'toml', 'csv', 'svg',
] as const;

/**
 * Secret-looking names, denied in every path segment under case folding (docs/security.md, "Secrets in
 * names"). Families, not exact names: a key or env file keeps its kind under another suffix
 * (`server.key.txt`, `production.env.yml`) or prefix (`my-secrets.md`). test/policy/deny_census.test.ts
 * prints what the list hides in the Linux and Node documentation: the families hide no ordinary page.
 */
export const DEFAULT_DENY = [
  '.env', '.env.*', '*.env', '*.env.*', '.git', '.hg', '.svn', '.ssh', '.gnupg', '.aws', '.azure', '.gcloud', '.kube',
  '.docker', 'id_rsa*', 'id_dsa*', 'id_ecdsa*', 'id_ed25519*', 'ssh_host_*', '*.pem', '*.pem.*', '*.key', '*.key.*',
  '*.p12', '*.p12.*', '*.pfx', '*.pfx.*', '*.keystore', '*.jks', '*.kdbx', '*.gpg', '.npmrc', '.netrc', '_netrc',
  '.pypirc', '.pgpass', '*htpasswd*', '.git-credentials', 'credentials*', '*[-_.]credentials*', 'kubeconfig*',
  '*.kubeconfig', 'known_hosts*', 'authorized_keys*', 'secret', 'secrets', '*secret.*', '*secrets.*', '*.secret',
  '*.secrets', '*password.*', '*passwords.*', '*.tfstate', '*.tfstate.*', '*.tfvars',
] as const;

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const rootName = string({
  description: 'Short name the client uses for this root', minLength: 1, maxLength: 32,
  pattern: { source: '^[A-Za-z0-9][A-Za-z0-9_-]*$', hint: 'must be letters, digits, "-" or "_"' },
});
const text = (description: string, maxLength: number) => string({ description, minLength: 1, maxLength });
const hostPath = text('Folder path (relative paths resolve against the config file)', 4096);
const root = object({ name: rootName, path: hostPath }, ['name', 'path']);
/** A glob compiled as the server will: one it cannot compile stops the load naming the key, not with a stack trace. */
const globFor = (compile: (p: string) => unknown, s = text('glob', 256)): Schema<string> => ({ json: s.json,
  read(v, at) {
    const p = s.read(v, at);
    try { compile(p); } catch (err) {
      throw new ArgumentError(`\`${at}\` ${(err as Error).message.replace(/^.*?: /, 'is not a valid glob: ')}`);
    }
    return p;
  } });
const glob = globFor(compileGlob);
const rule = globFor((p) => foldedGlob(denyGlob(p))); // files.deny and confirm.paths: literals folded

export const CONFIG_SCHEMA = object(
  {
    mode: oneOf(['production', 'development'], 'production or development'),
    roots: array(root, { description: 'Documentation roots', maxItems: 32 }),
    files: object({
      extensions: array(string({
        description: 'extension', minLength: 1, maxLength: 16,
        pattern: { source: '^[a-z0-9]+$', hint: 'must be lowercase letters and digits, no dot' },
      }), { description: 'Allowed file extensions', maxItems: 64 }),
      deny: array(rule, { description: 'Extra deny globs', maxItems: 256 }),
      defaultDeny: boolean('Apply the built-in secret deny list'), hidden: boolean('Serve dot-files and dot-folders'),
      symlinks: oneOf(['deny', 'within-root'], 'Symlink policy'),
      hardLinks: boolean('Serve files with more than one hard link'),
      binary: oneOf(['refuse', 'blob'], 'Binary documents'),
      maxFileBytes: integer({ description: 'Largest file read', minimum: 1024, maximum: GiB }),
      redactSecrets: boolean('Redact high-confidence secrets (keys, tokens, URL credentials) in served text'),
      writableFolders: array(glob, {
        description: 'Folders other users may write that production still serves under path-based confinement',
        maxItems: 256,
      }),
    }, []),
    limits: object({
      lineBytes: integer({ description: 'Largest JSON-RPC line', minimum: 1024, maximum: 64 * 1024 * 1024 }),
      responseBytes: integer({ description: 'Largest reply', minimum: 4096, maximum: 16 * 1024 * 1024 }),
      inFlight: integer({ description: 'Concurrent requests', minimum: 1, maximum: 1024 }),
      callsPerMinute: integer({
        description: 'Tool calls per minute per tool (0: unlimited)', minimum: 0, maximum: 1_000_000,
      }),
      burst: integer({ description: 'Token bucket size', minimum: 1, maximum: 100_000 }),
      deadlineMs: integer({ description: 'Per-call deadline', minimum: 100, maximum: 600_000 }),
      searchResults: integer({ description: 'Most hits per search page', minimum: 1, maximum: 1000 }),
      searchFiles: integer({ description: 'Most files one search reads', minimum: 1, maximum: 1_000_000 }),
      listEntries: integer({ description: 'Most entries per listing page', minimum: 1, maximum: 10_000 }),
      depth: integer({ description: 'Deepest folder level walked', minimum: 1, maximum: 64 }),
      walkEntries: integer({ description: 'Most entries one walk visits', minimum: 100, maximum: 10_000_000 }),
      memoryBytes: integer({
        description: 'Document bytes held at once across calls', minimum: MiB, maximum: 16 * GiB,
      }),
    }, []),
    audit: object({
      path: text('JSONL audit file, or "stderr"', 4096),
      rotateBytes: integer({
        description: 'Rotate the audit file before it grows past this size (0: never)', minimum: 0, maximum: 2 ** 40,
      }),
      keep: integer({ description: 'Rotated audit files kept (path.1 ... path.N)', minimum: 1, maximum: 1000 }),
    }, []),
    confirm: object({
      paths: array(rule, { description: 'Documents whose reading needs the user\'s consent', maxItems: 256 }),
      largerThan: integer({
        description: 'Reading a document larger than this many bytes needs consent (0: no size rule)',
        minimum: 0, maximum: GiB,
      }),
      timeoutMs: integer({ description: 'How long to wait for the user\'s answer', minimum: 1000, maximum: 600_000 }),
    }, []),
    logLevel: oneOf(LOG_LEVELS, 'Initial MCP log level'),
  },
  [],
);

export type RawConfig = Infer<typeof CONFIG_SCHEMA>;

export type Mode = 'production' | 'development';

/** A section of the config file with every key present (the defaults fill what the file leaves out). */
type Section<K extends 'files' | 'limits' | 'audit' | 'confirm'> = Readonly<Required<NonNullable<RawConfig[K]>>>;

export type Config = {
  readonly mode: Mode;
  readonly source: string | null;
  readonly sourceStat: FileStat | null; // the config file READ, by its descriptor: what the guard rails judge
  readonly roots: readonly Root[];
  readonly files: Section<'files'>;
  readonly limits: Section<'limits'>;
  readonly audit: Section<'audit'>;
  /** Reads that need the user's explicit consent (elicitation), by path glob or size. */
  readonly confirm: Section<'confirm'>;
  readonly logLevel: (typeof LOG_LEVELS)[number];
};

export const DEFAULTS = {
  mode: 'production',
  files: {
    extensions: [...DEFAULT_EXTENSIONS] as string[], deny: [] as string[], defaultDeny: true, hidden: false,
    symlinks: 'deny', hardLinks: false, binary: 'refuse', maxFileBytes: 64 * MiB, redactSecrets: true,
    writableFolders: [] as string[],
  },
  limits: {
    lineBytes: MiB, responseBytes: 100 * 1024, inFlight: 16, callsPerMinute: 600, burst: 60, deadlineMs: 30_000,
    searchResults: 50, searchFiles: 50_000, listEntries: 500, depth: 16, walkEntries: 200_000, memoryBytes: 64 * MiB,
  },
  audit: { path: 'stderr', rotateBytes: 64 * 1024 * 1024, keep: 8 },
  confirm: { paths: [] as string[], largerThan: 0, timeoutMs: 120_000 },
  logLevel: 'warning',
} as const;
