// Tests for src/cli/verify_log.ts and the `verify-log FILE` argument: real files on disk, rotated sets,
// the first broken record named by file, line and seq, and the exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  appendFileSync,
  closeSync,
  openSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { createAuditLog } from '../../src/audit/log.ts';
import { parseArgs, UsageError } from '../../src/cli/args.ts';
import { EXIT_BROKEN, EXIT_CHANGED, EXIT_INTACT, EXIT_UNREADABLE, runVerifyLog } from '../../src/cli/verify_log.ts';
import { createNodeHost } from '../../src/runtime/node_host.ts';
import { tempDir } from '../helpers/fixtures.ts';

const host = createNodeHost();

/** One server run's worth of records in `file` (appended), with optional rotation. */
function run(file: string, requests: number, rotateBytes = 0, stop = true): void {
  const log = createAuditLog(host, file, { rotateBytes, keep: 100 });
  log.write({ event: 'start', outcome: 'info' });
  for (let i = 0; i < requests; i++)
    log.write({
      event: 'request',
      id: i,
      method: 'tools/call',
      tool: 'search_docs',
      args: { query: `q${i}` },
      outcome: 'ok',
    });
  if (stop) log.write({ event: 'stop', outcome: 'info' });
  log.close();
}

function rewrite(file: string, change: (lines: string[]) => void): void {
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.pop();
  change(lines);
  writeFileSync(file, lines.join('\n') + '\n');
}

test('`runVerifyLog()` exits 0 with a summary and the head hash for an intact log', async () => {
  const file = join(tempDir(), 'audit.jsonl');
  run(file, 5);
  run(file, 3);
  const r = await runVerifyLog(host, file);
  assert.equal(r.code, EXIT_INTACT, r.output);
  assert.match(r.output, /intact: 12 records in 2 segments .*1 file:/);
  assert.match(r.output, /head sha256 [0-9a-f]{64}/);
  assert.doesNotMatch(r.output, /warning/);
});

test('`runVerifyLog()` names the file, line and seq of an edited record and exits 1', async () => {
  const file = join(tempDir(), 'audit.jsonl');
  run(file, 6);
  rewrite(file, (l) => void (l[4] = (l[4] as string).replace('"q3"', '"q9"')));
  const r = await runVerifyLog(host, file);
  assert.equal(r.code, EXIT_BROKEN);
  assert.match(r.output, new RegExp(`BROKEN at ${file.replace(/[.]/g, '\\.')} line 5 \\(seq 4\\): altered record`));
  assert.match(r.output, /4 records before it verified/);
});

test('`runVerifyLog()` catches a deleted, a reordered and a truncated record at the right line', async () => {
  const cases: [string, (l: string[]) => void, RegExp][] = [
    ['deleted', (l) => void l.splice(2, 1), /line 3 \(seq 3\): record seq 2 is missing/],
    [
      'reordered',
      (l) => void ([l[2], l[3]] = [l[3] as string, l[2] as string]),
      /line 3 \(seq 3\): record seq 2 is missing/,
    ],
    ['truncated line', (l) => void (l[3] = (l[3] as string).slice(0, 30)), /line 4: not valid JSON/],
  ];
  for (const [name, change, pattern] of cases) {
    const file = join(tempDir(), 'audit.jsonl');
    run(file, 6);
    rewrite(file, change);
    const r = await runVerifyLog(host, file);
    assert.equal(r.code, EXIT_BROKEN, `${name}: ${r.output}`);
    assert.match(r.output, pattern, name);
  }
});

test('`runVerifyLog()` reports a file cut in the middle of its last line', async () => {
  const file = join(tempDir(), 'audit.jsonl');
  run(file, 3);
  const text = readFileSync(file, 'utf8');
  writeFileSync(file, text.slice(0, text.length - 20));
  const r = await runVerifyLog(host, file);
  assert.equal(r.code, EXIT_BROKEN);
  assert.match(r.output, /line 5: the last line has no newline: the record was cut short/);
});

