// One updater per install folder; a lock left by a killed updater does not block the repair, and three
// updaters racing for a stale lock over and over never hold it at the same time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
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

test('a claim left by an updater killed while taking over a stale lock is named, not guessed around', () => {
  const path = join(tempDir('dw-lock-'), '.update.lock');
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  writeFileSync(path, `${dead.stdout} stale\n`);
  const claim = `${path}.claim.${createHash('sha256').update(`${dead.stdout} stale\n`).digest('hex').slice(0, 16)}`;
  writeFileSync(claim, `${dead.stdout} claimant\n`);
  assert.throws(() => acquireLock(path), (e: Error) => e.message.includes(`remove ${claim}`));
  assert.equal(readFileSync(path, 'utf8'), `${dead.stdout} stale\n`, 'the stale lock stays until the claim is cleared');
});

// Each worker takes the lock ROUNDS times. Holding it, it creates a marker that only one may hold and checks
// that the lock still carries its token; then it "dies": it leaves a stale lock of a pid that is gone, so
// every round is a takeover race. Before the claim, 3 x 3,000 rounds showed two holders in 5 runs of 5.
const WORKER = `import * as fs from 'node:fs';
import { acquireLock } from ${JSON.stringify(resolve('src/update/lock.ts'))};
const [path, marker, dead, rounds] = process.argv.slice(2);
const n = { held: 0, overlaps: 0, stolen: 0, refused: 0, unexpected: [] };
const read = () => { try { return fs.readFileSync(path, 'utf8'); } catch { return ''; } };
for (let i = 0; i < Number(rounds); i++) {
  try {
    acquireLock(path);
  } catch (e) {
    if (/^Cannot lock the install folder: /.test(e.message)) n.refused++;
    else if (n.unexpected.length < 3) n.unexpected.push(e.message);
    continue;
  }
  n.held++;
  const token = read();
  let alone = true;
  try { fs.writeFileSync(marker, '', { flag: 'wx' }); } catch { n.overlaps++; alone = false; }
  for (let j = 0; j < 20; j++) if (read() !== token) { n.stolen++; break; }
  if (alone) fs.unlinkSync(marker);
  fs.writeFileSync(path + '.dying.' + process.pid, dead + ' ' + process.pid + '-' + i + '\\n');
  fs.renameSync(path + '.dying.' + process.pid, path);
}
process.stdout.write(JSON.stringify(n));
`;

test('three updaters racing for stale locks 3,000 times each never hold the lock together', async () => {
  const dir = tempDir('dw-lock-race3-');
  const entry = join(dir, 'worker_entry.ts');
  const worker = join(dir, 'worker.mjs');
  writeFileSync(entry, WORKER);
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: worker,
    logLevel: 'warning',
  });
  const dead =
    spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
  const path = join(dir, '.update.lock');
  writeFileSync(path, `${dead} first\n`);
  const runs = await Promise.all([1, 2, 3].map(() =>
    new Promise<string>((done) => {
      const child = spawn(process.execPath, [worker, path, join(dir, 'holder'), dead, '3000'], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d));
      child.on('close', () => done(out));
    })
  ));
  const counts = runs.map((r) =>
    JSON.parse(r) as { held: number; overlaps: number; stolen: number; unexpected: string[] }
  );
  for (const c of counts) {
    assert.equal(c.overlaps, 0, 'no two workers held the lock at once');
    assert.equal(c.stolen, 0, 'no held lock was removed or replaced by another worker');
    assert.deepEqual(c.unexpected, [], 'every refusal is a clear "Cannot lock the install folder" error');
  }
  assert.ok(counts.every((c) => c.held > 0), `each worker took over a stale lock: ${runs.join(' ')}`);
});
