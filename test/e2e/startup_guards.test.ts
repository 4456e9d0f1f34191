// Start-up guard rails through the real bundle: roots that expose too much, config and audit log locations
// other users can write (refused in production, a warning in development), and the census of what the
// deny rules hide, reported on stderr and in the audit log by pattern, never by name, while serving.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { auditLaunch, finish } from '../helpers/audit_launch.ts';
import { makeTree, tempDir } from '../helpers/fixtures.ts';
import { type Client, HANG_GUARD_MS, type Json, RUNTIME } from '../helpers/harness.ts';
import { until } from '../helpers/proc_status.ts';

const NODE_ONLY = RUNTIME !== 'node' &&
  'a folder mode needs read access to the folder, which the production sandbox check forbids';

type Rec = Record<string, unknown>;
const recordsOf = (file: string): Rec[] =>
  readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Rec);

/** A root, a config file and an audit log path, each in its own 0700 folder unless the test changes it. */
function layout(mode: 'production' | 'development' = 'production') {
  const root = makeTree({ 'a.md': '# A\n' });
  const cfgDir = tempDir();
  const logDir = tempDir();
  const configPath = join(cfgDir, 'config.json');
  const log = join(logDir, 'audit.jsonl');
  const config: Json = { mode, roots: [{ name: 'docs', path: root }], audit: { path: log, rotateBytes: 0 } };
  writeFileSync(configPath, JSON.stringify(config), { mode: 0o600 });
  return { root, cfgDir, logDir, configPath, log, config };
}

function start(l: ReturnType<typeof layout>, extraRead: string[] = []): Client {
  return auditLaunch({ configPath: l.configPath, config: l.config, grant: 'file', extraRead });
}

/** Waits for exit and returns the code and stderr; stdout must stay empty (no protocol traffic). */
async function refused(c: Client): Promise<string> {
  const exit = await c.exit;
  assert.equal(exit.code, 2, c.stderr);
  assert.equal(c.stdout, '', 'nothing on stdout');
  return c.stderr;
}

test(`a file-system root, a file and a missing folder are refused as roots (${RUNTIME})`, async () => {
  const dir = makeTree({ 'a.md': 'x' });
  // Node's permission model will not even resolve "/" with --allow-fs-read=/: refused all the same.
  const slash = RUNTIME === 'node' || RUNTIME === 'deno'
    ? /Cannot use root .*file-system root/
    : /Cannot use root .*("\/" does not exist|file-system root)/;
  const cases: [string, RegExp][] = [['/', slash], [join(dir, 'a.md'), /is not a directory/], [
    join(dir, 'missing'),
    /does not exist/,
  ]];
  for (const [root, pattern] of cases) {
    const c = auditLaunch({ roots: [root], log: join(tempDir(), 'a.jsonl'), grant: 'file' });
    assert.match(await refused(c), pattern);
  }
});

test(`the home directory itself is refused as a root (${RUNTIME})`, {
  skip: (RUNTIME === 'deno' && 'without environment access Deno cannot tell the home folder') || !existsSync(homedir()),
}, async () => {
  const c = auditLaunch({ roots: [homedir()], log: join(tempDir(), 'a.jsonl'), grant: 'file' });
  assert.match(await refused(c), /home directory itself/);
});

test(`production refuses a config file other users can write, naming it and the fix (${RUNTIME})`, async () => {
  const l = layout();
  chmodSync(l.configPath, 0o666);
  const err = await refused(start(l));
  assert.ok(
    err.includes(
      `Cannot start: the config file ${JSON.stringify(l.configPath)} is writable by other users (mode 0666)`,
    ),
    err,
  );
  assert.ok(err.includes(`fix: chmod o-w ${JSON.stringify(l.configPath)}`), err);
  assert.equal(existsSync(l.log), false, 'refused before the audit log is opened');
});

test(`development warns about the same config and serves, recording the warning (${RUNTIME})`, async () => {
  const l = layout('development');
  chmodSync(l.configPath, 0o666);
  const c = start(l);
  await c.initialize();
  await finish(c);
  assert.match(c.stderr, /warning: the config file .* is writable by other users \(mode 0666\)/);
  const guard = recordsOf(l.log).find((r) => r['event'] === 'guard');
  assert.match(JSON.stringify(guard?.['detail']), /warn: the config file .* writable by other users/);
});

