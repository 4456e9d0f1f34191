// `surface FILE`: starts a bundle on an empty scratch root and prints its tool surface as JSON, the
// exact hashes `verify` computes. scripts/release.mjs records this output in dist/manifest.json.
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { RuntimeChoice } from './launch.ts';
import { accessFor, launchFor } from './launch.ts';
import { loadConfig } from '../config/load.ts';
import { createNodeHost } from '../runtime/node_host.ts';
import { startServerProcess } from './mcp_client.ts';
import { handshake, listTools } from './self_test.ts';
import { surfaceOf, type Surface } from './surface.ts';

export type BundleSurface = Surface & Readonly<{ name: string; version: string; protocolVersion: string }>;

export async function bundleSurface(
  file: string, runtime: RuntimeChoice, env: Readonly<Record<string, string>>,
): Promise<BundleSurface> {
  const scratch = fs.realpathSync(fs.mkdtempSync(join(tmpdir(), 'docwarden-surface-')));
  try {
    const root = join(scratch, 'docs');
    fs.mkdirSync(root);
    const logPath = join(scratch, 'audit.jsonl');
    const config = await loadConfig(createNodeHost(), { configPath: null, rootArgs: [root], logPath });
    // Inside the sandbox like verify: release runs this on the bundle it just built, but it is still code.
    const run = startServerProcess(launchFor(runtime, accessFor(config, resolve(file), logPath), env));
    try {
      const h = await handshake(run);
      const tools = await listTools(run);
      return { name: h.name, version: h.version, protocolVersion: h.protocolVersion, ...surfaceOf(tools) };
    } finally {
      await run.close();
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
