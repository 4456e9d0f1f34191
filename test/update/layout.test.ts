// The install folder's layout (src/update/layout.ts): one table of where the live, staged and previous
// files live, each temporary name beside its target, and the list of leftovers an interrupted step can leave.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layoutOf, leftoverCandidates, tempNameFor } from '../../src/update/layout.ts';

test('live, staged and previous files and their manifests have distinct places under the folder', () => {
  const l = layoutOf('/opt/dw');
  assert.deepEqual([l.live, l.staged, l.previous], [
    '/opt/dw/docwarden.js',
    '/opt/dw/staging/docwarden.js',
    '/opt/dw/previous/docwarden.js',
  ]);
  assert.deepEqual([l.liveManifest, l.trustedKey, l.lock], [
    '/opt/dw/manifest.json',
    '/opt/dw/trusted-key.pem',
    '/opt/dw/.update.lock',
  ]);
  const paths = Object.values(l);
  assert.equal(new Set(paths).size, paths.length, 'no two roles share a path');
  assert.ok(paths.every((x) => x === '/opt/dw' || x.startsWith('/opt/dw/')));
});

test('a temporary name is a hidden sibling of its target; every file the updater publishes has one listed', () => {
  assert.equal(tempNameFor('/opt/dw/staging/docwarden.js'), '/opt/dw/staging/.docwarden.js.tmp');
  const l = layoutOf('/opt/dw');
  const left = leftoverCandidates(l);
  for (const f of [l.live, l.liveManifest, l.staged, l.verified, l.previous, l.previousRecord, l.trustedKey]) {
    assert.ok(left.includes(tempNameFor(f)), f);
  }
  assert.equal(left.includes(tempNameFor(l.audit)), false, 'the trail is appended, never replaced');
});
