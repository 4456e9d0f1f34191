// Tests for src/audit/verify.ts: an intact log passes; an edited, deleted, reordered or cut record is
// caught at the right line; segments per process, missing stop records and rotated-away files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createAuditLog } from '../../src/audit/log.ts';
import { createVerifier, type VerifyReport } from '../../src/audit/verify.ts';
import type { Host } from '../../src/runtime/host.ts';
import { createNodeHost } from '../../src/runtime/node_host.ts';

const base = createNodeHost();
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** The lines one process writes: start, `n` requests, and a stop record unless `stop` is false. */
function segment(pid: number, n: number, stop = true): string[] {
  const out: string[] = [];
  const host: Host = { ...base, pid, writeStderr: (t: string) => void out.push(t.replace(/\n$/, '')) };
  const log = createAuditLog(host, 'stderr');
  log.write({ event: 'start', outcome: 'info' });
  for (let i = 0; i < n; i++)
    log.write({
      event: 'request',
      id: i,
      method: 'tools/call',
      tool: 'read_doc',
      args: { path: `p${i}.md` },
      outcome: 'ok',
    });
  if (stop) log.write({ event: 'stop', outcome: 'info', reason: 'stdin_closed' });
  return out;
}

/** Verifies files given as line arrays, oldest first. */
function verify(...files: (readonly string[])[]): VerifyReport {
  const v = createVerifier();
  files.forEach((lines, f) => {
    for (let i = 0; i < lines.length; i++) {
      const text = lines[i] as string;
      if (!v.add({ file: `f${f}`, line: i + 1, text, hash: sha(text) })) break;
    }
  });
  return v.finish();
}

function broken(r: VerifyReport, line: number, pattern: RegExp, file = 'f0'): void {
  assert.ok(r.error, 'expected the chain to be broken');
  assert.equal(r.error.file, file, JSON.stringify(r.error));
  assert.equal(r.error.line, line, JSON.stringify(r.error));
  assert.match(r.error.problem, pattern);
}

const edit = (line: string, from: string, to: string): string => {
  assert.ok(line.includes(from), `${line} has no ${from}`);
  return line.replace(from, to);
};

test('`createVerifier()` accepts an intact log of two processes and reports its head', () => {
  const lines = [...segment(100, 5), ...segment(200, 3)];
  const r = verify(lines);
  assert.equal(r.error, null);
  assert.equal(r.records, lines.length);
  assert.equal(r.segments, 2);
  assert.deepEqual(r.warnings, []);
  assert.equal(r.head, sha(lines.at(-1) as string));
});

test('an edited record is reported at its own line (the next prev no longer matches)', () => {
  const lines = segment(100, 6);
  lines[3] = edit(lines[3] as string, '"outcome":"ok"', '"outcome":"denied"');
  const r = verify(lines);
  broken(r, 4, /altered record/);
  assert.equal(r.error?.seq, 3);
});

test('an edited record that is no longer JSON is reported at its line', () => {
  const lines = segment(100, 6);
  lines[2] = (lines[2] as string).slice(0, 40);
  broken(verify(lines), 3, /not valid JSON/);
});

test('a deleted record is reported at the line where it is missing, with its seq', () => {
  const lines = segment(100, 6);
  lines.splice(3, 1);
  const r = verify(lines);
  broken(r, 4, /seq 3 is missing/);
  assert.equal(r.error?.seq, 4);
});

test('several deleted records are reported as a range', () => {
  const lines = segment(100, 8);
  lines.splice(2, 3);
  broken(verify(lines), 3, /seq 2 to 4 are missing/);
});

test('two swapped records are reported at the first swapped line', () => {
  const lines = segment(100, 6);
  [lines[2], lines[3]] = [lines[3] as string, lines[2] as string];
  broken(verify(lines), 3, /seq 2 is missing .*found seq 3/);
});

test('a record moved later is reported where it is missing; one moved earlier where it lands', () => {
  const later = segment(100, 6);
  const [a] = later.splice(2, 1);
  later.splice(4, 0, a as string);
  broken(verify(later), 3, /seq 2 is missing/);
  const earlier = segment(100, 6);
  const [b] = earlier.splice(4, 1);
  earlier.splice(2, 0, b as string);
  broken(verify(earlier), 3, /seq 2 to 3 are missing .*found seq 4/);
});

test('a duplicated record is reported as out of order', () => {
  const lines = segment(100, 4);
  lines.splice(3, 0, lines[2] as string);
  broken(verify(lines), 4, /seq 2 .* comes after seq 2/);
});

