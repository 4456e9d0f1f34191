// `surface FILE`: starts a bundle on an empty scratch root and prints its tool surface as JSON, the
// exact hashes `verify` computes. scripts/release.mjs records this output in dist/manifest.json.
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { RuntimeChoice } from './launch.ts';
import { launchFor } from './launch.ts';
import { startServerProcess } from './mcp_client.ts';
import { handshake, listTools } from './self_test.ts';
import { surfaceOf, type Surface } from './surface.ts';

export type BundleSurface = Surface & { readonly name: string; readonly version: string; readonly protocolVersion: string };

export async function bundleSurface(file: string, runtime: RuntimeChoice, env: Readonly<Record<string, string>>): Promise<BundleSurface> {
  const scratch = fs.realpathSync(fs.mkdtempSync(join(tmpdir(), 'docwarden-surface-')));
  try {
    const root = join(scratch, 'docs');
    fs.mkdirSync(root);
    const bundle = resolve(file);
    const run = startServerProcess(launchFor(runtime, { bundle, configPath: null, rootArgs: [root], readPaths: [root], logPath: join(scratch, 'audit.jsonl') }, env));
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
