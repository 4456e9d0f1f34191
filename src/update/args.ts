// The updater's command line: a closed set of commands and flags; anything else is an error naming it.
// Pure parsing only, so every refusal of a malformed command happens before any file is touched.

export type RuntimeName = 'node' | 'deno';

export type UpdateCommand =
  | { readonly kind: 'help' }
  | Readonly<{
    kind: 'stage'; file: string; install: string; sha256: string | null; sha256File: string | null;
    manifest: string | null; sig: string | null; trustKey: string | null; allowUnsigned: boolean;
    allowDowngrade: boolean;
  }>
  | { readonly kind: 'trust-key'; readonly file: string; readonly install: string; readonly replace: boolean }
  | Readonly<{
    kind: 'verify'; install: string; config: string | null; roots: readonly string[]; acceptToolChanges: boolean;
  }>
  | { readonly kind: 'switch'; readonly install: string }
  | { readonly kind: 'rollback'; readonly install: string }
  | { readonly kind: 'status'; readonly install: string; readonly json: boolean }
  | { readonly kind: 'verify-trail'; readonly install: string }
  | { readonly kind: 'surface'; readonly file: string };

export type UpdateOptions = {
  readonly command: UpdateCommand;
  readonly runtime: RuntimeName;
  /** The Deno executable for `--runtime deno` (default: `deno` on PATH). */
  readonly denoBin: string;
};

export class UpdateUsageError extends Error {}
const usage = (why: string) => new UpdateUsageError(`Cannot parse arguments: ${why}`);

export const UPDATE_USAGE = `Usage: docwarden-update <command> [options]

Stages, verifies, switches and rolls back the docwarden.js an MCP client runs. Every step appends a
record to DIR/update-audit.jsonl; a failed step leaves DIR/docwarden.js untouched.

Commands:
  stage FILE --install DIR [--sig FILE] [--trust-key FILE] [--sha256 HEX | --sha256-file FILE] [--manifest FILE]
        [--allow-unsigned] [--allow-downgrade]
                 Copy a candidate into DIR/staging/ if FILE.sig (or --sig) verifies against the pinned release
                 key (--trust-key pins it at first install, only with a release it verifies); an unsigned one only with
                 --allow-unsigned and a hash; a version older than the live one only with --allow-downgrade
  trust-key FILE --install DIR [--replace]
                 Pin the release public key, or change it: accepted when FILE.sig shows the pinned key endorsing
                 it, or with --replace (the old key is lost); recorded in the update trail
  verify --install DIR (--config FILE | --root DIR...) [--accept-tool-changes]
                 Start the staged server with your config, self-test it, compare its tools with the live one
  switch --install DIR
                 Atomically replace DIR/docwarden.js with the verified staged file; keep the old one in DIR/previous/
  rollback --install DIR
                 Atomically restore DIR/previous/docwarden.js, byte for byte
  status --install DIR [--json]
                 Live, staged and previous versions with their SHA-256, the pinned key; reads only
  verify-trail --install DIR
                 Check the hash chain of DIR/update-audit.jsonl; name the first edited, removed or reordered record
  surface FILE   Print the tool surface of a bundle (names and hashes), as release manifests record it

Options:
  --runtime node        Runtime that starts servers: the Node running this tool, inside its permission model
                        (deno is refused: its sandbox cannot contain a candidate; see docs/updating.md)
  --deno BIN            Unused (kept so older command lines get that explanation, not a usage error)
  --help                Show this help
`;

const COMMANDS = new Set(['stage', 'trust-key', 'verify', 'switch', 'rollback', 'status', 'verify-trail', 'surface']);

type Raw = {
  positional: string[];
  values: Map<string, string>;
  roots: string[];
  flags: Set<string>;
};

const VALUE_FLAGS = new Set([
  '--install', '--sha256', '--sha256-file', '--manifest', '--sig', '--trust-key', '--config', '--runtime', '--deno',
]);
const BOOLEAN_FLAGS = new Set([
  '--accept-tool-changes', '--allow-unsigned', '--allow-downgrade', '--replace', '--json', '--help', '-h',
]);

function scan(argv: readonly string[]): Raw {
  const raw: Raw = { positional: [], values: new Map(), roots: [], flags: new Set() };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i] as string;
    let inline: string | null = null;
    if (arg.startsWith('--') && arg.includes('=')) {
      inline = arg.slice(arg.indexOf('=') + 1);
      arg = arg.slice(0, arg.indexOf('='));
    }
    if (arg === '--root' || VALUE_FLAGS.has(arg)) {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw usage(`${arg} needs a value`);
      if (arg === '--root') raw.roots.push(v);
      else if (raw.values.has(arg)) throw usage(`${arg} given twice`);
      else raw.values.set(arg, v);
    } else if (BOOLEAN_FLAGS.has(arg) && inline === null) raw.flags.add(arg);
    else if (arg.startsWith('-')) throw usage(`unknown option ${JSON.stringify(arg.slice(0, 40))}; see --help`);
    else raw.positional.push(arg);
  }
  return raw;
}

