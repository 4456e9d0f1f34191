// Launches the real bundle with an audit log the test places itself (a missing folder, rotated names,
// files with chosen modes), unsandboxed or under the runtime's least-privilege line (src/cli/launch.ts)
// with exactly the file grants asked for; runs one-shot subcommands (verify-log) too.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { launchLine } from '../../src/cli/launch.ts';
import { BUNDLE, Client, DENO, type Json, RUNTIME, sandboxOf } from './harness.ts';

const DENY = ['--deny-net', '--deny-run', '--deny-ffi', '--deny-env', '--deny-sys', '--deny-import'];

export type AuditLaunch = {
  /** Passed as --root (ignored when `config` is given). */
  readonly roots?: readonly string[];
  /** Written to `configPath` as JSON unless `configText` says otherwise; root paths must be absolute. */
  readonly config?: Json;
  readonly configPath?: string;
  /** --log FILE (omit to use the config's audit.path, which must then be absolute). */
  readonly log?: string;
  /**
   * In a sandbox: "file" grants write on the log file only (the minimum without rotation); "rotation" read
   * and write on the log and each rotated name up to audit.keep (what `launch` prints); "folder" read and
   * write on its folder (needed to create a missing folder; production refuses such a broad grant).
   */
  readonly grant?: 'file' | 'rotation' | 'folder';
  /** The folder a "folder" grant covers (default: the log's folder; Node's mkdir needs the one above). */
  readonly folder?: string;
  readonly extraRead?: readonly string[];
  readonly args?: readonly string[];
};

/** The log path the server will use: --log, else the config's absolute audit.path. */
function logOf(o: AuditLaunch): string | null {
  if (o.log) return o.log;
  const p = (o.config?.['audit'] as { path?: string } | undefined)?.path;
  return p && p !== 'stderr' ? p : null;
}

export function auditLaunch(o: AuditLaunch): Client {
  if (o.config && o.configPath) writeFileSync(o.configPath, JSON.stringify(o.config));
  const serverArgs: string[] = [];
  if (o.configPath) serverArgs.push('--config', o.configPath);
  else for (const r of o.roots ?? []) serverArgs.push('--root', r);
  if (o.log) serverArgs.push('--log', o.log);
  serverArgs.push(...(o.args ?? []));
  const log = logOf(o);
  let cmd = process.execPath;
  let args = [BUNDLE, ...serverArgs];
  if (RUNTIME !== 'node') {
    const roots = o.config
      ? ((o.config['roots'] as { path: string }[] | undefined) ?? []).map((r) => r.path)
      : (o.roots ?? []);
    const read = [BUNDLE, ...roots, ...(o.configPath ? [o.configPath] : []), ...(o.extraRead ?? [])];
    const keep = (o.config?.['audit'] as { keep?: number } | undefined)?.keep ?? 8;
    const write = !log
      ? []
      : o.grant === 'folder'
      ? [o.folder ?? dirname(log)]
      : o.grant === 'rotation'
      ? [log, ...Array.from({ length: keep }, (_, i) => `${log}.${i + 1}`)]
      : [log];
    if (o.grant === 'folder' || o.grant === 'rotation') read.push(...write);
    const s = sandboxOf(RUNTIME);
    const line = launchLine(s.runtime, s.command, s.nodeVersion, { read, write }, BUNDLE, serverArgs, process.platform);
    cmd = line.command;
    args = [...line.args];
  }
  const proc = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: process.env['PATH'] ?? '' } });
  return new Client(proc, log);
}

/** Runs a subcommand to completion under the runtime under test; `read` is what Deno may read. */
export function runSubcommand(
  args: readonly string[],
  read: readonly string[],
): { code: number | null; stdout: string; stderr: string } {
  const [cmd, full] = RUNTIME === 'deno'
    ? [DENO, ['run', '--no-prompt', `--allow-read=${[BUNDLE, ...read].join(',')}`, ...DENY, BUNDLE, ...args]]
    : [process.execPath, [BUNDLE, ...args]];
  const r = spawnSync(cmd, full, { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '' }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Sends stdin EOF and waits for a clean exit. */
export async function finish(c: Client): Promise<void> {
  const exit = await c.close();
  if (exit.code !== 0) throw new Error(`server exited ${exit.code}; stderr: ${c.stderr.slice(-800)}`);
}
