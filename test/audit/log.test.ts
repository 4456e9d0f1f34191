// Tests for src/audit/log.ts and src/audit/rotate.ts: the hash chain, redaction of every field a client
// can influence, file mode and append-only opening, and size-based rotation that loses no record.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { createAuditLog, GENESIS, toJsonLine } from '../../src/audit/log.ts';
import { needsRotation, shiftFiles } from '../../src/audit/rotate.ts';
import { logFileSet } from '../../src/cli/verify_log.ts';
import { createVerifier } from '../../src/audit/verify.ts';
import { DEFAULTS } from '../../src/config/schema.ts';
import type { Host } from '../../src/runtime/host.ts';
import { createNodeHost } from '../../src/runtime/node_host.ts';
import { tempDir } from '../helpers/fixtures.ts';

const host = createNodeHost();
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
type Rec = Record<string, unknown>;
const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean);
const records = (file: string) => lines(file).map((l) => JSON.parse(l) as Rec);

/** A host whose stderr is captured and whose renames can be made to fail. */
function testHost(opts: { renameFails?: boolean } = {}): { host: Host; stderr: string[]; renames: number } {
  const state = { stderr: [] as string[], renames: 0, host: null as unknown as Host };
  state.host = {
    ...host,
    writeStderr: (t: string) => void state.stderr.push(t),
    renameFile: (from: string, to: string) => {
      state.renames++;
      if (opts.renameFails) throw Object.assign(new Error('denied'), { name: 'NotCapable' });
      return host.renameFile(from, to);
    },
  };
  return state;
}

/** Feeds files (oldest first) to the verifier the way verify-log does. */
function verifyFiles(files: readonly string[]) {
  const v = createVerifier();
  for (const f of files) {
    lines(f).forEach((text, i) => v.add({ file: f, line: i + 1, text, hash: sha(text) }));
  }
  return v.finish();
}

test('`createAuditLog()` chains each record to the SHA-256 of the previous line, from GENESIS', () => {
  const file = join(tempDir(), 'a.jsonl');
  const log = createAuditLog(host, file);
  log.write({ event: 'start', outcome: 'info' });
  for (let i = 0; i < 5; i++) log.write({ event: 'request', id: i, method: 'ping', outcome: 'ok' });
  log.close();
  const raw = lines(file);
  assert.equal(raw.length, 6);
  raw.forEach((line, i) => {
    const r = JSON.parse(line) as Rec;
    assert.equal(r['v'], 1);
    assert.equal(r['seq'], i);
    assert.equal(r['pid'], host.pid);
    assert.equal(r['prev'], i === 0 ? GENESIS : sha(raw[i - 1] as string));
  });
});

test('`toJsonLine()` escapes U+2028, U+2029 and U+0085 so a record stays one line', () => {
  const line = toJsonLine({ s: 'a\u2028b\u2029c\u0085d' });
  assert.equal(line, '{"s":"a\\u2028b\\u2029c\\u0085d"}');
  assert.deepEqual(JSON.parse(line), { s: 'a\u2028b\u2029c\u0085d' });
});

test('`createAuditLog()` redacts arguments, details, method, tool, id and file names', () => {
  const file = join(tempDir(), 'a.jsonl');
  const log = createAuditLog(host, file);
  const gh = 'ghp_' + 'aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG5';
  const aws = 'AKIAIOSFODNN7EXAMPLE';
  log.write({
    event: 'request',
    id: `id-${gh}`,
    method: `x/${aws}`,
    tool: gh,
    args: { query: `find ${gh}` },
    files: [`docs:${aws}.md`],
    outcome: 'denied',
    reason: 'denied_pattern',
    detail: `segment refused: ${aws}.md`,
  });
  log.close();
  const text = readFileSync(file, 'utf8');
  assert.ok(!text.includes(gh) && !text.includes(aws), text);
  const r = records(file)[0] as Rec;
  assert.equal(r['method'], 'x/[REDACTED:aws-access-key-id]');
  assert.equal(r['tool'], '[REDACTED:github-token]');
  assert.deepEqual(r['files'], ['docs:[REDACTED:aws-access-key-id].md']);
  assert.equal(r['reason'], 'denied_pattern');
});

test('`createAuditLog()` keeps every touched file name (no 100-item cap on `files`)', () => {
  const file = join(tempDir(), 'a.jsonl');
  const log = createAuditLog(host, file);
  const files = Array.from({ length: 150 }, (_, i) => `docs:f${i}.md`);
  log.write({ event: 'request', files, outcome: 'ok' });
  log.close();
  assert.deepEqual((records(file)[0] as Rec)['files'], files);
});

