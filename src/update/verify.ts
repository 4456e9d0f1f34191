// `verify`: the staged file must pass the self-test under the operator's own config and runtime, must
// match its manifest, and must offer the same tool surface as the live file (or the operator accepts
// the printed difference). Only then is staging/verified.json written, which `switch` requires.
import { join, resolve } from 'node:path';
import { shellQuote } from '../cli/launch.ts';
import { ConfigError, loadConfig, type Config } from '../config/load.ts';
import { createNodeHost } from '../runtime/node_host.ts';
import type { CommandStatus, UpdateContext } from './context.ts';
import {
  modeOf, readFileIfExists, readIfExists, removeFile, sha256Hex, UpdateError, writeAtomic, type FileRead,
} from './files.ts';
import { accessFor, launchFor, type ServerAccess } from './launch.ts';
import { readManifest } from './manifest.ts';
import { startServerProcess } from './mcp_client.ts';
import { askRefusals, handshake, listTools, observeRest, selfTest, type ProbeRoot } from './self_test.ts';
import { diffHashes, diffModel, surfaceOf, type ModelSurface } from './surface.ts';
import { createWorkspace, type Workspace } from './workspace.ts';

export type VerifyRequest = Readonly<{ config: string | null; roots: readonly string[]; acceptToolChanges: boolean }>;

type Target = { readonly config: Config; readonly roots: readonly ProbeRoot[] };

async function loadTarget(req: VerifyRequest): Promise<Target> {
  const host = createNodeHost();
  const configPath = req.config === null ? null : resolve(req.config);
  try {
    const config = await loadConfig(host, { configPath, rootArgs: req.roots.map((r) => resolve(r)), logPath: null });
    return { config, roots: config.roots.map((r) => ({ name: r.name, path: r.path })) };
  } catch (err) {
    if (err instanceof ConfigError) throw new UpdateError(`Cannot verify: ${err.message}`);
    throw err;
  }
}

/** Production's grants for this bundle, with a scratch audit log: the canary is outside them (and every root). */
function access(bundle: string, t: Target, ws: Workspace, label: string): ServerAccess {
  return accessFor(t.config, bundle, ws.logFor(label));
}

/** What the model reads from the live file, asked exactly as of the candidate (same sandbox, same canary). */
async function liveSurface(ctx: UpdateContext, t: Target, ws: Workspace): Promise<ModelSurface> {
  const run = startServerProcess(launchFor(ctx.runtime, access(ctx.layout.live, t, ws, 'live'), ctx.childEnv));
  try {
    const hello = await handshake(run);
    const tools = await listTools(run);
    const refused = await askRefusals(run, t.roots[0] as ProbeRoot, ws.canary.path);
    return { initialize: hello.result, tools, ...await observeRest(run, refused) };
  } finally {
    await run.close();
  }
}

/**
 * After the candidate ran: the live file must be exactly what it was. If it is not (a sandbox escape, or
 * a writer outside the updater), say so plainly and put back the bytes it had before verify.
 */
function liveChanged(ctx: UpdateContext, before: Uint8Array | null, mode: number | null): boolean {
  const { layout, trail, out } = ctx;
  let now: string | null;
  try {
    const bytes = readIfExists(layout.live, 'the live file');
    now = bytes === null ? null : sha256Hex(bytes);
  } catch {
    now = 'unreadable (replaced by something that is not a regular file)';
  }
  const was = before === null ? null : sha256Hex(before);
  if (now === was) return false;
  if (before !== null) writeAtomic(layout.live, before, mode ?? 0o644);
  else removeFile(layout.live);
  removeFile(layout.verified);
  trail.record('verify', 'live_unchanged', 'refused', { before: was, after: now, restored: true });
  out(`Refused: the live file CHANGED while verify ran (sha256 ${was ?? '(none)'} before, ${now ?? '(deleted)'} ` +
    `after).`);
  out('Something escaped the sandbox or wrote the install folder meanwhile. The live file was put back to the bytes ' +
    'it had');
  out('before verify; the staged file is not verified. Check the install folder and where the candidate came from.');
  return true;
}

function refuser(ctx: UpdateContext): (step: string, why: string, detail?: Record<string, unknown>) => CommandStatus {
  return (step, why, detail = {}) => {
    ctx.trail.record('verify', step, 'refused', { reason: why, ...detail });
    ctx.out(`Refused: ${why}`);
    return 1;
  };
}

export async function verify(ctx: UpdateContext, req: VerifyRequest): Promise<CommandStatus> {
  const { layout } = ctx;
  const stagedRead = readFileIfExists(layout.staged, 'the staged file (run stage first)');
  if (stagedRead === null) throw new UpdateError('Cannot read the staged file (run stage first): it does not exist');
  const { bytes: staged, identity: stagedId } = stagedRead;
  removeFile(layout.verified); // a new verify replaces any earlier verdict, passing or not
  const liveBytes = readIfExists(layout.live, 'the live file');
  const liveMode = modeOf(layout.live);
  const target = await loadTarget(req);
  let status: CommandStatus = 1;
  let failure: unknown = null;
  try {
    status = await checkStaged(ctx, req, target, { bytes: staged, identity: stagedId }, liveBytes);
  } catch (err) {
    failure = err;
  }
  if (liveChanged(ctx, liveBytes, liveMode)) return 1;
  if (failure !== null) throw failure;
  // Said only now: the live file was re-read after every server this run started had exited.
  if (status !== 0) ctx.out('Nothing was switched; the live file is unchanged (checked after the candidate ran).');
  return status;
}