// Outside attack (sbe17): an ACL entry naming another user shows only as group write (its mask); warned about, it let
// that user rewrite a production config. docwarden cannot read ACLs, so group write is refused like others' write.
test(`production refuses a group-writable config (an ACL may name another user); development warns (${RUNTIME})`, async () => {
  const l = layout();
  chmodSync(l.configPath, 0o660);
  const err = await refused(start(l));
  const config = JSON.stringify(l.configPath);
  const why =
    `is writable by its group or by a user an ACL names (group bits show an ACL's mask; docwarden cannot read ACLs)`;
  assert.ok(err.includes(`Cannot start: the config file ${config} ${why} (mode 0660)`), err);
  assert.ok(err.includes(`fix: chmod g-w ${config}`), err);
  assert.equal(existsSync(l.log), false, 'refused before the audit log is opened');
  const d = layout('development');
  chmodSync(d.configPath, 0o660);
  const c = start(d);
  await c.initialize();
  await finish(c);
  assert.match(c.stderr, /warning: the config file .* is writable by its group or by a user an ACL names/);
});

test(`production refuses an existing audit log other users can write, and writes nothing to it (${RUNTIME})`, async () => {
  const l = layout();
  writeFileSync(l.log, 'old\n');
  chmodSync(l.log, 0o666);
  const err = await refused(start(l));
  assert.ok(err.includes(`the audit log ${JSON.stringify(l.log)} is writable by other users (mode 0666)`), err);
  assert.ok(err.includes(`chmod o-w ${JSON.stringify(l.log)}`), err);
  assert.equal(readFileSync(l.log, 'utf8'), 'old\n');
});

test(`an audit log readable by other users is a warning (${RUNTIME})`, async () => {
  const l = layout();
  writeFileSync(l.log, '');
  chmodSync(l.log, 0o644);
  const c = start(l);
  await c.initialize();
  await finish(c);
  assert.ok(
    c.stderr.includes(`the audit log ${JSON.stringify(l.log)} is readable by other users (mode 0644)`),
    c.stderr,
  );
  assert.match(c.stderr, /fix: chmod 600/);
});

test('production refuses a world-writable log folder, sticky or not, and a world-writable folder above a missing one', {
  skip: NODE_ONLY,
}, async () => {
  for (const mode of [0o777, 0o1777]) {
    const l = layout();
    chmodSync(l.logDir, mode);
    const err = await refused(start(l));
    assert.ok(err.includes(`the audit log folder ${JSON.stringify(l.logDir)} is writable by other users`), err);
    assert.ok(err.includes(`chmod o-w ${JSON.stringify(l.logDir)}`), err);
  }
  const l = layout();
  chmodSync(l.logDir, 0o777);
  const deeper = join(l.logDir, 'new', 'audit.jsonl');
  l.config['audit'] = { path: deeper };
  writeFileSync(l.configPath, JSON.stringify(l.config));
  const err = await refused(start(l));
  assert.match(err, /the folder that will hold the audit log folder .* is writable by other users/);
  assert.equal(existsSync(join(l.logDir, 'new')), false, 'the folder is not created');
});

test('production refuses a world-writable config folder unless it is sticky', { skip: NODE_ONLY }, async () => {
  const l = layout();
  chmodSync(l.cfgDir, 0o777);
  assert.match(await refused(start(l)), /the config folder .* is writable by other users \(mode 0777\)/);
  chmodSync(l.cfgDir, 0o1777);
  const c = start(l);
  await c.initialize();
  await finish(c);
  assert.doesNotMatch(c.stderr, /config folder/);
});

test(`an audit log inside a served root is a warning (${RUNTIME})`, async () => {
  const l = layout();
  const inside = join(l.root, 'logs', 'audit.jsonl');
  mkdirSync(join(l.root, 'logs'), { mode: 0o700 });
  l.config['audit'] = { path: inside, rotateBytes: 0 };
  const c = auditLaunch({ configPath: l.configPath, config: l.config, grant: 'file' });
  await c.initialize();
  await finish(c);
  assert.match(c.stderr, /warning: the audit log .* is inside root "docs"/);
});