test('`runVerifyLog()` warns about a run without its stop record but exits 0', async () => {
  const file = join(tempDir(), 'audit.jsonl');
  run(file, 2, 0, false);
  run(file, 2);
  const r = await runVerifyLog(host, file);
  assert.equal(r.code, EXIT_INTACT, r.output);
  assert.match(r.output, /warning: .* line 3 \(seq 2\): the segment of pid \d+ .* without a "stop" record/);
});

test('`runVerifyLog()` verifies a rotated set across files and finds a record removed from an old file', async () => {
  const file = join(tempDir(), 'audit.jsonl');
  run(file, 60, 800);
  run(file, 60, 800);
  const ok = await runVerifyLog(host, file);
  assert.equal(ok.code, EXIT_INTACT, ok.output);
  const files = Number(/(\d+) files:/.exec(ok.output)?.[1]);
  assert.ok(files > 5, ok.output);
  assert.match(ok.output, /intact: \d+ records in 2 segments/);
  rewrite(`${file}.3`, (l) => void l.pop());
  const bad = await runVerifyLog(host, file);
  assert.equal(bad.code, EXIT_BROKEN);
  assert.match(bad.output, /BROKEN at .*audit\.jsonl\.2 line 1 .*is missing/);
});

test('`runVerifyLog()` on a numbered file verifies that file alone', async () => {
  const file = join(tempDir(), 'audit.jsonl');
  run(file, 40, 600);
  const r = await runVerifyLog(host, `${file}.2`);
  assert.equal(r.code, EXIT_INTACT, r.output);
  assert.match(r.output, /1 file: .*audit\.jsonl\.2\n/);
});

test('`runVerifyLog()` exits 2 for a missing file or a symlink, and accepts an empty file', async () => {
  const dir = tempDir();
  const missing = await runVerifyLog(host, join(dir, 'nope.jsonl'));
  assert.equal(missing.code, EXIT_UNREADABLE);
  assert.match(missing.output, /^Cannot verify log: /);
  writeFileSync(join(dir, 'real.jsonl'), '');
  symlinkSync(join(dir, 'real.jsonl'), join(dir, 'link.jsonl'));
  assert.equal((await runVerifyLog(host, join(dir, 'link.jsonl'))).code, EXIT_UNREADABLE);
  const empty = await runVerifyLog(host, join(dir, 'real.jsonl'));
  assert.equal(empty.code, EXIT_INTACT);
  assert.match(empty.output, /intact: 0 records/);
});

test('`runVerifyLog()` refuses a line that is not UTF-8', async () => {
  const file = join(tempDir(), 'audit.jsonl');
  run(file, 2);
  appendFileSync(file, Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a]));
  const r = await runVerifyLog(host, file);
  assert.equal(r.code, EXIT_BROKEN);
  assert.match(r.output, /line 5: not valid UTF-8/);
});

test('`parseArgs()` takes `verify-log FILE` and refuses it without exactly one FILE', () => {
  assert.deepEqual(parseArgs(['verify-log', 'a.jsonl']).command, {
    kind: 'verify-log',
    file: 'a.jsonl',
    receipt: null,
  });
  assert.throws(
    () => parseArgs(['verify-log']),
    (e: unknown) => e instanceof UsageError && /verify-log needs exactly one FILE/.test(e.message),
  );
  assert.throws(() => parseArgs(['verify-log', 'a', 'b']), UsageError);
});

