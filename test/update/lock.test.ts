// One updater per install folder; a lock left by a killed updater does not block the repair.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { acquireLock } from '../../src/update/lock.ts';
import { tempDir } from '../helpers/fixtures.ts';

test('acquireLock() creates the lock with our pid and release() removes it', () => {
  const path = join(tempDir('dw-lock-'), '.update.lock');
  const lock = acquireLock(path);
  assert.match(readFileSync(path, 'utf8'), new RegExp(`^${process.pid} [0-9a-f]{24}\n$`));
  lock.release();
  assert.equal(existsSync(path), false);
});

test('acquireLock() refuses while a live process holds the lock', () => {
  const path = join(tempDir('dw-lock-'), '.update.lock');
  writeFileSync(path, `${process.ppid}\n`);
  assert.throws(() => acquireLock(path), new RegExp(`another updater \\(pid ${process.ppid}\\) is running`));
  assert.equal(readFileSync(path, 'utf8').trim(), String(process.ppid), 'the holder keeps its lock');
});

test('acquireLock() takes over the lock of a process that is gone', () => {
  const path = join(tempDir('dw-lock-'), '.update.lock');
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  writeFileSync(path, `${dead.stdout}\n`);
  const lock = acquireLock(path);
  assert.match(readFileSync(path, 'utf8'), new RegExp(`^${process.pid} `));
  lock.release();
});

test('release() leaves a lock that is no longer ours (taken over after we were presumed dead)', () => {
  const path = join(tempDir('dw-lock-'), '.update.lock');
  const lock = acquireLock(path);
  writeFileSync(path, `${process.ppid} another-updater\n`);
  lock.release();
  assert.equal(readFileSync(path, 'utf8'), `${process.ppid} another-updater\n`);
});