test(`the census reports what the deny rules hide by pattern, never by name, on stderr and in the log (${RUNTIME})`, async () => {
  const root = makeTree({
    'a.md': '# A\n',
    '.env': 'K=1',
    'sub/.env': 'K=2',
    '.git/config': '[core]',
    'keys/zebra-unique-name.pem': 'x',
    'id_rsa': 'x',
    'credentials.json': '{}',
    'deep/er/prod-zebra.key': 'x',
  });
  const log = join(tempDir(), 'audit.jsonl');
  const c = auditLaunch({ roots: [root], log, grant: 'file' });
  await c.initialize();
  await until('the census line', () => Number(c.stderr.includes('deny rules')), 1, HANG_GUARD_MS, c);
  await finish(c);
  const name = root.split('/').pop() as string;
  const line = c.stderr.split('\n').find((x) => x.includes('deny rules')) ?? '';
  assert.match(
    line,
    new RegExp(
      `root "${
        name.replace(/[-]/g, '\\-')
      }": the deny rules hide 7 entries \\(\\.env 2, \\*\\.key 1, \\*\\.pem 1, \\.git 1, credentials\\* 1, id_rsa\\* 1\\)`,
    ),
    c.stderr,
  );
  const census = recordsOf(log).find((r) => r['event'] === 'census');
  assert.ok(census, 'a census record');
  const detail = census['detail'] as {
    hidden: { pattern: string; count: number }[];
    total: number;
    truncated: boolean;
  };
  assert.equal(detail.total, 7);
  assert.equal(detail.truncated, false);
  assert.deepEqual(detail.hidden.find((h) => h.pattern === '.env'), { pattern: '.env', count: 2 });
  for (const text of [c.stderr, readFileSync(log, 'utf8')]) assert.doesNotMatch(text, /zebra/, 'no file name');
});

test(`the census of a large root runs while the server answers (${RUNTIME})`, async () => {
  const root = tempDir();
  for (let d = 0; d < 100; d++) {
    mkdirSync(join(root, `d${d}`));
    for (let f = 0; f < 300; f++) writeFileSync(join(root, `d${d}`, `f${f}.md`), '');
  }
  writeFileSync(join(root, 'd42', '.env'), 'K=1');
  const log = join(tempDir(), 'audit.jsonl');
  const c = auditLaunch({ roots: [root], log, grant: 'file' });
  await c.initialize();
  const pong = await c.request('ping');
  const censusDoneAtPing = c.stderr.includes('deny rules');
  await until('the census line', () => Number(c.stderr.includes('deny rules')), 1, HANG_GUARD_MS, c);
  await finish(c);
  assert.deepEqual(pong.result, {});
  assert.match(c.stderr, /the deny rules hide 1 entry \(\.env 1\); 30101 entries scanned/);
  assert.equal(censusDoneAtPing, false, 'initialize and ping were answered before the 30,101-entry census finished');
  const recs = recordsOf(log);
  assert.ok(recs.findIndex((r) => r['method'] === 'initialize') < recs.findIndex((r) => r['event'] === 'census'));
});

test(`a root removed after start-up is left out of the census, not a crash (${RUNTIME})`, async () => {
  const parent = tempDir();
  const root = join(parent, 'docs');
  mkdirSync(root);
  writeFileSync(join(root, 'a.md'), '# A\n');
  const log = join(tempDir(), 'audit.jsonl');
  const c = auditLaunch({ roots: [root], log, grant: 'file' });
  await c.initialize();
  renameSync(root, join(parent, 'gone')); // an unmounted share; Deno checks by path, so the census lstat()s it
  await until(
    'the warm-up record',
    () => Number(recordsOf(log).some((r) => r['event'] === 'warm_up')),
    1,
    HANG_GUARD_MS,
    c,
  );
  await new Promise((r) => setTimeout(r, 1000)); // the census comes right after the warm-up (not a timing bound)
  assert.deepEqual((await c.request('ping')).result, {}, 'still serving');
  await finish(c);
  assert.deepEqual(recordsOf(log).filter((r) => r['event'] === 'stop').length, 1, 'a clean stop');
});
