// Tests for one audit log shared by several writers (src/audit/log.ts, the host's AppendFile.current and
// src/audit/verify.ts): two logs in this process, told apart by pid, on real files. A writer whose file another
// rotated away reopens the file at the path and records it; a rotate record vouches for the other writer's
// lines that end the file it closes. test/security/erase_shared.test.ts runs the same with two real servers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAuditLog } from '../../src/audit/log.ts';
import { logFileSet } from '../../src/cli/verify_log.ts';
import { createVerifier } from '../../src/audit/verify.ts';
import { createNodeHost } from '../../src/runtime/node_host.ts';
import { tempDir } from '../helpers/fixtures.ts';

const host = createNodeHost();
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
type Rec = { seq: number; pid: number; event: string; follows?: string };
const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);
const records = (file: string) => lines(file).map((l) => JSON.parse(l) as Rec);
const writer = (pid: number, file: string, rotateBytes = 0, keep = 1) =>
  createAuditLog({ ...host, pid }, file, { rotateBytes, keep });

function verify(files: readonly string[]) {
  const v = createVerifier();
  for (const f of files) lines(f).forEach((text, i) => v.add({ file: f, line: i + 1, text, hash: sha(text) }));
  return v.finish();
}

test('a writer whose file another rotated past `keep` reopens the path: its records stay in the kept files', async () => {
  const file = join(tempDir(), 'audit.jsonl');
  const [a, b] = [writer(1001, file, 600, 1), writer(1002, file)];
  b.write({ event: 'start', outcome: 'info' });
  a.write({ event: 'start', outcome: 'info' });
  for (let i = 0; i < 20; i++) a.write({ event: 'request', id: i, outcome: 'ok' }); // rotates b's file away
  assert.ok(!lines(`${file}.1`).concat(lines(file)).some((l) => l.includes('"pid":1002')), "b's file was deleted");
  b.write({ event: 'request', id: 'after', outcome: 'ok' });
  b.write({ event: 'stop', outcome: 'info' });
  a.write({ event: 'stop', outcome: 'info' });
  const own = [...records(`${file}.1`), ...records(file)].filter((r) => r.pid === 1002);
  assert.deepEqual(own.map((r) => [r.event, r.seq]), [['reopen', 1], ['request', 2], ['stop', 3]]);
  const report = verify((await logFileSet(host, file)).files);
  assert.equal(report.error, null, JSON.stringify(report.error));
  assert.ok(report.notes.some((n) => n.startsWith('the chain of pid 1002 is verified from seq 1')), report.notes[0]);
});

test('a renamed file whose name is still empty is kept until the rotating writer has written there', () => {
  const file = join(tempDir(), 'audit.jsonl');
  const b = writer(1002, file);
  b.write({ event: 'start', outcome: 'info' });
  renameSync(file, `${file}.1`); // a rotation between its rename and its rotate record
  writeFileSync(file, '');
  b.write({ event: 'request', id: 1, outcome: 'ok' });
  assert.equal(records(`${file}.1`).length, 2, 'still written to its own file, now FILE.1');
  writer(1001, file).write({ event: 'start', outcome: 'info' }); // the new file has a first line
  b.write({ event: 'request', id: 2, outcome: 'ok' });
  assert.deepEqual(records(file).map((r) => [r.pid, r.event]), [[1001, 'start'], [1002, 'reopen'], [1002, 'request']]);
  assert.equal(records(file)[1]?.follows, sha(lines(file)[0] as string), 'the reopen record follows the new file');
  assert.equal(verify([`${file}.1`]).error, null, 'nothing written to FILE.1 after its name was taken again');
});

test("a rotate record follows another writer's last line; removing that writer's tail is caught", () => {
  const file = join(tempDir(), 'audit.jsonl');
  const [a, b] = [writer(1001, file), writer(1002, file, 1, 5)]; // b rotates before each record
  b.write({ event: 'start', outcome: 'info' });
  a.write({ event: 'start', outcome: 'info' });
  a.write({ event: 'request', id: 'a1', outcome: 'ok' });
  b.write({ event: 'request', id: 'b1', outcome: 'ok' });
  const closed = lines(`${file}.1`);
  const rotate = records(file)[0];
  assert.equal(rotate?.event, 'rotate');
  assert.equal(rotate?.follows, sha(closed.at(-1) as string), "it vouches for a's last line");
  assert.equal(verify([`${file}.1`, file]).error, null);
  writeFileSync(`${file}.1`, closed.slice(0, 1).map((l) => l + '\n').join('')); // a's lines removed
  assert.match(verify([`${file}.1`, file]).error?.problem ?? '', /records before this record were deleted/);
});

test('the oldest kept file may open with a rotate record that follows a line rotated away', () => {
  const file = join(tempDir(), 'audit.jsonl');
  const [a, b] = [writer(1001, file), writer(1002, file, 1, 1)];
  b.write({ event: 'start', outcome: 'info' });
  a.write({ event: 'start', outcome: 'info' });
  b.write({ event: 'request', id: 1, outcome: 'ok' }); // rotates: follows a's start
  a.write({ event: 'request', id: 2, outcome: 'ok' }); // reopens the new file
  b.write({ event: 'request', id: 3, outcome: 'ok' }); // rotates again: the file with b's start is gone
  const oldest = records(`${file}.1`)[0];
  assert.equal(oldest?.event, 'rotate');
  assert.ok(oldest?.follows, 'it follows a line of a file that no longer exists');
  const report = verify([`${file}.1`, file]);
  assert.equal(report.error, null, JSON.stringify(report.error));
});
