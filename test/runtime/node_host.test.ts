// The host adapter (src/runtime/node_host.ts) on real files: opening never follows a symlink, never blocks
// on a FIFO and says where the descriptor really is; stats name every kind; folder reads stop at `max`;
// the config reader refuses what is not a small regular UTF-8 file; the audit file is created private
// (folder 0700, file 0600), appended whole and its last line found; renames tell "missing" from failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createNodeHost } from '../../src/runtime/node_host.ts';
import { makeTree, tempDir } from '../helpers/fixtures.ts';

const host = createNodeHost();
const dir = makeTree({
  'a.md': 'hello\n',
  'sub/b.md': 'b',
  'big.json': '{}'.padEnd(2000),
  'latin1.json': new Uint8Array([0xe9]),
});
symlinkSync(join(dir, 'a.md'), join(dir, 'link.md'));
const fifo = spawnSync('mkfifo', [join(dir, 'pipe.md')]).status === 0;

test('openRead reads by descriptor, refuses a symlink, and returns at once on a FIFO', async (t) => {
  const h = await host.openRead(join(dir, 'a.md'));
  const buf = new Uint8Array(16);
  const n = await h.read(buf, 1);
  assert.equal(new TextDecoder().decode(buf.subarray(0, n)), 'ello\n');
  assert.equal((await h.stat()).kind, 'file');
  if (host.descriptorLocations()) assert.equal(h.location(), join(dir, 'a.md'));
  renameSync(join(dir, 'a.md'), join(dir, 'moved.md'));
  if (host.descriptorLocations()) assert.equal(h.location(), join(dir, 'moved.md'), 'where the file is now');
  renameSync(join(dir, 'moved.md'), join(dir, 'a.md'));
  await h.close();
  await h.close(); // a second close is harmless
  await assert.rejects(host.openRead(join(dir, 'link.md')), (e: NodeJS.ErrnoException) => e.code === 'ELOOP');
  if (!fifo) return t.skip('mkfifo unavailable');
  const p = await host.openRead(join(dir, 'pipe.md')); // O_NONBLOCK: no writer needed
  assert.equal((await p.stat()).kind, 'fifo');
  await p.close();
});

test('lstat and stat name each kind; stat follows a link, lstat does not', async () => {
  assert.equal((await host.lstat(join(dir, 'link.md'))).kind, 'symlink');
  const target = await host.stat(join(dir, 'link.md'));
  assert.deepEqual([target.kind, target.size, target.nlink], ['file', 6, 1]);
  assert.equal((await host.lstat(join(dir, 'sub'))).kind, 'dir');
  assert.equal((await host.lstat('/dev/null')).kind, 'device');
  assert.equal(typeof (await host.lstat(dir)).ino, 'bigint');
});

test('readdir stops at `max` and ticks after each entry', async () => {
  const many = makeTree(Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`f${i}.md`, ''])));
  const ticks: number[] = [];
  const some = await host.readdir(many, 10, async (n) => void ticks.push(n));
  assert.equal(some.length, 10);
  assert.deepEqual(ticks, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal((await host.readdir(many)).length, 50);
  assert.ok((await host.readdir(dir)).some((e) => e.name === 'sub' && e.kind === 'dir'));
});

test('openAppend creates a private folder and file, appends whole lines and finds the last one', () => {
  const base = tempDir();
  const path = join(base, 'new', 'audit.jsonl');
  const log = host.openAppend(path);
  assert.equal(statSync(join(base, 'new')).mode & 0o777, 0o700);
  assert.equal(log.mode(), 0o600);
  assert.equal(log.lastLine(), null, 'empty');
  log.append('{"a":1}\n');
  log.append('{"b":"é"}\n');
  assert.equal(new TextDecoder().decode(log.lastLine() ?? undefined), '{"b":"é"}');
  assert.equal(log.size(), readFileSync(path).length);
  renameSync(path, `${path}.1`);
  writeFileSync(path, 'someone else\n');
  assert.equal(log.lastLine(), undefined, 'the open file was rotated away: its last line is unknown');
  log.close();
});

test('renameFile: true when done, false when the source is missing, an error otherwise', () => {
  const base = makeTree({ 'x': '1' });
  mkdirSync(join(base, 'full'));
  writeFileSync(join(base, 'full', 'y'), '');
  assert.equal(host.renameFile(join(base, 'x'), join(base, 'z')), true);
  assert.equal(host.renameFile(join(base, 'x'), join(base, 'w')), false);
  assert.throws(() => host.renameFile(join(base, 'z'), join(base, 'full')));
});

test('hashes, random bytes and timers', async () => {
  assert.equal(host.sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  const h = host.sha256();
  h.update('a');
  h.update(new TextEncoder().encode('bc'));
  assert.equal(h.digest('hex'), host.sha256Hex('abc'), 'incremental, text and bytes alike');
  assert.equal(
    host.hmacSha256Hex(new TextEncoder().encode('key'), 'The quick brown fox jumps over the lazy dog'),
    'f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8',
  );
  assert.equal(host.randomBytes(32).length, 32);
  assert.notDeepEqual(host.randomBytes(16), host.randomBytes(16));
  let fired = 0;
  host.setTimer(0, () => fired++)();
  await new Promise<void>((r) => host.setTimer(5, r));
  assert.equal(fired, 0, 'a cancelled timer never fires');
});
