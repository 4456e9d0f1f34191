// How a server under test is started: contained by the runtime's sandbox with exactly the grants
// production would use (`docwarden launch`: read the roots, config and bundle; write the audit log;
// nothing else), the operator's config, and an audit log of our own so the operator's log is untouched.
// A candidate is untrusted code: it never runs unconfined, and where no sandbox exists verify refuses.
import { LaunchError, runtimeArgs } from '../cli/launch.ts';
import { neededGrants, type Need } from '../config/grant_check.ts';
import type { Config } from '../config/load.ts';
import { UpdateError } from './files.ts';
import type { Launch } from './mcp_client.ts';
import type { RuntimeName } from './args.ts';

export type RuntimeChoice = { readonly name: RuntimeName; readonly bin: string };

export type ServerAccess = {
  readonly bundle: string;
  /** Absolute config path, or null when roots come from --root. */
  readonly configPath: string | null;
  readonly rootArgs: readonly string[];
  /** What production grants this bundle under this config (neededGrants), with our log as the audit log. */
  readonly need: Need;
  readonly logPath: string;
};

/** The access a bundle gets under `config`, its audit log moved to `logPath`. */
export function accessFor(config: Config, bundle: string, logPath: string): ServerAccess {
  const need = neededGrants({ ...config, audit: { ...config.audit, path: logPath } }, bundle);
  const rootArgs = config.source === null ? config.roots.map((r) => r.configured) : [];
  return { bundle, configPath: config.source, rootArgs, need, logPath };
}

function serverArgs(a: ServerAccess): string[] {
  const args = a.configPath !== null ? ['--config', a.configPath] : a.rootArgs.flatMap((r) => ['--root', r]);
  return [...args, '--log', a.logPath];
}

/**
 * Why a candidate never runs under Deno: its sandbox does not contain one. A static `import` (text,
 * bytes or JSON) reads any file whatever --allow-read and --deny-read say, and fchmod, futimes and
 * fchown through a descriptor opened for reading are not checked (a root made world-writable, a
 * document's times carrying secrets out). Node's permission model refuses all of these, and Node is
 * always there: it runs this updater.
 */
export const DENO_NOT_CONTAINED = 'Deno cannot contain a candidate (a static import reads any file whatever '
  + '--allow-read and --deny-read say; fchmod, futimes and fchown on an opened file are not checked), so it is not '
  + 'run under Deno at all. Leave out --runtime deno: the candidate runs inside Node\'s permission model, and it is '
  + 'the same file under both runtimes';

export function launchFor(rt: RuntimeChoice, a: ServerAccess, env: Readonly<Record<string, string>>): Launch {
  if (rt.name === 'deno') throw new UpdateError(`Cannot run the candidate: ${DENO_NOT_CONTAINED}`);
  try {
    // The Node running the updater, with its permission model: the lines `launch` prints for it.
    const sandbox = runtimeArgs('node', process.version, a.need, process.platform);
    return { cmd: rt.bin, args: [...sandbox, a.bundle, ...serverArgs(a)], env };
  } catch (err) {
    if (err instanceof LaunchError) {
      throw new UpdateError(`Cannot run the candidate inside the ${rt.name} sandbox, so it is not run at all: ` +
        `${err.message.replace(/^Cannot print the (deno |Node )?launch line: /, '')}`);
    }
    throw err;
  }
}
