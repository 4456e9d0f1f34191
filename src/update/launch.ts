// How a server under test is started: the same runtime as the client uses, with the least-privilege
// flags the README recommends (Deno: read the roots, config and bundle; write the audit log; nothing
// else), the operator's config, and an audit log of our own so the operator's log is not touched.
import { UpdateError } from './files.ts';
import type { Launch } from './mcp_client.ts';
import type { RuntimeName } from './args.ts';

export type RuntimeChoice = { readonly name: RuntimeName; readonly bin: string };

export type ServerAccess = {
  readonly bundle: string;
  /** Absolute config path, or null when roots come from --root. */
  readonly configPath: string | null;
  readonly rootArgs: readonly string[];
  /** Everything the server must read besides the bundle and config: the roots (as configured and real). */
  readonly readPaths: readonly string[];
  readonly logPath: string;
};

const DENO_DENY = ['--deny-net', '--deny-run', '--deny-ffi', '--deny-env', '--deny-sys'] as const;

function serverArgs(a: ServerAccess): string[] {
  const args = a.configPath !== null ? ['--config', a.configPath] : a.rootArgs.flatMap((r) => ['--root', r]);
  return [...args, '--log', a.logPath];
}

function grantList(paths: readonly string[]): string {
  const unique = [...new Set(paths)];
  const bad = unique.find((p) => p.includes(','));
  // Deno splits permission lists on commas; such a path cannot be granted precisely.
  if (bad !== undefined) throw new UpdateError('Cannot run under Deno: a path to grant contains a comma; rename it or use --runtime node');
  return unique.join(',');
}

export function launchFor(rt: RuntimeChoice, a: ServerAccess, env: Readonly<Record<string, string>>): Launch {
  if (rt.name === 'node') return { cmd: rt.bin, args: [a.bundle, ...serverArgs(a)], env };
  const reads = grantList([a.bundle, ...(a.configPath !== null ? [a.configPath] : []), ...a.readPaths]);
  return {
    cmd: rt.bin,
    args: ['run', '--no-prompt', `--allow-read=${reads}`, `--allow-write=${grantList([a.logPath])}`, ...DENO_DENY, a.bundle, ...serverArgs(a)],
    env,
  };
}