async function checkStaged(
  ctx: UpdateContext, req: VerifyRequest, target: Target, stagedFile: FileRead, liveBytes: Uint8Array | null,
): Promise<CommandStatus> {
  const { layout, trail, out } = ctx;
  const stagedSha = sha256Hex(stagedFile.bytes);
  const liveSha = liveBytes === null ? null : sha256Hex(liveBytes);
  const refuse = refuser(ctx);
  const manifest = readManifest(layout.stagedManifest, stagedSha);
  if (manifest.state === 'mismatch' || manifest.state === 'invalid') return refuse('manifest', `the staged manifest ` +
    `is ${manifest.state === 'invalid' ? 'not a valid manifest' : 'for another file'}; stage again`);
  trail.record('verify', 'begin', 'info', {
    staged: stagedSha, live: liveSha, runtime: ctx.runtime.name, config: target.config.source,
    roots: target.roots.map((r) => r.name),
  });
  const using = target.config.source ?? `--root ${target.config.roots.map((r) => r.configured).join(' --root ')}`;
  out(`Verifying staged ${stagedSha.slice(0, 16)}… inside the ${ctx.runtime.name} sandbox with ${using}`);

  const ws = createWorkspace(target.roots.map((r) => r.path), join(layout.stagingDir, 'scratch'));
  try {
    const run = startServerProcess(launchFor(ctx.runtime, access(layout.staged, target, ws, 'staged'), ctx.childEnv));
    const result = await selfTest(run, { roots: target.roots, canary: ws.canary, logPath: ws.logFor('staged') });
    for (const c of result.checks) {
      out(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
      trail.record('verify', c.name, c.ok ? 'ok' : 'refused', { result: c.detail });
    }
    const failed = result.checks.filter((c) => !c.ok).map((c) => c.name);
    if (failed.length > 0 || result.tools === null || result.surface === null) {
      const what = failed.join(', ') || 'to show what the model reads';
      return refuse('self_test', `the staged file failed ${what}`, { staged: stagedSha });
    }
    const surface = surfaceOf(result.tools);

    if (manifest.manifest !== null) {
      const diff = diffHashes(manifest.manifest.tools, surface.tools);
      if (manifest.manifest.version !== result.serverVersion) diff.unshift(`version: manifest says ` +
        `${manifest.manifest.version}, the server says ${result.serverVersion ?? '?'}`);
      if (diff.length > 0) {
        for (const d of diff) out(`    ${d}`);
        return refuse('manifest', 'the staged file does not match its manifest', { differences: diff });
      }
      out(`  ok   manifest: version ${manifest.manifest.version} and ${surface.tools.length} tool hashes match the ` +
        `running server`);
      trail.record('verify', 'manifest', 'ok', { version: manifest.manifest.version });
    }

    let diff: string[] = [];
    if (liveBytes !== null) {
      let before: ModelSurface | null = null;
      try {
        before = await liveSurface(ctx, target, ws);
      } catch (err) {
        diff = [`the live file could not be started to compare ` +
          `(${err instanceof Error ? err.message.slice(0, 200) : 'error'})`];
      }
      if (before !== null) diff = diffModel(before, result.surface);
    }
    if (diff.length > 0) {
      out('  What the model reads differs from the live file ' +
        '(instructions, server info, tools, templates, prompts or refusals):');
      for (const d of diff) out(`    ${d}`);
      if (!req.acceptToolChanges) {
        return refuse('model_surface', 'what the model reads changed; review the difference and rerun with ' +
          '--accept-tool-changes to accept it', { differences: diff });
      }
      trail.record('verify', 'model_surface', 'ok', { accepted: true, differences: diff });
      out('  ok   model_surface: changes accepted (--accept-tool-changes)');
    } else {
      trail.record('verify', 'model_surface', 'ok', { changed: false, firstInstall: liveBytes === null });
      out(`  ok   model_surface: ` +
        `${liveBytes === null ? 'no live file yet (first install)' : 'identical to the live file'}`);
    }
    const verdict = {
      sha256: stagedSha, identity: stagedFile.identity, liveSha256: liveSha, serverVersion: result.serverVersion,
      runtime: ctx.runtime.name, config: target.config.source, roots: target.roots.map((r) => r.path), surface,
      toolChangesAccepted: diff.length > 0,
    };
    writeAtomic(layout.verified, new TextEncoder().encode(JSON.stringify(verdict, null, 2) + '\n'), 0o600);
    trail.record('verify', 'end', 'ok', { staged: stagedSha, version: result.serverVersion, surface: surface.sha256 });
    out(`Verified: staged ${result.serverVersion ?? ''} (${stagedSha.slice(0, 16)}…) may be switched in with: ` +
      `switch --install ${shellQuote(layout.dir)}`);
    return 0;
  } finally {
    ws.remove();
  }
}
