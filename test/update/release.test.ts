// `npm run release` in a copy of the repository: the manifest names the exact bundle, its inputs with
// their hashes, the tool surface as the updater measures it and the tested runtimes; verify holds a
// staged file to its manifest and refuses one whose manifest lies about the tools.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTree, tempDir } from '../helpers/fixtures.ts';
import { REPO } from '../helpers/source_scan.ts';

const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

type Manifest = {
  name: string;
  version: string;
  file: string;
  sha256: string;
  bytes: number;
  commit: string | null;
  inputs: { path: string; sha256: string }[];
  tools: { name: string; sha256: string }[];
  toolsSha256: string;
  testedOn: string[];
  updater: { file: string; sha256: string };
};

/** A throwaway release key pair: the private key as PEM PKCS#8 in a file, the public one as PEM SPKI. */
function throwawayKey(): { privateFile: string; publicFile: string; sign: (b: Uint8Array) => string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const dir = tempDir('dw-key-');
  const privateFile = join(dir, 'release.pem');
  const publicFile = join(dir, 'release.pub.pem');
  writeFileSync(privateFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  writeFileSync(publicFile, publicKey.export({ type: 'spki', format: 'pem' }));
  return { privateFile, publicFile, sign: (b) => `${sign(null, b, privateKey).toString('base64')}\n` };
}

function repoCopy(): string {
  const copy = join(tempDir('dw-release-'), 'repo');
  mkdirSync(copy);
  // What release packs besides the bundle: the configs, README and LICENSE (.mcpb) and the server.json template.
  const inputs = [
    'src',
    'scripts',
    'package.json',
    'tsconfig.json',
    'config.prod.json',
    'config.dev.json',
    'README.md',
    'LICENSE',
  ];
  const skipModules = (from: string) => !from.includes('node_modules');
  for (const p of [...inputs, 'server.json'])
    cpSync(join(REPO, p), join(copy, p), { recursive: true, filter: skipModules });
  symlinkSync(join(REPO, 'node_modules'), join(copy, 'node_modules'));
  return copy;
}

function release(copy: string, args: string[] = []): { manifest: Manifest; stderr: string } {
  const r = spawnSync(process.execPath, ['scripts/release.mjs', ...args], {
    cwd: copy,
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(r.status, 0, r.stderr);
  return {
    manifest: JSON.parse(readFileSync(join(copy, 'dist', 'manifest.json'), 'utf8')) as Manifest,
    stderr: r.stderr,
  };
}

function updater(copy: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(copy, 'dist', 'docwarden-update.js'), ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('release writes the bundle, its checksum and a manifest that describes them exactly', () => {
  const copy = repoCopy();
  const key = throwawayKey();
  const { manifest: m, stderr: signedOut } = release(copy, [
    '--tested-on',
    'node20,deno',
    '--sign-key',
    key.privateFile,
  ]);
  assert.match(
    signedOut,
    /signed with SHA256:[0-9a-f]{64}: docwarden\.js\.sig, docwarden-update\.js\.sig, manifest\.json\.sig/,
  );
  for (const f of ['docwarden.js', 'docwarden-update.js', 'manifest.json']) {
    const sig = Buffer.from(readFileSync(join(copy, 'dist', `${f}.sig`), 'utf8').trim(), 'base64');
    assert.ok(
      verify(null, readFileSync(join(copy, 'dist', f)), readFileSync(key.publicFile, 'utf8'), sig),
      `${f}.sig verifies`,
    );
  }
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
  assert.deepEqual(m.tools.map((t) => t.name), [
    'doc_info',
    'find_docs',
    'list_docs',
    'outline_doc',
    'read_doc',
    'search_docs',
  ]);
  for (const t of m.tools) assert.match(t.sha256, /^[0-9a-f]{64}$/);
  assert.deepEqual(m.testedOn, ['node20', 'deno']);
  assert.equal(m.updater.sha256, sha(readFileSync(join(copy, 'dist', 'docwarden-update.js'))));

  // Without --tested-on: the record of the last green test run, only if it tested this very bundle.
  mkdirSync(join(copy, 'build'), { recursive: true });
  writeFileSync(
    join(copy, 'build', 'tested-runtimes.json'),
    JSON.stringify({ bundleSha256: m.sha256, runtimes: ['node 20.20.2', 'deno 2.9.6'] }),
  );
  assert.deepEqual(release(copy).manifest.testedOn, ['node 20.20.2', 'deno 2.9.6']);
  writeFileSync(
    join(copy, 'build', 'tested-runtimes.json'),
    JSON.stringify({ bundleSha256: '0'.repeat(64), runtimes: ['node 20.20.2'] }),
  );
  const stale = release(copy);
  assert.deepEqual(stale.manifest.testedOn, []);
  assert.match(stale.stderr, /for another build of the bundle/);
  assert.equal(release(copy).manifest.sha256, m.sha256, 'the same sources give the same bundle');
  assert.match(stale.stderr, /NOT SIGNED \(no --sign-key\)/);
  assert.equal(
    existsSync(join(copy, 'dist', 'docwarden.js.sig')),
    false,
    'an unsigned release leaves no stale signature behind',
  );
  release(copy, ['--tested-on', 'node20,deno', '--sign-key', key.privateFile]);

  // verify checks the staged file against its manifest: accepted when true, refused when it lies.
  const docs = makeTree({ 'index.md': '# Index\n\nWelcome.\n' });
  const install = tempDir('dw-release-install-');
  cpSync(join(copy, 'dist', 'docwarden.js'), join(install, 'docwarden.js'));
  const file = join(copy, 'dist', 'docwarden.js');
  const staged = updater(copy, ['stage', file, '--trust-key', key.publicFile, '--install', install]);
  assert.equal(staged.status, 0, staged.stdout + staged.stderr);
  assert.match(staged.stdout, /Pinned release key SHA256:[0-9a-f]{64}[\s\S]*with its manifest, signed by SHA256:/);
  const ok = updater(copy, ['verify', '--install', install, '--root', docs]);
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /ok {3}manifest: version \S+ and 6 tool hashes match the running server/);

  const lying = { ...m, tools: m.tools.map((t) => (t.name === 'read_doc' ? { ...t, sha256: 'f'.repeat(64) } : t)) };
  const lyingPath = join(tempDir('dw-lying-'), 'manifest.json');
  writeFileSync(lyingPath, JSON.stringify(lying));
  const unsignedLie = updater(copy, ['stage', file, '--manifest', lyingPath, '--install', install]);
  assert.equal(unsignedLie.status, 1, 'a manifest without a valid signature is not staged with a signed release');
  assert.match(unsignedLie.stdout, /the --manifest has no valid signature by the pinned key/);
  // A lie the key holder signed gets through stage; verify still measures the server against it.
  writeFileSync(`${lyingPath}.sig`, key.sign(readFileSync(lyingPath)));
  assert.equal(
    updater(copy, ['stage', file, '--sha256', m.sha256, '--manifest', lyingPath, '--install', install]).status,
    0,
  );
  const refused = updater(copy, ['verify', '--install', install, '--root', docs]);
  assert.equal(refused.status, 1, refused.stdout + refused.stderr);
  assert.match(refused.stdout, /~ tool read_doc: served schema or description differs from the manifest/);
  assert.match(refused.stdout, /Refused: the staged file does not match its manifest/);
});
