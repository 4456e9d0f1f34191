// The install folder belongs to the operator: the real updater refuses to work in an install folder,
// staging/ or previous/ that another account could change, or that is a symbolic link, and never reads
// a live, staged or previous file through a symlink. The live file is never touched by a refusal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir } from '../helpers/fixtures.ts';

const UPDATER = resolve('dist/docwarden-update.js');
const LIVE = 'var SERVER_VERSION = true ? "1.0.0" : "";\n';

function run(args: readonly string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [UPDATER, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

function installDir(): string {
  const dir = tempDir('dw-own-');
  writeFileSync(join(dir, 'docwarden.js'), LIVE);
  return dir;
}

test('an install folder writable by its group or by others is refused, naming the fix', () => {
  for (const mode of [0o770, 0o707]) {
    const dir = installDir();
    chmodSync(dir, mode);
    const r = run(['rollback', '--install', dir]);
    assert.equal(r.status, 1, r.out);
    assert.match(
      r.out,
      /Cannot use --install ".*": it is writable by (its group|others) \(mode 7[07]{2}; chmod go-w it\)/,
    );
    assert.equal(readFileSync(join(dir, 'docwarden.js'), 'utf8'), LIVE);
  }
});

test('an install folder above which someone else could rename folders is refused', () => {
  const parent = tempDir('dw-own-parent-');
  const dir = join(parent, 'install');
  mkdirSync(dir, { mode: 0o700 });
  chmodSync(parent, 0o777); // world-writable without the sticky bit: anyone may swap `install`
  const r = run(['status', '--install', dir]);
  assert.equal(r.status, 1, r.out);
  assert.match(r.out, /Cannot use the folder above --install ".*dw-own-parent-[^"]*": it is writable by its group/);
});

test('an install folder owned by another account is refused', {
  skip: process.getuid?.() === 0 ? false : 'needs root to give a folder away',
}, () => {
  const dir = installDir();
  chownSync(dir, 4242, 4242);
  const r = run(['status', '--install', dir]);
  assert.equal(r.status, 1, r.out);
  assert.match(r.out, /belongs to uid 4242, not to you \(uid 0\)/);
});

test('staging/ or previous/ as a symbolic link, or a staged, live or previous file that is one, is refused', () => {
  const elsewhere = tempDir('dw-own-elsewhere-');
  writeFileSync(join(elsewhere, 'docwarden.js'), 'var SERVER_VERSION = true ? "6.6.6" : "";\n');
  for (const folder of ['staging', 'previous']) {
    const dir = installDir();
    symlinkSync(elsewhere, join(dir, folder));
    const r = run(['switch', '--install', dir]);
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, new RegExp(`Cannot use ${folder}/ ".*": it is a symbolic link`));
  }
  const dir = installDir();
  mkdirSync(join(dir, 'staging'), { mode: 0o700 });
  symlinkSync(join(elsewhere, 'docwarden.js'), join(dir, 'staging', 'docwarden.js'));
  const r = run(['switch', '--install', dir]);
  assert.equal(r.status, 1, r.out);
  assert.match(r.out, /Cannot read the staged file: it is a symbolic link/);
  assert.equal(readFileSync(join(dir, 'docwarden.js'), 'utf8'), LIVE);
  const linked = tempDir('dw-own-');
  symlinkSync(join(elsewhere, 'docwarden.js'), join(linked, 'docwarden.js'));
  const s = run(['status', '--install', linked]);
  assert.equal(s.status, 1, s.out);
  assert.match(s.out, /it is a symbolic link \(the updater never follows one\)/);
});
