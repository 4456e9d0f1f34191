// How a server under test is started: the same runtime as the client uses, with the least-privilege
// flags the README recommends (Deno: read the roots, config and bundle; write the audit log; nothing
// else), the operator's config, and an audit log of our own so the operator's log is not touched.
import { LaunchError, runtimeArgs } from '../cli/launch.ts';
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

function serverArgs(a: ServerAccess): string[] {
  const args = a.configPath !== null ? ['--config', a.configPath] : a.rootArgs.flatMap((r) => ['--root', r]);
  return [...args, '--log', a.logPath];
}

export function launchFor(rt: RuntimeChoice, a: ServerAccess, env: Readonly<Record<string, string>>): Launch {
  if (rt.name === 'node') return { cmd: rt.bin, args: [a.bundle, ...serverArgs(a)], env };
  // The same Deno flags `docwarden launch` prints, so the self-test runs the server as operators do.
  const read = [...new Set([a.bundle, ...(a.configPath !== null ? [a.configPath] : []), ...a.readPaths])];
  try {
    return { cmd: rt.bin, args: [...runtimeArgs('deno', '', { read, write: [a.logPath] }, ''), a.bundle, ...serverArgs(a)], env };
  } catch (err) {
    if (err instanceof LaunchError) throw new UpdateError(`Cannot run under Deno: ${err.message.replace(/^Cannot print the deno launch line: /, '')}`);
    throw err;
  }
}
