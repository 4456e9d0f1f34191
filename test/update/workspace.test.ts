// verify's scratch folder (src/update/workspace.ts): created outside every configured root (the canary must
// be a file no server may serve), private, with a random canary that names itself in an allowlisted
// extension, removed at the end; refused when no candidate folder is outside the roots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UpdateError } from '../../src/update/files.ts';
import { createWorkspace } from '../../src/update/workspace.ts';
import { tempDir } from '../helpers/fixtures.ts';

const TMP = realpathSync(tmpdir());

test('a private folder in the temp folder, a 0600 canary with a fresh random token, removed on request', () => {
  const w = createWorkspace([tempDir()], tempDir());
  assert.ok(w.dir.startsWith(join(TMP, 'docwarden-verify-')));
  assert.equal(statSync(w.canary.path).mode & 0o777, 0o600);
  assert.match(w.canary.token, /^docwarden-canary-[0-9a-f]{32}$/);
  assert.equal(readFileSync(w.canary.path, 'utf8'), `# ${w.canary.token}\n\n${w.canary.token}\n`);
  assert.ok(w.canary.path.endsWith('.md'));
  assert.equal(w.logFor('live'), join(w.dir, 'live-audit.jsonl'));
  const other = createWorkspace([], tempDir());
  assert.notEqual(other.canary.token, w.canary.token);
  w.remove();
  other.remove();
  assert.equal(existsSync(w.dir), false);
});

test('a root holding the temp folder sends the workspace to the fallback; a root holding both is refused', () => {
  // The temp folder is TMPDIR's (os.tmpdir() reads it per call): one of our own, so the test holds wherever the
  // clone is (a clone inside the real temp folder would put any repository-relative fallback under the root).
  const temp = realpathSync(tempDir());
  const fallback = join(realpathSync(tempDir()), 'fallback'); // outside `temp`
  const saved = process.env['TMPDIR'];
  process.env['TMPDIR'] = temp;
  try {
    const w = createWorkspace([temp], fallback);
    assert.ok(w.dir.startsWith(join(fallback, 'docwarden-verify-')), w.dir);
    assert.equal(statSync(fallback).mode & 0o777, 0o700, 'the fallback is created private');
    w.remove();
  } finally {
    if (saved === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = saved;
  }
  assert.throws(
    () => createWorkspace(['/'], fallback),
    (e: unknown) => e instanceof UpdateError && /no scratch folder outside the configured roots/.test(e.message),
  );
});
