// Release manifests and bundle facts: a manifest counts only when it describes the exact bytes next
// to it, and the version falls back to the literal esbuild inlines into the bundle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describeFile, parseManifest, versionInBundle } from '../../src/update/manifest.ts';
import { tempDir } from '../helpers/fixtures.ts';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const manifestFor = (bundle: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    name: 'docwarden',
    version: '1.2.3',
    sha256: sha(bundle),
    commit: 'c'.repeat(40),
    tools: [{ name: 'read_doc', sha256: 'd'.repeat(64) }],
    testedOn: ['node 20.20.2'],
    ...extra,
  });

test('parseManifest() accepts a release manifest and refuses malformed ones', () => {
  const m = parseManifest(manifestFor('x'));
  assert.deepEqual(m, {
    version: '1.2.3',
    sha256: sha('x'),
    commit: 'c'.repeat(40),
    tools: [{ name: 'read_doc', sha256: 'd'.repeat(64) }],
    testedOn: ['node 20.20.2'],
  });
  assert.equal(parseManifest('not json'), null);
  assert.equal(parseManifest('[]'), null);
  assert.equal(parseManifest(manifestFor('x', { sha256: 'short' })), null);
  assert.equal(parseManifest(manifestFor('x', { tools: [{ name: 'read_doc' }] })), null);
  assert.equal(parseManifest(manifestFor('x', { commit: 'not-a-commit' })), null);
  assert.equal(parseManifest(manifestFor('x', { commit: null }))?.commit, null);
});

test('versionInBundle() finds the inlined version literal', () => {
  assert.equal(versionInBundle('var SERVER_VERSION = true ? "0.4.1" : "0.0.0-dev";'), '0.4.1');
  assert.equal(versionInBundle('var SERVER_VERSION = "2.0.0";'), '2.0.0');
  assert.equal(versionInBundle('console.error("hi")'), null);
});

test('describeFile() reports the manifest as ok, missing, mismatched or invalid', () => {
  const dir = tempDir('dw-manifest-');
  const bundle = 'var SERVER_VERSION = true ? "0.5.0" : "0.0.0-dev";\n';
  const file = join(dir, 'docwarden.js');
  const manifest = join(dir, 'manifest.json');
  writeFileSync(file, bundle);
  assert.equal(describeFile(join(dir, 'none.js'), manifest), null);
  let info = describeFile(file, manifest);
  assert.equal(info?.manifest, 'missing');
  assert.equal(info?.version, '0.5.0');
  assert.equal(info?.sha256, sha(bundle));
  writeFileSync(manifest, manifestFor(bundle));
  info = describeFile(file, manifest);
  assert.equal(info?.manifest, 'ok');
  assert.equal(info?.version, '1.2.3', 'the manifest names the version when it describes the file');
  assert.deepEqual(info?.testedOn, ['node 20.20.2']);
  writeFileSync(manifest, manifestFor('other bytes'));
  info = describeFile(file, manifest);
  assert.equal(info?.manifest, 'mismatch');
  assert.equal(info?.version, '0.5.0');
  writeFileSync(manifest, '{');
  assert.equal(describeFile(file, manifest)?.manifest, 'invalid');
});