test('an edited seq or prev is caught', () => {
  const a = segment(100, 4);
  a[2] = edit(a[2] as string, '"seq":2', '"seq":7');
  broken(verify(a), 3, /seq 2 to 6 are missing/);
  const b = segment(100, 4);
  const prev = (JSON.parse(b[2] as string) as { prev: string }).prev;
  b[2] = edit(b[2] as string, prev, 'f'.repeat(64));
  broken(verify(b), 2, /altered record/);
});

test('a deleted start record is caught at the first remaining line', () => {
  const lines = segment(100, 3);
  lines.shift();
  broken(verify(lines), 1, /outside any segment: its "start" record/);
});

test('a deleted start record of a later process is caught after the earlier stop', () => {
  const lines = [...segment(100, 2), ...segment(100, 2).slice(1)];
  broken(verify(lines), 5, /after that process's "stop" record/);
});

test('a GENESIS record that is not a start at seq 0 is refused', () => {
  const a = segment(100, 2);
  a[0] = edit(a[0] as string, '"event":"start"', '"event":"request"');
  broken(verify(a), 1, /must be a "start" record/);
  const b = segment(100, 2);
  b[0] = edit(b[0] as string, '"seq":0', '"seq":5');
  broken(verify(b), 1, /must have seq 0/);
});

test('empty lines, foreign JSON and invalid UTF-8 are refused at their line', () => {
  const lines = segment(100, 3);
  broken(verify([...lines.slice(0, 2), '', ...lines.slice(2)]), 3, /empty line/);
  broken(verify([...lines.slice(0, 2), '{"hello":1}']), 3, /not an audit record/);
  const v = createVerifier();
  v.add({ file: 'x', line: 1, text: null, hash: '' });
  assert.match(v.finish().error?.problem ?? '', /not valid UTF-8/);
});

test('`reject()` reports a reader problem such as a cut last line', () => {
  const v = createVerifier();
  const lines = segment(100, 2);
  lines.forEach((text, i) => v.add({ file: 'x', line: i + 1, text, hash: sha(text) }));
  v.reject('x', 5, 'the last line has no newline');
  const r = v.finish();
  assert.equal(r.error?.line, 5);
  assert.equal(r.records, 4);
});

test('a segment without a stop record is a warning unless it is the last', () => {
  const crashed = segment(100, 3, false);
  const r = verify([...crashed, ...segment(200, 2)]);
  assert.equal(r.error, null);
  assert.equal(r.warnings.length, 1);
  assert.equal(r.warnings[0]?.line, crashed.length, 'placed at the last record of the crashed segment');
  assert.match(r.warnings[0]?.problem ?? '', /pid 100 .* without a "stop" record/);
  const running = verify([...segment(100, 2), ...segment(200, 2, false)]);
  assert.deepEqual(running.warnings, []);
  assert.ok(running.notes.some((n) => /last segment .* no "stop" record yet/.test(n)));
});

test('a reused pid after a crash starts a new segment and warns about the old one', () => {
  const r = verify([...segment(100, 2, false), ...segment(100, 2)]);
  assert.equal(r.error, null);
  assert.equal(r.segments, 2);
  assert.match(r.warnings[0]?.problem ?? '', /pid was later reused/);
});

test('interleaved segments of two processes sharing a log verify per process', () => {
  const a = segment(100, 5);
  const b = segment(200, 5);
  const mixed: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++)
    mixed.push(...[a[i], b[i]].filter((x): x is string => x !== undefined));
  const r = verify(mixed);
  assert.equal(r.error, null);
  assert.equal(r.records, a.length + b.length);
  mixed.splice(mixed.indexOf(b[3] as string), 1);
  broken(verify(mixed), mixed.indexOf(b[4] as string) + 1, /seq 3 is missing for pid 200/);
});

test('a chain continues across files, and a file cut at its end breaks the next file', () => {
  const lines = segment(100, 8);
  const r = verify(lines.slice(0, 5), lines.slice(5));
  assert.equal(r.error, null);
  broken(verify(lines.slice(0, 4), lines.slice(5)), 1, /seq 4 is missing/, 'f1');
});

test('a first file that begins mid-chain is refused unless it begins with a rotate record', () => {
  const out: string[] = [];
  const host: Host = { ...base, pid: 300, writeStderr: (t: string) => void out.push(t.replace(/\n$/, '')) };
  const log = createAuditLog(host, 'stderr');
  log.write({ event: 'start', outcome: 'info' });
  log.write({ event: 'request', outcome: 'ok' });
  log.write({ event: 'rotate', outcome: 'info' });
  log.write({ event: 'request', outcome: 'ok' });
  const fromRotate = verify(out.slice(2));
  assert.equal(fromRotate.error, null);
  assert.ok(fromRotate.notes.some((n) => /verified from seq 2/.test(n)));
  broken(verify(out.slice(3)), 1, /outside any segment/);
});