test('`createAuditLog()` creates the file 0600 and a missing folder 0700', () => {
  const dir = join(tempDir(), 'new', 'logs');
  const file = join(dir, 'a.jsonl');
  const log = createAuditLog(host, file);
  log.write({ event: 'start', outcome: 'info' });
  assert.equal((log.file()?.mode ?? 0) & 0o777, 0o600);
  assert.equal(log.file()?.uid, process.getuid?.() ?? log.file()?.uid, 'its owner, for the guard rails: us');
  log.close();
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
});

test('`createAuditLog()` appends to an existing file, never truncates it, and leaves its mode alone', () => {
  const file = join(tempDir(), 'a.jsonl');
  writeFileSync(file, 'earlier line\n');
  chmodSync(file, 0o640);
  const log = createAuditLog(host, file);
  log.write({ event: 'start', outcome: 'info' });
  assert.equal((log.file()?.mode ?? 0) & 0o777, 0o640, 'reported for the guard rails, not silently changed');
  log.close();
  const raw = lines(file);
  assert.equal(raw[0], 'earlier line');
  assert.equal((JSON.parse(raw[1] as string) as Rec)['prev'], GENESIS, 'a new process starts a new segment');
});

test('`createAuditLog()` ignores writes after close instead of throwing', () => {
  const file = join(tempDir(), 'a.jsonl');
  const log = createAuditLog(host, file);
  log.write({ event: 'start', outcome: 'info' });
  log.close();
  log.write({ event: 'late', outcome: 'info' });
  log.close();
  assert.equal(lines(file).length, 1);
});

test('`createAuditLog()` writes nothing after its "stop" record, though the file is still open (the last flush)', () => {
  const file = join(tempDir(), 'a.jsonl');
  const log = createAuditLog(host, file);
  log.write({ event: 'start', outcome: 'info' });
  log.write({ event: 'stop', outcome: 'info', reason: 'sigterm' });
  log.write({ event: 'consent', outcome: 'refused', reason: 'timeout' }); // a timer firing while stdout drains
  log.note({ event: 'request', outcome: 'refused', reason: 'rate_limited' });
  log.close();
  assert.deepEqual(lines(file).map((l) => JSON.parse(l).event), ['start', 'stop']);
});

test('`createAuditLog("stderr")` writes chained lines to stderr and reports no file mode', () => {
  const t = testHost();
  const log = createAuditLog(t.host, 'stderr', { rotateBytes: 10, keep: 2 });
  log.write({ event: 'start', outcome: 'info' });
  log.write({ event: 'stop', outcome: 'info' });
  assert.equal(t.stderr.length, 2);
  assert.equal(log.file(), null);
  assert.equal(t.renames, 0, 'stderr never rotates');
  assert.equal((JSON.parse(t.stderr[1] as string) as Rec)['prev'], sha((t.stderr[0] as string).trimEnd()));
});

test('`needsRotation()` rotates a non-empty file before it would pass the limit; 0 means never', () => {
  assert.equal(needsRotation({ rotateBytes: 100, keep: 1 }, 50, 50), false);
  assert.equal(needsRotation({ rotateBytes: 100, keep: 1 }, 51, 50), true);
  assert.equal(needsRotation({ rotateBytes: 100, keep: 1 }, 0, 500), false, 'an empty file takes any record');
  assert.equal(needsRotation({ rotateBytes: 0, keep: 5 }, 1e12, 1), false);
});

