// `npm run release` in a copy of the repository: the manifest names the exact bundle, its inputs with
// their hashes, the tool surface as the updater measures it and the tested runtimes; verify holds a
// staged file to its manifest and refuses one whose manifest lies about the tools.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTree, tempDir } from '../helpers/fixtures.ts';
import { REPO } from '../helpers/source_scan.ts';

const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

type Manifest = {
  name: string; version: string; file: string; sha256: string; bytes: number; commit: string | null;
  inputs: { path: string; sha256: string }[]; tools: { name: string; sha256: string }[]; toolsSha256: string;
  testedOn: string[]; updater: { file: string; sha256: string };
};

function repoCopy(): string {
  const copy = join(tempDir('dw-release-'), 'repo');
  mkdirSync(copy);
  for (const p of ['src', 'scripts', 'package.json', 'tsconfig.json']) cpSync(join(REPO, p), join(copy, p), { recursive: true });
  symlinkSync(join(REPO, 'node_modules'), join(copy, 'node_modules'));
  return copy;
}

function release(copy: string, args: string[] = []): { manifest: Manifest; stderr: string } {
  const r = spawnSync(process.execPath, ['scripts/release.mjs', ...args], { cwd: copy, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  return { manifest: JSON.parse(readFileSync(join(copy, 'dist', 'manifest.json'), 'utf8')) as Manifest, stderr: r.stderr };
}

function updater(copy: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(copy, 'dist', 'docwarden-update.js'), ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('release writes the bundle, its checksum and a manifest that describes them exactly', () => {
  const copy = repoCopy();
  const { manifest: m } = release(copy, ['--tested-on', 'node20,deno']);
  const bundle = readFileSync(join(copy, 'dist', 'docwarden.js'));
  const pkg = JSON.parse(readFileSync(join(copy, 'package.json'), 'utf8')) as { version: string };
  assert.equal(m.name, 'docwarden');
  assert.equal(m.version, pkg.version);
  assert.equal(m.file, 'docwarden.js');
  assert.equal(m.sha256, sha(bundle));
  assert.equal(m.bytes, bundle.length);
  assert.equal(readFileSync(join(copy, 'dist', 'docwarden.js.sha256'), 'utf8'), `${m.sha256}  docwarden.js\n`);
  assert.equal(m.commit, null, 'a copy outside git has no commit');
  const inputs = JSON.parse(readFileSync(join(copy, 'dist', 'inputs.json'), 'utf8')) as string[];
  assert.deepEqual(m.inputs.map((i) => i.path), inputs);
  for (const i of m.inputs) assert.equal(i.sha256, sha(readFileSync(join(copy, i.path))), i.path);
  assert.deepEqual(m.tools.map((t) => t.name), ['doc_info', 'find_docs', 'list_docs', 'outline_doc', 'read_doc', 'search_docs']);
  for (const t of m.tools) assert.match(t.sha256, /^[0-9a-f]{64}$/);
  assert.deepEqual(m.testedOn, ['node20', 'deno']);
  assert.equal(m.updater.sha256, sha(readFileSync(join(copy, 'dist', 'docwarden-update.js'))));

  // Without --tested-on: the record of the last green test run, only if it tested this very bundle.
  mkdirSync(join(copy, 'build'), { recursive: true });
  writeFileSync(join(copy, 'build', 'tested-runtimes.json'), JSON.stringify({ bundleSha256: m.sha256, runtimes: ['node 20.20.2', 'deno 2.9.6'] }));
  assert.deepEqual(release(copy).manifest.testedOn, ['node 20.20.2', 'deno 2.9.6']);
  writeFileSync(join(copy, 'build', 'tested-runtimes.json'), JSON.stringify({ bundleSha256: '0'.repeat(64), runtimes: ['node 20.20.2'] }));
  const stale = release(copy);
  assert.deepEqual(stale.manifest.testedOn, []);
  assert.match(stale.stderr, /for another build of the bundle/);
  assert.equal(release(copy).manifest.sha256, m.sha256, 'the same sources give the same bundle');

  // verify checks the staged file against its manifest: accepted when true, refused when it lies.
  const docs = makeTree({ 'index.md': '# Index\n\nWelcome.\n' });
  const install = tempDir('dw-release-install-');
  cpSync(join(copy, 'dist', 'docwarden.js'), join(install, 'docwarden.js'));
  const file = join(copy, 'dist', 'docwarden.js');
  assert.equal(updater(copy, ['stage', file, '--sha256-file', `${file}.sha256`, '--install', install]).status, 0);
  const ok = updater(copy, ['verify', '--install', install, '--root', docs]);
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /ok {3}manifest: version \S+ and 6 tool hashes match the running server/);

  const lying = { ...m, tools: m.tools.map((t) => (t.name === 'read_doc' ? { ...t, sha256: 'f'.repeat(64) } : t)) };
  const lyingPath = join(tempDir('dw-lying-'), 'manifest.json');
  writeFileSync(lyingPath, JSON.stringify(lying));
  assert.equal(updater(copy, ['stage', file, '--sha256', m.sha256, '--manifest', lyingPath, '--install', install]).status, 0);
  const refused = updater(copy, ['verify', '--install', install, '--root', docs]);
  assert.equal(refused.status, 1, refused.stdout + refused.stderr);
  assert.match(refused.stdout, /~ tool read_doc: served schema or description differs from the manifest/);
  assert.match(refused.stdout, /Refused: the staged file does not match its manifest/);
});
