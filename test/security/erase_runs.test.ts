// The attacker's goal "erase", after the fact: someone who can edit the log files removes the evidence of
// a whole server run (its `start` through its `stop`), the end of one, or a whole rotated file, and hopes
// `verify-log` still says "intact". Each run's `start` record names the line the log ended with when the
// run began (`follows`), so every such removal is caught at the next run (docs/security.md, "Audit log").
// Real server runs write the log (rotating), the real bundle verifies copies with one removal each.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { auditLaunch, finish, runSubcommand } from '../helpers/audit_launch.ts';
import { makeTree, tempDir } from '../helpers/fixtures.ts';
import { type Json, RUNTIME } from '../helpers/harness.ts';

const RUNS = 6;
const DELETED = /records before this run were deleted/;

type Files = Map<string, string[]>; // file name -> lines, oldest file first

describe(`deleting runs from the audit log is caught by verify-log (${RUNTIME})`, () => {
  const root = makeTree({ 'guide.md': '# Guide\n\nKeep me.\n' });
  const dir = tempDir();
  const config: Json = {
    roots: [{ name: 'docs', path: root }],
    audit: { path: join(dir, 'audit.jsonl'), rotateBytes: 6000, keep: 20 },
  };

  async function serve(logDir: string): Promise<void> {
    const c = auditLaunch({
      config: { ...config, audit: { ...(config['audit'] as Json), path: join(logDir, 'audit.jsonl') } },
      configPath: join(logDir, 'config.json'),
      grant: 'rotation',
    });
    await c.initialize();
    for (let i = 0; i < 3; i++) await c.call('read_doc', { path: 'guide.md' });
    await finish(c);
  }

  function read(from: string): Files {
    const names = readdirSync(from).filter((n) => n.startsWith('audit.jsonl'));
    names.sort((a, b) => Number(b.split('.')[2] ?? 0) - Number(a.split('.')[2] ?? 0));
    return new Map(names.map((n) => [n, readFileSync(join(from, n), 'utf8').split('\n').filter(Boolean)]));
  }

  /** verify-log over a copy of the log with `change` applied. */
  function verifyChanged(change: (files: Files) => void): { code: number | null; out: string } {
    const files = read(dir);
    change(files);
    const copy = tempDir();
    for (const [name, lines] of files) writeFileSync(join(copy, name), lines.map((l) => l + '\n').join(''));
    const r = runSubcommand(['verify-log', join(copy, 'audit.jsonl')], [copy]);
    return { code: r.code, out: r.stdout + r.stderr };
  }

  const event = (line: string) => (JSON.parse(line) as { event: string }).event;

  /** Where whole runs lie inside one file: [file, first line index, last line index] of each. */
  function runs(files: Files): [string, number, number][] {
    const out: [string, number, number][] = [];
    for (const [name, lines] of files) {
      lines.forEach((l, k) => {
        if (event(l) !== 'start') return;
        const stop = lines.findIndex((x, j) => j > k && event(x) === 'stop');
        if (stop > k) out.push([name, k, stop]);
      });
    }
    return out;
  }

  before(async () => {
    for (let i = 0; i < RUNS; i++) await serve(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('the untouched log of six runs over several rotated files verifies', () => {
    assert.ok(read(dir).size >= 3, `rotated into ${read(dir).size} files`);
    const r = verifyChanged(() => undefined);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, new RegExp(`intact: \\d+ records in ${RUNS} segments`));
  });

  test('a whole run removed from the middle of a file: BROKEN at the next run', () => {
    const r = verifyChanged((files) => {
      const inside = ([n, from, to]: [string, number, number]) =>
        from > 0 && (files.get(n) as string[]).length > to + 1;
      const [name, from, to] = runs(files).find(inside) ?? [];
      assert.ok(
        name !== undefined && from !== undefined && to !== undefined && from > 0,
        'a run with records around it',
      );
      (files.get(name) as string[]).splice(from, to - from + 1);
    });
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, DELETED);
  });

  test("a run's last records (its stop too) removed: BROKEN at the next run", () => {
    const r = verifyChanged((files) => {
      const [name, , to] = runs(files).find(([n, , to]) => (files.get(n) as string[]).length > to + 1) ?? [];
      assert.ok(name !== undefined && to !== undefined);
      (files.get(name) as string[]).splice(to - 1, 2);
    });
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, DELETED);
  });

  test('the oldest runs removed from the start of the oldest file: BROKEN at the first record left', () => {
    const r = verifyChanged((files) => {
      const [name, , to] = runs(files)[0] ?? [];
      assert.ok(name !== undefined && to !== undefined);
      (files.get(name) as string[]).splice(0, to + 1);
    });
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /is the first record, but the log ended with a line .*: the records before it were deleted/);
  });

  test('a whole rotated file removed from the middle, with or without renumbering the older ones: BROKEN', () => {
    for (const renumber of [false, true]) {
      const r = verifyChanged((files) => {
        const names = [...files.keys()];
        const middle = names[Math.floor(names.length / 2)] as string;
        files.delete(middle);
        if (renumber) {
          const older = names.slice(0, names.indexOf(middle));
          for (const n of older.reverse()) {
            const [base, num] = [n.slice(0, n.lastIndexOf('.')), Number(n.split('.')[2])];
            files.set(`${base}.${num - 1}`, files.get(n) as string[]);
            files.delete(n);
          }
        }
      });
      assert.equal(r.code, 1, r.out);
      assert.match(r.out, /BROKEN at/);
    }
  });

  test('the oldest rotated files deleted (fewer than audit.keep were ever rotated): BROKEN', () => {
    for (const n of [1, 2]) {
      const r = verifyChanged((files) => {
        for (const name of [...files.keys()].slice(0, n)) files.delete(name);
      });
      assert.equal(r.code, 1, r.out);
      assert.match(r.out, /must exist \(audit\.keep 20\), but \d+ do: the oldest rotated files were deleted/);
    }
  });

  test('the live log file deleted, then the server run again: BROKEN at the new run', async () => {
    const files = read(dir);
    const copy = tempDir();
    for (const [name, lines] of files) {
      if (name !== 'audit.jsonl') writeFileSync(join(copy, name), lines.map((l) => l + '\n').join(''));
    }
    await serve(copy);
    const r = runSubcommand(['verify-log', join(copy, 'audit.jsonl')], [copy]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /began with an empty log, yet records come before it/);
  });
});