test('`parseArgs()` takes `--receipt PID:SEQ --file DOC` for verify-log only, both or neither', () => {
  const command = parseArgs(['verify-log', 'a.jsonl', '--receipt', '4711:12', '--file', 'docs/x.md']).command;
  assert.deepEqual(command, { kind: 'verify-log', file: 'a.jsonl', receipt: { pid: 4711, seq: 12, doc: 'docs/x.md' } });
  const bad: [string[], RegExp][] = [
    [['--receipt', '4711:12'], /together; got no --file/],
    [['--file', 'x.md'], /together; got no --receipt/],
    [
      ['--receipt', '12', '--file', 'x.md'],
      /--receipt PID:SEQ \(the "pid" and "seq" of its record.*got --receipt "12"/,
    ],
    [['--receipt', '-1:2', '--file', 'x.md'], /got --receipt "-1:2"/],
    [['--receipt', '1:2x', '--file', 'x.md'], /got --receipt "1:2x"/],
    [['--receipt', '', '--file', 'x.md'], /--receipt needs a value/],
  ];
  for (const [args, message] of bad) {
    assert.throws(() => parseArgs(['verify-log', 'a.jsonl', ...args]), (e: unknown) => {
      assert.ok(e instanceof UsageError && message.test(e.message), `${args.join(' ')}: ${String(e)}`);
      return true;
    });
  }
  assert.throws(() => parseArgs(['check', '--receipt', '1:2']), /--receipt is an option of verify-log/);
});

/** A log of one run whose records carry the given receipts (as the server writes them), and the run's pid. */
function receiptRun(file: string, receipts: ({ sent: string; source?: string } | undefined)[]): void {
  const log = createAuditLog(host, file, { rotateBytes: 0, keep: 1 });
  log.write({ event: 'start', outcome: 'info' });
  for (const receipt of receipts) {
    log.write({
      event: 'request',
      method: 'tools/call',
      tool: 'read_doc',
      files: ['docs:a.md'],
      outcome: 'ok',
      receipt,
    });
  }
  log.write({ event: 'stop', outcome: 'info' });
  log.close();
}

test('`runVerifyLog()` checks a receipt against a document: intact, changed, and each reason it cannot', async () => {
  const dir = tempDir();
  const file = join(dir, 'audit.jsonl');
  const doc = join(dir, 'a.md');
  writeFileSync(doc, 'text\n');
  const source = host.sha256Hex('text\n');
  receiptRun(file, [{ sent: host.sha256Hex('page'), source }, { sent: host.sha256Hex('hits') }, undefined]);
  const huge = join(dir, 'huge.md');
  writeFileSync(huge, '');
  truncateSync(huge, 1024 ** 3 + 1); // sparse: over the most docwarden serves, never read
  const check = (seq: number, path = doc, pid = host.pid) => runVerifyLog(host, file, { pid, seq, doc: path });
  const intact = await check(1);
  assert.equal(intact.code, EXIT_INTACT, intact.output);
  assert.match(
    intact.output,
    new RegExp(`line 2 \\(read_doc of docs:a\\.md\\): intact: .* sha256 ${source} \\(its bytes`),
  );
  const cases: [number, string, RegExp][] = [
    [2, doc, /line 3 \(read_doc of docs:a\.md\) drew on several documents/],
    [3, doc, /line 4 \(read_doc of docs:a\.md\) has no read receipt/],
    [9, doc, new RegExp(`no log file holds the record of pid ${host.pid} with seq 9`)],
    [1, join(dir, 'gone.md'), /gone\.md" cannot be opened as a regular file/],
    [1, dir, /cannot be opened as a regular file/],
    [1, huge, /huge\.md" cannot be opened as a regular file of at most 1 GiB \(files\.maxFileBytes\)/],
  ];
  for (const [seq, path, message] of cases) {
    const r = await check(seq, path);
    assert.equal(r.code, EXIT_UNREADABLE, r.output);
    assert.match(r.output, message);
  }
  appendFileSync(doc, 'more\n');
  const changed = await check(1);
  assert.equal(changed.code, EXIT_CHANGED, changed.output);
  assert.match(
    changed.output,
    new RegExp(`CHANGED: .*a\\.md is not the version .*\\(sha256 ${source}\\); it now gives`),
  );
});

test('`runVerifyLog()` refuses an ambiguous receipt (a pid reused) and checks none in a broken log', async () => {
  const dir = tempDir();
  const file = join(dir, 'audit.jsonl');
  const doc = join(dir, 'a.md');
  writeFileSync(doc, 'text\n');
  const receipt = { sent: host.sha256Hex('page'), source: host.sha256Hex('text\n') };
  receiptRun(file, [receipt]);
  receiptRun(file, [receipt]); // this process again: the same pid and seq
  const twice = await runVerifyLog(host, file, { pid: host.pid, seq: 1, doc });
  assert.equal(twice.code, EXIT_UNREADABLE, twice.output);
  assert.match(twice.output, /occurs 2 times \(.*line 2, .*line 5\); the pid was reused/);
  rewrite(file, (l) => void (l[4] = (l[4] as string).replace('"read_doc"', '"outline_doc"')));
  const broken = await runVerifyLog(host, file, { pid: host.pid, seq: 1, doc });
  assert.equal(broken.code, EXIT_BROKEN, broken.output);
  assert.match(broken.output, /the receipt was not checked: a broken log vouches for none of its records/);
});

test('`runVerifyLog()` names a malformed receipt and escapes what a forged record would print', async () => {
  const dir = tempDir();
  const file = join(dir, 'audit.jsonl');
  const doc = join(dir, 'a.md');
  writeFileSync(doc, 'text\n');
  // A log whose chain is intact but whose records no docwarden wrote (the chain is not keyed).
  const log = createAuditLog(host, file, { rotateBytes: 0, keep: 1 });
  log.write({ event: 'start', outcome: 'info' });
  log.write({ event: 'request', tool: 'read_doc', outcome: 'ok', receipt: { sent: 'x'.repeat(64) } });
  log.write({ event: 'request', tool: 'read_doc', outcome: 'ok', receipt: { sent: host.sha256Hex(''), source: '1' } });
  log.write({ event: 'request', tool: 'read\u001b[2J\u009b31m\u202e', outcome: 'ok' });
  log.close();
  for (const seq of [1, 2]) {
    const r = await runVerifyLog(host, file, { pid: host.pid, seq, doc });
    assert.equal(r.code, EXIT_UNREADABLE, r.output);
    assert.match(r.output, /has a receipt that is not SHA-256 digests \(64 hex digits\): docwarden did not write it/);
  }
  const forged = await runVerifyLog(host, file, { pid: host.pid, seq: 3, doc });
  assert.equal(forged.code, EXIT_UNREADABLE, forged.output);
  assert.match(forged.output, /\(read\\u001b\[2J\\u009b31m\\u202e\) has no read receipt/);
  assert.doesNotMatch(forged.output, /[\u001b\u009b\u202e]/);
});

// Second outside attack (F3): a document whose text is longer than a V8 string may be (~512 M characters)
// crashed the receipt check with a RangeError, exit 1, which reads "the log is broken" for an intact log.
test('`runVerifyLog()` compares a 600 MB document by its bytes: CHANGED, not a crash read as a broken log', async () => {
  const dir = tempDir();
  const file = join(dir, 'audit.jsonl');
  const doc = join(dir, 'a.md');
  receiptRun(file, [{ sent: host.sha256Hex('page'), source: host.sha256Hex('text\n') }]);
  const fd = openSync(doc, 'w');
  const block = Buffer.alloc(1 << 20, 'a');
  for (let i = 0; i < 600; i++) writeSync(fd, block); // 600 M characters of text, real bytes (not sparse)
  closeSync(fd);
  try {
    const r = await runVerifyLog(host, file, { pid: host.pid, seq: 1, doc });
    assert.equal(r.code, EXIT_CHANGED, r.output);
    assert.match(r.output, /CHANGED: .*a\.md is not the version/);
  } finally {
    rmSync(doc);
  }
});
