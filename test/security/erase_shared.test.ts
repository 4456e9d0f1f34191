// The attacker's goal "erase" in a log several servers share (docs/security.md, "Audit log"), through real
// bundles over stdio: (1) one process rotates the shared file past audit.keep while another keeps writing, and
// the other's later records must still land in the kept files (before, it went on appending to its old
// descriptor, a rotated and then deleted file: its read and its stop were lost, and verify-log said intact);
// (2) another process's run at the end of a file that a rotation closes is deleted from a copy, and verify-log
// must say so (before, the `rotate` record vouched only for the rotating process's own last line).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { auditLaunch, finish, runSubcommand } from '../helpers/audit_launch.ts';
import { makeTree, tempDir } from '../helpers/fixtures.ts';
import { type Json, RUNTIME } from '../helpers/harness.ts';

type Rec = { seq: number; pid: number; event: string; tool?: string; follows?: string };

/** The log's files, oldest first (FILE.N ... FILE.1, FILE), as [name, lines]; read while servers may rotate it. */
function logFiles(log: string, keep: number): [string, string[]][] {
  const names = [...Array.from({ length: keep }, (_, i) => `${log}.${keep - i}`), log].filter((f) => existsSync(f));
  return names.flatMap((f) => {
    try {
      return [[f, readFileSync(f, 'utf8').split('\n').filter(Boolean)]];
    } catch {
      return []; // renamed away between the two calls
    }
  });
}
const records = (log: string, keep: number): Rec[] =>
  logFiles(log, keep).flatMap(([, lines]) => lines.flatMap((l) => l.endsWith('}') ? [JSON.parse(l) as Rec] : []));

async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((r) => setTimeout(r, 20));
}

function setup(audit: Json) {
  const root = makeTree({ 'guide.md': '# Guide\n\nKeep me.\n' });
  const dir = tempDir();
  const log = join(dir, 'audit.jsonl');
  let n = 0;
  const launch = (extra: Json = {}) => {
    const config: Json = {
      roots: [{ name: 'docs', path: root }],
      limits: { callsPerMinute: 0 },
      audit: { path: log, ...audit, ...extra },
    };
    return auditLaunch({ config, configPath: join(dir, `config${n++}.json`), grant: 'rotation' });
  };
  return { dir, log, launch, done: () => rmSync(dir, { recursive: true, force: true }) };
}

test(`a shared log rotated past audit.keep by one process keeps the other's later records (${RUNTIME})`, async () => {
  const KEEP = 2;
  const { dir, log, launch, done } = setup({ rotateBytes: 4000, keep: KEEP });
  const p2 = launch(); // long-running session
  await p2.initialize();
  await p2.call('read_doc', { path: 'guide.md' });
  const idle = (pid: number) => () =>
    ['warm_up', 'census'].every((e) => records(log, KEEP).some((r) => r.pid === pid && r.event === e));
  await until(idle(p2.proc.pid as number));
  const p1 = launch(); // a busy session that rotates the shared file
  await p1.initialize();
  const p2Pid = p2.proc.pid as number, p1Pid = p1.proc.pid as number;
  // Until every line p2 wrote so far is in a file rotation deleted (past audit.keep): p2's descriptor pointed there.
  let calls = 0;
  while (records(log, KEEP).some((r) => r.pid === p2Pid)) {
    assert.ok(++calls < 2000, 'the flood rotates the log');
    await p1.call('doc_info', { path: 'guide.md' });
  }
  await p2.call('read_doc', { path: 'guide.md' }); // the access whose record must not be lost
  await p2.request('ping');
  await finish(p1);
  await finish(p2);

  const all = records(log, KEEP);
  const verify = runSubcommand(['verify-log', log], [dir]);
  const out = verify.stdout + verify.stderr;
  assert.equal(verify.code, 0, out);
  for (const pid of [p1Pid, p2Pid]) {
    const own = all.filter((r) => r.pid === pid);
    const first = own[0]?.seq ?? -1;
    // Every record from the first one kept to the stop is there, one seq after the other...
    assert.deepEqual(own.map((r) => r.seq), own.map((_, i) => first + i), `pid ${pid}: no seq missing`);
    assert.equal(own.at(-1)?.event, 'stop', `pid ${pid} ends with its stop record`);
    // ...and verify-log names those before it, which rotation past audit.keep removed.
    if (first > 0) assert.match(out, new RegExp(`chain of pid ${pid} is verified from seq ${first} `));
  }
  const p2Own = all.filter((r) => r.pid === p2Pid);
  assert.equal(p2Own[0]?.event, 'reopen', 'p2 reopened the file at audit.path, and recorded it');
  assert.equal(all.filter((r) => r.event === 'reopen').length, 1, 'once: a file still at audit.path is kept');
  assert.ok(p2Own.some((r) => r.tool === 'read_doc'), "p2's read after the rotations is in the kept files");
  assert.ok(calls > 0);
  done();
});

test(`another process's run at the end of a rotated file, deleted from a copy: BROKEN (${RUNTIME})`, async () => {
  // p rotates before each record (rotateBytes 1); run a (its own config, no rotation) writes between two of
  // p's records, so a's whole run ends the file that p's next rotation closes.
  const KEEP = 100;
  const { dir, log, launch, done } = setup({ rotateBytes: 1, keep: KEEP });
  const p = launch();
  await p.initialize();
  const pPid = p.proc.pid as number;
  const idle = (pid: number) => () =>
    ['warm_up', 'census'].every((e) => records(log, KEEP).some((r) => r.pid === pid && r.event === e));
  await until(idle(pPid));
  const a = launch({ rotateBytes: 0 });
  await a.initialize();
  const aPid = a.proc.pid as number;
  await a.call('read_doc', { path: 'guide.md' });
  await until(idle(aPid));
  await finish(a);
  await p.request('ping'); // p rotates: the file with a's run becomes FILE.1
  await finish(p);

  const files = logFiles(log, KEEP);
  const withA = files.find(([, lines]) => lines.some((l) => (JSON.parse(l) as Rec).pid === aPid));
  assert.ok(withA, "a's run is in the log");
  const [name, lines] = withA;
  const pidOf = (l: string) => (JSON.parse(l) as Rec).pid;
  const from = lines.findIndex((l) => pidOf(l) === aPid);
  assert.ok(lines.slice(from).every((l) => pidOf(l) === aPid), "a's run is the end of its file");
  const next = files[files.indexOf(withA) + 1]?.[1][0] as string;
  assert.equal((JSON.parse(next) as Rec).event, 'rotate', 'the next file opens with p rotating');
  assert.equal(runSubcommand(['verify-log', log], [dir]).code, 0, 'the untouched log verifies');

  writeFileSync(name, lines.slice(0, from).map((l) => l + '\n').join(''));
  const r = runSubcommand(['verify-log', log], [dir]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /BROKEN at .*audit\.jsonl\.\d+ line 1 .*records before this record were deleted/);
  done();
});
