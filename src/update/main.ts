// Entry point of dist/docwarden-update.js, a tool separate from the server so that the server bundle
// keeps no process-spawning code. argv -> command; one lock and one audit trail per install folder;
// exit 0 done, 1 refused or failed (the live file untouched), 2 usage error.
import * as fs from 'node:fs';
import { resolve } from 'node:path';
import { parseUpdateArgs, UPDATE_USAGE, UpdateUsageError, type UpdateCommand } from './args.ts';
import { bundleSurface } from './bundle_surface.ts';
import type { CommandStatus, UpdateContext } from './context.ts';
import { UpdateError } from './files.ts';
import type { RuntimeChoice } from './launch.ts';
import { layoutOf } from './layout.ts';
import { acquireLock, type Lock } from './lock.ts';
import { closeInheritedDescriptors } from './inherited_fds.ts';
import { checkInstallDir, checkOwnedDir } from './ownership.ts';
import { stage } from './stage.ts';
import { status } from './status.ts';
import { trustKey } from './trust.ts';
import { shown } from './shown.ts';
import { rollback, switchLive } from './switch.ts';
import { NO_TRAIL, openTrail, verifyTrailCommand, type Trail } from './trail.ts';
import { verify } from './verify.ts';

/** Test-only: SIGKILL ourselves right after the named step, to prove an interrupted switch is safe. */
const CRASH_ENV = 'DOCWARDEN_UPDATE_CRASH_AFTER';

/** Closed before anything else runs, so no server we start can inherit them (inherited_fds.ts). */
const inheritedClosed = closeInheritedDescriptors();

/**
 * SIGUSR1 opens Node's inspector in a process without the permission model, like this one, and a server
 * under verify may signal us (process.kill is not a permission) and connect to 127.0.0.1:9229 (no network
 * permission before Node 25): it would then run code here, as you, past every grant. A listener of our
 * own keeps the inspector shut (docs/updating.md, "Limits").
 */
process.on('SIGUSR1', () => undefined);

/**
 * Every line goes out with control, bidi and invisible characters escaped (a candidate's name, version,
 * tool names and stderr are in it, and could otherwise fake lines or colour a terminal). A closed stdout
 * (`switch | head`) is ignored: the command finishes, and its exit status stays the truth about it.
 */
const out = (line: string): void => void process.stdout.write(`${shown(line)}\n`);
process.stdout.on('error', () => undefined);
/** Text whose line breaks are ours (usage, JSON.stringify output, which escapes its own): one line each. */
const outLines = (text: string): void => text.split('\n').forEach(out);

function installDir(path: string): string {
  const dir = resolve(path);
  let isDir = false;
  try {
    isDir = fs.statSync(dir).isDirectory();
  } catch {
    // reported below
  }
  if (!isDir) {
    throw new UpdateError(`Cannot use --install ${JSON.stringify(path)}: not an existing folder ` +
      '(create it, or point at the folder holding docwarden.js)');
  }
  const real = fs.realpathSync(dir);
  checkInstallDir(real);
  return real;
}

async function runInstallCommand(
  cmd: Exclude<UpdateCommand, { kind: 'help' | 'surface' }>, runtime: RuntimeChoice,
): Promise<CommandStatus> {
  const layout = layoutOf(installDir(cmd.install));
  checkOwnedDir(layout.stagingDir, 'staging/');
  checkOwnedDir(layout.previousDir, 'previous/');
  const readOnly = cmd.kind === 'status' || cmd.kind === 'verify-trail';
  // The lock first, the trail second: records are appended only by the one updater holding the lock,
  // so the chain never forks. Reading commands take neither and write nothing.
  const lock: Lock | null = readOnly ? null : acquireLock(layout.lock);
  let trail: Trail = NO_TRAIL;
  try {
    if (!readOnly) trail = openTrail(layout.audit);
  } catch (err) {
    lock?.release();
    const code = (err as { code?: string }).code ?? 'error';
    throw new UpdateError(`Cannot open the update audit log ${layout.audit}: ${code}`);
  }
  if (cmd.kind === 'verify' && inheritedClosed.length > 0) {
    trail.record(cmd.kind, 'inherited_descriptors', 'info', { closed: inheritedClosed });
  }
  const ctx: UpdateContext = {
    layout, trail, out, runtime,
    childEnv: { PATH: process.env['PATH'] ?? '' },
    afterStep: (step) => {
      if (process.env[CRASH_ENV] === step) process.kill(process.pid, 'SIGKILL');
    },
  };
  try {
    switch (cmd.kind) {
      case 'stage': return stage(ctx, cmd);
      case 'trust-key': return trustKey(ctx, cmd);
      case 'verify': return await verify(ctx, cmd);
      case 'switch': return switchLive(ctx);
      case 'rollback': return rollback(ctx);
      case 'status': return status(ctx, cmd.json);
      case 'verify-trail': return verifyTrailCommand(ctx);
      default: throw new UpdateError('Cannot run: unknown command');
    }
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    trail.record(cmd.kind, 'error', 'error', { reason: reason.slice(0, 500) });
    throw err instanceof UpdateError ? err : new UpdateError(`Cannot ${cmd.kind}: ${reason}`);
  } finally {
    lock?.release();
    trail.close();
  }
}

async function main(): Promise<void> {
  let options;
  try {
    options = parseUpdateArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UpdateUsageError)) throw err;
    process.stderr.write(`docwarden-update: ${err.message}\n`);
    process.exitCode = 2;
    return;
  }
  const cmd = options.command;
  const bin = options.runtime === 'node' ? process.execPath : options.denoBin;
  const runtime: RuntimeChoice = { name: options.runtime, bin };
  try {
    if (cmd.kind === 'help') outLines(UPDATE_USAGE.trimEnd());
    else if (cmd.kind === 'surface') {
      const surface = await bundleSurface(cmd.file, runtime, { PATH: process.env['PATH'] ?? '' });
      outLines(JSON.stringify(surface, null, 2));
    }
    else process.exitCode = await runInstallCommand(cmd, runtime);
  } catch (err) {
    process.stderr.write(`docwarden-update: ${shown(err instanceof Error ? err.message : String(err))}\n`);
    process.exitCode = 1;
  }
}

void main();
