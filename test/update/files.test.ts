// Publishing files in two steps (temporary sibling + fsync, then rename): until the rename the target
// is untouched, after it the target is the new file, and the mode is exactly the one asked for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  commitTemp,
  modeOf,
  readIfExists,
  readRequired,
  UpdateError,
  writeAtomic,
  writeTemp,
} from '../../src/update/files.ts';
import { tempNameFor } from '../../src/update/layout.ts';
import { tempDir } from '../helpers/fixtures.ts';

test('writeTemp() leaves the target untouched until commitTemp() renames over it', () => {
  const dir = tempDir('dw-files-');
  const target = join(dir, 'docwarden.js');
  writeFileSync(target, 'old');
  const tmp = writeTemp(target, new TextEncoder().encode('new'), 0o644);
  assert.equal(tmp, join(dir, '.docwarden.js.tmp'));
  assert.equal(readFileSync(target, 'utf8'), 'old');
  assert.equal(readFileSync(tmp, 'utf8'), 'new');
  commitTemp(tmp, target);
  assert.equal(readFileSync(target, 'utf8'), 'new');
  assert.equal(existsSync(tmp), false);
});

test('writeTemp() replaces a leftover temporary file from an interrupted run', () => {
  const dir = tempDir('dw-files-');
  const target = join(dir, 'f.js');
  writeFileSync(tempNameFor(target), 'half-written garbage');
  writeAtomic(target, new TextEncoder().encode('complete'), 0o600);
  assert.equal(readFileSync(target, 'utf8'), 'complete');
  assert.equal(existsSync(tempNameFor(target)), false);
});

test('writeAtomic() sets exactly the mode asked for, whatever the umask', () => {
  const dir = tempDir('dw-files-');
  const target = join(dir, 'f.js');
  writeAtomic(target, new Uint8Array([1, 2, 3]), 0o600);
  assert.equal(statSync(target).mode & 0o777, 0o600);
  writeAtomic(target, new Uint8Array([4]), 0o644);
  assert.equal(modeOf(target), 0o644);
  assert.equal(modeOf(join(dir, 'missing')), null);
});

test('readIfExists() returns null for a missing file and refuses a folder', () => {
  const dir = tempDir('dw-files-');
  assert.equal(readIfExists(join(dir, 'missing'), 'x'), null);
  assert.throws(
    () => readIfExists(dir, 'the candidate'),
    (e: unknown) => e instanceof UpdateError && /Cannot read the candidate: not a regular file/.test(e.message),
  );
  assert.throws(
    () => readRequired(join(dir, 'missing'), 'the staged file'),
    /Cannot read the staged file: it does not exist/,
  );
});