/** Flags each command accepts besides --runtime and --deno; any other flag is refused by name. */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  stage: [
    '--install', '--sha256', '--sha256-file', '--manifest', '--sig', '--trust-key', '--allow-unsigned',
    '--allow-downgrade',
  ],
  'trust-key': ['--install', '--replace'],
  verify: ['--install', '--config', '--root', '--accept-tool-changes'],
  switch: ['--install'],
  rollback: ['--install'],
  status: ['--install', '--json'],
  'verify-trail': ['--install'],
  surface: [],
};

function checkAllowed(cmd: string, raw: Raw): void {
  const allowed = new Set([...(ALLOWED[cmd] ?? []), '--runtime', '--deno']);
  const used = [...raw.values.keys(), ...raw.flags, ...(raw.roots.length > 0 ? ['--root'] : [])];
  const extra = used.find((f) => !allowed.has(f));
  if (extra !== undefined) throw usage(`${cmd} does not take ${extra}; see --help`);
}

function install(raw: Raw, cmd: string): string {
  const dir = raw.values.get('--install');
  if (dir === undefined) {
    throw usage(`${cmd} needs --install DIR (the folder holding the docwarden.js your client runs)`);
  }
  return dir;
}

export function parseUpdateArgs(argv: readonly string[]): UpdateOptions {
  const raw = scan(argv);
  const runtimeValue = raw.values.get('--runtime') ?? 'node';
  if (runtimeValue !== 'node' && runtimeValue !== 'deno') throw usage('--runtime must be "node" or "deno"');
  const base = { runtime: runtimeValue as RuntimeName, denoBin: raw.values.get('--deno') ?? 'deno' };
  const help = raw.flags.has('--help') || raw.flags.has('-h') || raw.positional.length === 0;
  if (help) return { ...base, command: { kind: 'help' } };
  const [cmd, ...rest] = raw.positional as [string, ...string[]];
  if (!COMMANDS.has(cmd)) throw usage(`unknown command ${JSON.stringify(cmd.slice(0, 40))}; see --help`);
  checkAllowed(cmd, raw);
  const wantFile = cmd === 'stage' || cmd === 'surface' || cmd === 'trust-key';
  if (rest.length !== (wantFile ? 1 : 0)) {
    throw usage(wantFile ? `${cmd} needs exactly one FILE` : `${cmd} takes no positional arguments`);
  }
  switch (cmd) {
    case 'stage': {
      const sha256 = raw.values.get('--sha256') ?? null;
      const sha256File = raw.values.get('--sha256-file') ?? null;
      const both = 'stage takes --sha256 HEX or --sha256-file FILE, not both';
      if (sha256 !== null && sha256File !== null) throw usage(both);
      if (sha256 !== null && !/^[0-9a-fA-F]{64}$/.test(sha256)) throw usage('--sha256 must be 64 hexadecimal digits');
      const v = (flag: string): string | null => raw.values.get(flag) ?? null;
      return {
        ...base,
        command: {
          kind: 'stage', file: rest[0] as string, install: install(raw, cmd), sha256: sha256?.toLowerCase() ?? null,
          sha256File, manifest: v('--manifest'), sig: v('--sig'), trustKey: v('--trust-key'),
          allowUnsigned: raw.flags.has('--allow-unsigned'), allowDowngrade: raw.flags.has('--allow-downgrade'),
        },
      };
    }
    case 'trust-key': {
      const replace = raw.flags.has('--replace');
      return { ...base, command: { kind: 'trust-key', file: rest[0] as string, install: install(raw, cmd), replace } };
    }
    case 'verify': {
      const config = raw.values.get('--config') ?? null;
      const neither = 'verify needs --config FILE (the config your client uses) or --root DIR';
      if (config === null && raw.roots.length === 0) throw usage(neither);
      const acceptToolChanges = raw.flags.has('--accept-tool-changes');
      const roots = raw.roots;
      return { ...base, command: { kind: 'verify', install: install(raw, cmd), config, roots, acceptToolChanges } };
    }
    case 'switch': return { ...base, command: { kind: 'switch', install: install(raw, cmd) } };
    case 'rollback': return { ...base, command: { kind: 'rollback', install: install(raw, cmd) } };
    case 'status': {
      const json = raw.flags.has('--json');
      return { ...base, command: { kind: 'status', install: install(raw, cmd), json } };
    }
    case 'verify-trail': return { ...base, command: { kind: 'verify-trail', install: install(raw, cmd) } };
    default: return { ...base, command: { kind: 'surface', file: rest[0] as string } };
  }
}