test('rotation with a tiny limit loses no record and keeps one verifiable chain across files', async () => {
  const file = join(tempDir(), 'audit.jsonl');
  const log = createAuditLog(host, file, { rotateBytes: 600, keep: 1000 });
  log.write({ event: 'start', outcome: 'info' });
  const N = 300;
  for (let i = 0; i < N; i++)
    log.write({
      event: 'request',
      id: i,
      method: 'tools/call',
      tool: 'read_doc',
      args: { path: `guide/${i}.md` },
      outcome: 'ok',
    });
  log.write({ event: 'stop', outcome: 'info' });
  log.close();
  const set = await logFileSet(host, file);
  assert.ok(set.files.length > 20, `expected many files, got ${set.files.length}`);
  const all = set.files.flatMap((f) => records(f));
  assert.deepEqual(
    all.map((r) => r['seq']),
    Array.from({ length: all.length }, (_, i) => i),
    'every seq once, in order',
  );
  const ids = all.filter((r) => r['event'] === 'request').map((r) => r['id']);
  assert.deepEqual(ids, Array.from({ length: N }, (_, i) => i), 'every request record present');
  for (const f of set.files) {
    assert.ok(statSync(f).size <= 600 || lines(f).length <= 2, `${f} is ${statSync(f).size} bytes`);
    assert.equal(statSync(f).mode & 0o777, 0o600);
  }
  for (const f of set.files.slice(1)) {
    const first = records(f)[0] as Rec;
    assert.equal(first['event'], 'rotate', `${f} starts with a rotate record`);
    assert.notEqual(first['prev'], GENESIS, 'the chain continues');
  }
  const report = verifyFiles(set.files);
  assert.equal(report.error, null, JSON.stringify(report.error));
  assert.equal(report.segments, 1);
  assert.deepEqual(report.warnings, []);
});

test('rotation keeps at most `keep` files; the oldest remaining file still verifies from its rotate record', async () => {
  const file = join(tempDir(), 'audit.jsonl');
  const log = createAuditLog(host, file, { rotateBytes: 400, keep: 3 });
  log.write({ event: 'start', outcome: 'info' });
  for (let i = 0; i < 100; i++) log.write({ event: 'request', id: i, outcome: 'ok' });
  log.close();
  const set = await logFileSet(host, file);
  assert.deepEqual(set.files.map((f) => f.slice(file.length)), ['.3', '.2', '.1', '']);
  const report = verifyFiles(set.files);
  assert.equal(report.error, null, JSON.stringify(report.error));
  assert.ok(report.notes.some((n) => /rotated files that no longer exist/.test(n)), report.notes.join('\n'));
});

test('a refused rename turns rotation off, records it once, and keeps writing to the same file', () => {
  const file = join(tempDir(), 'audit.jsonl');
  const t = testHost({ renameFails: true });
  const log = createAuditLog(t.host, file, { rotateBytes: 300, keep: 2 });
  log.write({ event: 'start', outcome: 'info' });
  for (let i = 0; i < 50; i++) log.write({ event: 'request', id: i, outcome: 'ok' });
  log.close();
  assert.equal(t.renames, 1, 'no retry on every write');
  assert.equal(existsSync(`${file}.1`), false);
  const all = records(file);
  assert.equal(all.length, 52);
  const failed = all.filter((r) => r['event'] === 'rotate_failed');
  assert.equal(failed.length, 1);
  assert.equal(failed[0]?.['reason'], 'rename_refused');
  assert.deepEqual(failed[0]?.['detail'], { error: 'NotCapable', rotateBytes: 300 });
  assert.match(
    t.stderr.join(''),
    /cannot rotate the audit log \(NotCapable\).*grant read and write on the log and each of those names/,
  );
  assert.equal(verifyFiles([file]).error, null);
});

// Outside attack (sbe13): a link repointed under the log made the next reopen write into the attacker's 0666 file.
test('a reopen refuses a log others can write: the records stay in the old file, and the refusal is recorded', () => {
  const dir = tempDir();
  const file = join(dir, 'audit.jsonl');
  const t = testHost();
  const log = createAuditLog(t.host, file, { rotateBytes: 0, keep: 2 });
  log.write({ event: 'start', outcome: 'info' });
  renameSync(file, join(dir, 'ours.jsonl')); // "another process rotated it": the name now holds someone else's file
  writeFileSync(file, 'planted\n', { mode: 0o666 });
  chmodSync(file, 0o666);
  for (let i = 0; i < 3; i++) log.write({ event: 'request', id: i, outcome: 'ok' });
  log.close();
  assert.equal(readFileSync(file, 'utf8'), 'planted\n', 'not one record in the file others can write');
  const kept = records(join(dir, 'ours.jsonl'));
  assert.deepEqual(kept.map((r) => r['event']), ['start', 'rotate_failed', 'request', 'request', 'request']);
  assert.equal(kept[1]?.['reason'], 'reopen_refused');
});

