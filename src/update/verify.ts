// `verify`: the staged file must pass the self-test under the operator's own config and runtime, must
// match its manifest, and must offer the same tool surface as the live file (or the operator accepts
// the printed difference). Only then is staging/verified.json written, which `switch` requires.
import { join, resolve } from 'node:path';
import { ConfigError, loadConfig } from '../config/load.ts';
import { createNodeHost } from '../runtime/node_host.ts';
import type { CommandStatus, UpdateContext } from './context.ts';
import { readIfExists, readRequired, removeFile, sha256Hex, UpdateError, writeAtomic } from './files.ts';
import { launchFor, type ServerAccess } from './launch.ts';
import { readManifest } from './manifest.ts';
import { startServerProcess } from './mcp_client.ts';
import { handshake, listTools, selfTest, type ProbeRoot } from './self_test.ts';
import { diffHashes, diffTools, surfaceOf, type ToolDef } from './surface.ts';
import { createWorkspace, type Workspace } from './workspace.ts';

export type VerifyRequest = { readonly config: string | null; readonly roots: readonly string[]; readonly acceptToolChanges: boolean };

type Target = { readonly roots: readonly ProbeRoot[]; readonly configPath: string | null; readonly rootArgs: readonly string[]; readonly grants: readonly string[] };

async function loadTarget(req: VerifyRequest): Promise<Target> {
  const host = createNodeHost();
  const configPath = req.config === null ? null : resolve(req.config);
  const rootArgs = req.roots.map((r) => resolve(r));
  let config;
  try {
    config = await loadConfig(host, { configPath, rootArgs, logPath: null });
  } catch (err) {
    if (err instanceof ConfigError) throw new UpdateError(`Cannot verify: ${err.message}`);
    throw err;
  }
  const roots = config.roots.map((r) => ({ name: r.name, path: r.path }));
  return { roots, configPath, rootArgs, grants: [...rootArgs, ...roots.map((r) => r.path)] };
}

function access(bundle: string, t: Target, ws: Workspace, label: string): ServerAccess {
  // The canary is readable on purpose: the check must prove the server's own confinement, not the sandbox's.
  return { bundle, configPath: t.configPath, rootArgs: t.rootArgs, readPaths: [...t.grants, ws.canary.path], logPath: ws.logFor(label) };
}

async function liveTools(ctx: UpdateContext, t: Target, ws: Workspace): Promise<ToolDef[]> {
  const run = startServerProcess(launchFor(ctx.runtime, access(ctx.layout.live, t, ws, 'live'), ctx.childEnv));
  try {
    await handshake(run);
    return await listTools(run);
  } finally {
    await run.close();
  }
}

export async function verify(ctx: UpdateContext, req: VerifyRequest): Promise<CommandStatus> {
  const { layout, trail, out } = ctx;
  const refuse = (step: string, why: string, detail: Record<string, unknown> = {}): CommandStatus => {
    trail.record('verify', step, 'refused', { reason: why, ...detail });
    out(`Refused: ${why}`);
    out('Nothing was switched; the live file is unchanged.');
    return 1;
  };
  const staged = readRequired(layout.staged, 'the staged file (run stage first)');
  const stagedSha = sha256Hex(staged);
  const manifest = readManifest(layout.stagedManifest, stagedSha);
  if (manifest.state === 'mismatch' || manifest.state === 'invalid') return refuse('manifest', `the staged manifest is ${manifest.state === 'invalid' ? 'not a valid manifest' : 'for another file'}; stage again`);
  removeFile(layout.verified); // a new verify replaces any earlier verdict, passing or not
  const liveBytes = readIfExists(layout.live, 'the live file');
  const liveSha = liveBytes === null ? null : sha256Hex(liveBytes);
  const target = await loadTarget(req);
  trail.record('verify', 'begin', 'info', { staged: stagedSha, live: liveSha, runtime: ctx.runtime.name, config: target.configPath, roots: target.roots.map((r) => r.name) });
  out(`Verifying staged ${stagedSha.slice(0, 16)}… under ${ctx.runtime.name} with ${target.configPath ?? `--root ${target.rootArgs.join(' --root ')}`}`);

  const ws = createWorkspace(target.roots.map((r) => r.path), join(layout.stagingDir, 'scratch'));
  try {
    const run = startServerProcess(launchFor(ctx.runtime, access(layout.staged, target, ws, 'staged'), ctx.childEnv));
    const result = await selfTest(run, { roots: target.roots, canary: ws.canary, logPath: ws.logFor('staged') });
    for (const c of result.checks) {
      out(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
      trail.record('verify', c.name, c.ok ? 'ok' : 'refused', { result: c.detail });
    }
    const failed = result.checks.filter((c) => !c.ok).map((c) => c.name);
    if (failed.length > 0 || result.tools === null) return refuse('self_test', `the staged file failed ${failed.join(', ')}`, { staged: stagedSha });
    const tools = result.tools;
    const surface = surfaceOf(tools);

    if (manifest.manifest !== null) {
      const diff = diffHashes(manifest.manifest.tools, surface.tools);
      if (manifest.manifest.version !== result.serverVersion) diff.unshift(`version: manifest says ${manifest.manifest.version}, the server says ${result.serverVersion ?? '?'}`);
      if (diff.length > 0) {
        for (const d of diff) out(`    ${d}`);
        return refuse('manifest', 'the staged file does not match its manifest', { differences: diff });
      }
      out(`  ok   manifest: version ${manifest.manifest.version} and ${surface.tools.length} tool hashes match the running server`);
      trail.record('verify', 'manifest', 'ok', { version: manifest.manifest.version });
    }

    let diff: string[] = [];
    if (liveBytes !== null) {
      let before: ToolDef[] | null = null;
      try {
        before = await liveTools(ctx, target, ws);
      } catch (err) {
        diff = [`the live file could not be started to compare (${err instanceof Error ? err.message.slice(0, 200) : 'error'})`];
      }
      if (before !== null) diff = diffTools(before, tools);
    }
    if (diff.length > 0) {
      out(`  Tool surface differs from the live file (what the model sees would change):`);
      for (const d of diff) out(`    ${d}`);
      if (!req.acceptToolChanges) return refuse('tool_surface', 'the tool surface changed; review the difference and rerun with --accept-tool-changes to accept it', { differences: diff });
      trail.record('verify', 'tool_surface', 'ok', { accepted: true, differences: diff });
      out('  ok   tool_surface: changes accepted (--accept-tool-changes)');
    } else {
      trail.record('verify', 'tool_surface', 'ok', { changed: false, firstInstall: liveBytes === null });
      out(`  ok   tool_surface: ${liveBytes === null ? 'no live file yet (first install)' : 'identical to the live file'}`);
    }
    const verdict = {
      sha256: stagedSha, liveSha256: liveSha, serverVersion: result.serverVersion, runtime: ctx.runtime.name,
      config: target.configPath, roots: target.rootArgs, surface, toolChangesAccepted: diff.length > 0,
    };
    writeAtomic(layout.verified, new TextEncoder().encode(JSON.stringify(verdict, null, 2) + '\n'), 0o600);
    trail.record('verify', 'end', 'ok', { staged: stagedSha, version: result.serverVersion, surface: surface.sha256 });
    out(`Verified: staged ${result.serverVersion ?? ''} (${stagedSha.slice(0, 16)}…) may be switched in with: switch --install ${layout.dir}`);
    return 0;
  } finally {
    ws.remove();
  }
}