test(`two processes sharing a log: a whole run of one removed between the other's lines is caught (${RUNTIME})`, async () => {
  // The attack: P runs throughout; run A starts, reads, stops; P answers a ping; run B starts and stops; P
  // stops. A's lines removed: P's ping and B's start both followed lines of P, so nothing vouched for A.
  const root = makeTree({ 'guide.md': '# Guide\n\nKeep me.\n' });
  const dir = tempDir();
  const log = join(dir, 'audit.jsonl');
  const config: Json = { roots: [{ name: 'docs', path: root }], audit: { path: log } };
  const launch = () => auditLaunch({ config, configPath: join(dir, 'config.json'), grant: 'rotation' });
  // Each run writes warm_up and census records once idle: wait for them, so that runs do not interleave by chance.
  const count = (event: string) =>
    (readFileSync(log, 'utf8').match(new RegExp(`"event":"${event}"`, 'g')) ?? []).length;
  const warmed = async (n: number) => {
    while (count('warm_up') < n || count('census') < n) await new Promise((r) => setTimeout(r, 20));
  };
  const p = launch();
  await p.initialize();
  await p.request('ping');
  await warmed(1);
  const a = launch();
  await a.initialize();
  await a.call('read_doc', { path: 'guide.md' });
  await warmed(2);
  await finish(a);
  await p.request('ping');
  const b = launch();
  await b.initialize();
  await b.request('ping');
  await finish(b);
  await finish(p);
  const lines = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  const pidOf = (l: string) => (JSON.parse(l) as { pid: number }).pid;
  const aPid = pidOf(lines.find((l) => l.includes('"read_doc"')) as string);
  const from = lines.findIndex((l) => pidOf(l) === aPid),
    to = lines.length - 1 - [...lines].reverse().findIndex((l) => pidOf(l) === aPid);
  assert.ok(lines.slice(from, to + 1).every((l) => pidOf(l) === aPid), "A's lines are one contiguous block");
  assert.equal(runSubcommand(['verify-log', log], [dir]).code, 0, 'the untouched shared log verifies');
  writeFileSync(log, [...lines.slice(0, from), ...lines.slice(to + 1)].map((l) => l + '\n').join(''));
  const r = runSubcommand(['verify-log', log], [dir]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /records before this record were deleted/);
});
