// The MCP registry entry. server.json at the repository root is the template: the test keeps it in step
// with package.json (name = mcpName, every version = the package version, the npm package and the .mcpb
// of this version). Only a build knows the .mcpb's hash, so `npm run release` writes dist/server.json,
// the template plus fileSha256; the test runs that step on a freshly packed .mcpb and checks the hash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/fixtures.ts';

type Pkg = {
  registryType: string;
  identifier: string;
  version: string;
  fileSha256?: string;
  transport: { type: string };
};
type Entry = { $schema: string; name: string; description: string; version: string; packages: Pkg[] };

type PackageJson = { name: string; version: string; mcpName: string; description: string };
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as PackageJson;
const template = JSON.parse(readFileSync('server.json', 'utf8')) as Entry;

test("server.json: name is package.json's mcpName and every version is the package version", () => {
  const schema = /^https:\/\/static\.modelcontextprotocol\.io\/schemas\/[0-9-]+\/server\.schema\.json$/;
  assert.match(template.$schema, schema);
  assert.equal(template.name, pkg.mcpName);
  assert.equal(template.version, pkg.version);
  assert.ok(template.description.length <= 100, 'the registry caps descriptions at 100 characters');
  const npm = template.packages.find((p) => p.registryType === 'npm');
  assert.equal(npm?.identifier, pkg.name);
  const mcpb = template.packages.find((p) => p.registryType === 'mcpb');
  const url = mcpb?.identifier ?? '';
  assert.ok(url.startsWith('https://') && url.endsWith(`/docwarden-${pkg.version}.mcpb`), url);
  for (const p of template.packages) {
    assert.equal(p.version, pkg.version, p.identifier);
    assert.equal(p.transport.type, 'stdio');
  }
  assert.equal(mcpb?.fileSha256, undefined, 'the hash belongs in dist/server.json, written by the release');
});

test("the release's server.json is the template plus the SHA-256 of the .mcpb it wrote", () => {
  const out = tempDir('dw-registry-');
  const packed = spawnSync(process.execPath, ['scripts/mcpb.mjs', '--out', out], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(packed.status, 0, packed.stderr);
  const { file } = JSON.parse(packed.stdout) as { file: string };
  const args = ['scripts/server_json.mjs', file, '--out', out];
  const written = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 60_000 });
  assert.equal(written.status, 0, written.stderr);
  const entry = JSON.parse(readFileSync(join(out, 'server.json'), 'utf8')) as Entry;
  const sha = createHash('sha256').update(readFileSync(file)).digest('hex');
  assert.equal(entry.packages.find((p) => p.registryType === 'mcpb')?.fileSha256, sha);
  const withoutHash = { ...entry, packages: entry.packages.map(({ fileSha256: _, ...p }) => p) };
  assert.deepEqual(withoutHash, template);
});
