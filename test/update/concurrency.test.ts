// The update lock and trail through the real updater: a stale lock is taken over by exactly one of many
// updaters started at once (the trail's single hash chain proves no two appended at the same time),
// status writes nothing, verify-trail names an edited or removed record, and a closed stdout
// (`switch | head`) does not turn a completed switch into a failure exit status.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir } from '../helpers/fixtures.ts';

const UPDATER = resolve('dist/docwarden-update.js');
const sha = (b: string | Uint8Array): string => createHash('sha256').update(b).digest('hex');
const OLD = 'var SERVER_VERSION = true ? "1.0.0" : "";\n// old\n';
const NEW = 'var SERVER_VERSION = true ? "1.1.0" : "";\n// new\n';

type Done = { status: number | null; stdout: string; stderr: string };

function start(args: readonly string[], closeStdout = false): Promise<Done> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [UPDATER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    if (closeStdout) child.stdout.destroy();
    else child.stdout.on('data', (d: Buffer) => {
        stdout += d;
      });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
    });
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
}

function chainIntact(dir: string): string[] {
  const r = spawnSync(process.execPath, [UPDATER, 'verify-trail', '--install', dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  return readFileSync(join(dir, 'update-audit.jsonl'), 'utf8').split('\n').filter(Boolean);
}

test('a stale lock is taken over by one updater at a time: many started at once never append together', async () => {
  const dir = tempDir('dw-lock-race-');
  writeFileSync(join(dir, 'docwarden.js'), OLD);
  // A candidate big enough that staging it (hash, write, fsync) keeps the lock for a while.
  const big = `${NEW}//${'x'.repeat(8 * 1024 * 1024)}\n`;
  const file = join(tempDir('dw-lock-cand-'), 'docwarden.js');
  writeFileSync(file, big);
  const dead =
    spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
  let holders = 0;
  for (let round = 0; round < 3; round++) {
    writeFileSync(join(dir, '.update.lock'), `${dead}\n`); // left by a killed updater
    const runs = await Promise.all(
      Array.from(
        { length: 8 },
        () => start(['stage', file, '--allow-unsigned', '--sha256', sha(big), '--install', dir]),
      ),
    );
    for (const r of runs) {
      if (r.status === 0) holders++;
      else assert.match(
          r.stderr,
          /Cannot lock the install folder: another updater (\(pid \d+\) is running|is taking over the stale lock)/,
          r.stderr,
        );
    }
    assert.ok(runs.some((r) => r.status === 0), 'the stale lock was taken over');
    assert.equal(existsSync(join(dir, '.update.lock')), false, 'released by its holder');
  }
  // Each holder appended its records under the lock: one unbroken chain, one "staged" record per holder.
  const lines = chainIntact(dir);
  assert.equal(lines.filter((l) => l.includes('"step":"staged"')).length, holders);
});

test('status reads only: it writes no trail record and takes no lock', async () => {
  const dir = tempDir('dw-status-');
  writeFileSync(join(dir, 'docwarden.js'), OLD);
  writeFileSync(join(dir, '.update.lock'), `${process.pid}\n`); // another updater is busy
  const r = await start(['status', '--install', dir]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(existsSync(join(dir, 'update-audit.jsonl')), false);
  assert.match(r.stdout, /^lock {5}\S*\.update\.lock \(an updater is running/m);
});

test('verify-trail names the first edited or removed record', async () => {
  const dir = tempDir('dw-trail-');
  writeFileSync(join(dir, 'docwarden.js'), OLD);
  for (let i = 0; i < 3; i++) await start(['rollback', '--install', dir]);
  const lines = chainIntact(dir);
  assert.equal(lines.length, 3);
  const path = join(dir, 'update-audit.jsonl');
  writeFileSync(path, [lines[0], (lines[1] as string).replace('refused', 'ok'), lines[2], ''].join('\n'));
  const edited = spawnSync(process.execPath, [UPDATER, 'verify-trail', '--install', dir], { encoding: 'utf8' });
  assert.equal(edited.status, 1);
  assert.match(edited.stdout, /BROKEN at line 3 does not chain to the line before/);
  writeFileSync(path, [lines[0], lines[2], ''].join('\n'));
  const removed = spawnSync(process.execPath, [UPDATER, 'verify-trail', '--install', dir], { encoding: 'utf8' });
  assert.match(removed.stdout, /BROKEN at line 2 has seq 2, expected 1: records removed, added or reordered/);
});

test('switch with a closed stdout (`switch | head`) completes and exits 0', async () => {
  const dir = tempDir('dw-pipe-');
  writeFileSync(join(dir, 'docwarden.js'), OLD);
  mkdirSync(join(dir, 'staging'), { mode: 0o700 });
  const staged = join(dir, 'staging', 'docwarden.js');
  writeFileSync(staged, NEW);
  const st = statSync(staged);
  const identity = { dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
  writeFileSync(
    join(dir, 'staging', 'verified.json'),
    JSON.stringify({ sha256: sha(NEW), identity, liveSha256: sha(OLD) }),
  );
  const r = await start(['switch', '--install', dir], true);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(readFileSync(join(dir, 'docwarden.js'), 'utf8'), NEW);
  assert.ok(chainIntact(dir).some((l) => l.includes('"command":"switch","step":"end","outcome":"ok"')));
});