test("a reopen refuses another user's log though its mode shows no one else may write (an ACL can grant it)", {
  skip: process.getuid?.() === 0 ? false : 'giving a file to another uid (chown) needs root',
}, () => {
  const dir = tempDir();
  const file = join(dir, 'audit.jsonl');
  const log = createAuditLog(testHost().host, file, { rotateBytes: 0, keep: 2 });
  log.write({ event: 'start', outcome: 'info' });
  renameSync(file, join(dir, 'ours.jsonl'));
  writeFileSync(file, 'theirs\n', { mode: 0o644 });
  chownSync(file, 3102, 3102);
  log.write({ event: 'request', id: 1, outcome: 'ok' });
  log.close();
  assert.equal(readFileSync(file, 'utf8'), 'theirs\n');
  assert.deepEqual(records(join(dir, 'ours.jsonl')).map((r) => r['reason'] ?? r['event']), [
    'start',
    'reopen_refused',
    'request',
  ]);
});

test('`shiftFiles()` renumbers oldest first and replaces only the file beyond `keep`', () => {
  const dir = tempDir();
  const file = join(dir, 'a.jsonl');
  for (const [name, body] of [['a.jsonl', 'live'], ['a.jsonl.1', 'one'], ['a.jsonl.2', 'two']])
    writeFileSync(join(dir, name as string), body as string);
  shiftFiles(host, file, 2);
  assert.deepEqual(readdirSync(dir).sort(), ['a.jsonl.1', 'a.jsonl.2']);
  assert.equal(readFileSync(`${file}.1`, 'utf8'), 'live');
  assert.equal(readFileSync(`${file}.2`, 'utf8'), 'one');
});

test('`logFileSet()` lists numbered siblings oldest first and ignores other names', async () => {
  const dir = tempDir();
  const file = join(dir, 'a.jsonl');
  for (const n of ['a.jsonl', 'a.jsonl.1', 'a.jsonl.10', 'a.jsonl.2', 'a.jsonl.bak', 'a.jsonl.01', 'b.jsonl.1'])
    writeFileSync(join(dir, n), '');
  const set = await logFileSet(host, file);
  assert.deepEqual(set.files.map((f) => f.slice(dir.length + 1)), ['a.jsonl.10', 'a.jsonl.2', 'a.jsonl.1', 'a.jsonl']);
});

test('config.prod.json sets the built-in audit rotation defaults', () => {
  const prod = JSON.parse(readFileSync(resolve('config.prod.json'), 'utf8')) as { audit: Rec };
  assert.equal(prod.audit['rotateBytes'], DEFAULTS.audit.rotateBytes);
  assert.equal(prod.audit['keep'], DEFAULTS.audit.keep);
});

// Outside attack (ERASE): escaped as \uXXXX, 2,000 bidi controls made a 12 KB string, so calls within the rate limit
// wrote ~7.9 KB records and cycled the kept files 17 times faster than the documented record sizes.
test('`createAuditLog()` cuts strings and arguments by their escaped size: bidi floods do not grow a record', () => {
  const file = join(tempDir(), 'a.jsonl');
  const log = createAuditLog(host, file);
  const flood = '\u202e'.repeat(2000);
  log.write({
    event: 'request',
    method: 'tools/call',
    tool: 'outline_doc',
    args: { path: 'a.md', x: flood },
    outcome: 'ok',
    detail: { note: flood },
  });
  log.close();
  const [line] = lines(file);
  assert.ok((line as string).length < 4000, `${line?.length} characters`);
  const r = JSON.parse(line as string) as { args: { cut: string; chars: number }; detail: { note: string } };
  assert.ok(toJsonLine(r.args.cut).length <= 1024 + 2, 'arguments cut at 1,024 characters as written');
  assert.ok(r.args.chars > r.args.cut.length, 'cut, with the length it had');
  assert.match(r.detail.note, /…\[\+\d+ chars\]$/, 'cut, saying how much');
});

// A second outside attack: the cut counted characters, so 5,000 CJK characters (3 bytes each) or backslashes (written
// as 2, in the arguments' cut as 4) still made 4-7 KB records. Both cuts count the bytes the line holds.
test('`createAuditLog()` cuts by the UTF-8 bytes a record holds: CJK and backslash floods stay small', () => {
  for (const flood of ['\u4e00'.repeat(5000), '\\'.repeat(5000)]) {
    const file = join(tempDir(), 'a.jsonl');
    const log = createAuditLog(host, file);
    log.write({
      event: 'request',
      method: 'tools/call',
      tool: 'read_doc',
      args: { path: flood },
      outcome: 'error',
      detail: { message: flood },
    });
    log.close();
    const [line] = lines(file);
    assert.ok(Buffer.byteLength(line as string) < 3500, `${Buffer.byteLength(line as string)} bytes`);
  }
});
