// Audit rotation by renames (src/audit/rotate.ts) on real files: when a write would pass rotateBytes,
// log -> log.1 -> log.2 ... up to `keep`, oldest replaced last, nothing copied; the file set (verify-log's
// logFileSet) is found back oldest first, ignoring names that only look alike.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { needsRotation, NO_ROTATION, rotatedName, shiftFiles } from '../../src/audit/rotate.ts';
import { logFileSet } from '../../src/cli/verify_log.ts';
import { createNodeHost } from '../../src/runtime/node_host.ts';
import { makeTree } from '../helpers/fixtures.ts';

const host = createNodeHost();

test('rotation is needed only when a non-empty file would pass the limit, and never when switched off', () => {
  const on = { rotateBytes: 100, keep: 3 };
  assert.equal(needsRotation(on, 50, 50), false);
  assert.equal(needsRotation(on, 50, 51), true);
  assert.equal(needsRotation(on, 0, 500), false, 'one long record still goes into an empty file');
  assert.equal(needsRotation(NO_ROTATION, 1e9, 1e9), false);
  assert.equal(needsRotation({ rotateBytes: 100, keep: 0 }, 99, 2), false);
});

test('shiftFiles renumbers every file by one, drops only the one past `keep`, and counts the rotated files', () => {
  const dir = makeTree({ 'a.jsonl': 'now\n', 'a.jsonl.1': 'one\n', 'a.jsonl.2': 'two\n', 'a.jsonl.3': 'three\n' });
  const log = join(dir, 'a.jsonl');
  assert.equal(shiftFiles(host, log, 3), 3);
  const read = (n: number) => readFileSync(rotatedName(log, n), 'utf8');
  assert.deepEqual([read(1), read(2), read(3)], ['now\n', 'one\n', 'two\n']);
  writeFileSync(log, 'next\n');
  assert.equal(shiftFiles(host, log, 3), 3);
  assert.deepEqual([read(1), read(2), read(3)], ['next\n', 'now\n', 'one\n']);
});

test('a shift with fewer files than `keep` counts only those; a missing log is an error', () => {
  const dir = makeTree({ 'b.jsonl': 'x\n' });
  const log = join(dir, 'b.jsonl');
  assert.equal(shiftFiles(host, log, 5), 1);
  assert.throws(() => shiftFiles(host, log, 5), /Cannot rotate: the log file is gone/);
});

test('logFileSet lists the rotated files oldest first, then the log; look-alike names are not part of it', async () => {
  const dir = makeTree({
    'c.jsonl': '',
    'c.jsonl.1': '',
    'c.jsonl.10': '',
    'c.jsonl.2': '',
    'c.jsonl.01': '',
    'c.jsonl.x': '',
    'c.jsonl.1.bak': '',
    'cc.jsonl.3': '',
  });
  const log = join(dir, 'c.jsonl');
  const set = await logFileSet(host, log);
  assert.equal(set.listed, true);
  assert.deepEqual(set.files.map((f) => f.slice(dir.length + 1)), ['c.jsonl.10', 'c.jsonl.2', 'c.jsonl.1', 'c.jsonl']);
  const unlisted = await logFileSet(host, join(dir, 'missing', 'd.jsonl'));
  assert.deepEqual(unlisted, { files: [join(dir, 'missing', 'd.jsonl')], listed: false });
});
