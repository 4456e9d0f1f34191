// The audit log through the real bundle: created 0600 in a 0700 folder, appended across runs, verified by
// `verify-log` (and broken by an edit), rotated without losing a record, rotation switched off by a
// file-only sandbox grant, and no secret of any redaction family ever written, wherever it appears.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linkSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { REDACT_FAMILIES, type RedactFamily } from '../../src/audit/redact.ts';
import { auditLaunch, finish, runSubcommand } from '../helpers/audit_launch.ts';
import { makeTree, tempDir } from '../helpers/fixtures.ts';
import { type Json, RUNTIME } from '../helpers/harness.ts';

type Rec = Record<string, unknown>;
const recordsOf = (file: string): Rec[] =>
  readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Rec);
const docs = () => makeTree({ 'guide.md': '# Guide\n\nAudit me.\n' });

test(`the log is created 0600 in a new 0700 folder, appended by a second run, and passes verify-log (${RUNTIME})`, async () => {
  const root = docs();
  const parent = tempDir();
  const dir = join(parent, 'logs');
  const log = join(dir, 'audit.jsonl');
  // Creating the folder needs a write grant on it under Deno, which production refuses as too broad.
  const config: Json = { mode: 'development', roots: [{ name: 'docs', path: root }] };
  for (let run = 0; run < 2; run++) {
    const c = auditLaunch({ config, configPath: join(tempDir(), 'c.json'), log, grant: 'folder', folder: parent });
    await c.initialize();
    await c.call('read_doc', { path: 'guide.md' });
    await finish(c);
  }
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  assert.equal(statSync(log).mode & 0o777, 0o600);
  const recs = recordsOf(log);
  assert.deepEqual(
    recs.filter((r) => r['event'] === 'start').map((r) => r['seq']),
    [0, 0],
    'two runs, two segments, nothing truncated',
  );
  assert.equal(recs.filter((r) => r['tool'] === 'read_doc').length, 2);
  const ok = runSubcommand(['verify-log', log], [dir]);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /intact: \d+ records in 2 segments/);

  const lines = readFileSync(log, 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes('"tool":"read_doc"'));
  lines[i] = (lines[i] as string).replace('"outcome":"ok"', '"outcome":"denied"');
  writeFileSync(log, lines.join('\n'));
  const bad = runSubcommand(['verify-log', log], [dir]);
  assert.equal(bad.code, 1, bad.stdout);
  assert.match(bad.stdout, new RegExp(`BROKEN at .*audit\\.jsonl line ${i + 1} \\(seq \\d+\\): altered record`));
});

test(`a pre-existing log is appended to, never truncated (${RUNTIME})`, async () => {
  const root = docs();
  const log = join(tempDir(), 'audit.jsonl');
  const before = '{"v":1,"earlier":"record from another tool"}\n';
  writeFileSync(log, before, { mode: 0o600 });
  const c = auditLaunch({ roots: [root], log, grant: 'file' });
  await c.initialize();
  await finish(c);
  const text = readFileSync(log, 'utf8');
  assert.ok(text.startsWith(before), 'the earlier bytes are untouched');
  assert.ok(text.length > before.length);
});

// Outside attack: another user who can rename folders above the log swaps in a folder whose audit.jsonl is a link to
// the operator's ~/.bashrc; every record (holding the query text a client chose) was appended there, and ran.
test(`the audit log's name is never followed: a symlink, a second name of another file or a FIFO is refused (${RUNTIME})`, async () => {
  const dir = tempDir();
  const bashrc = join(dir, 'bashrc');
  writeFileSync(bashrc, 'export PS1=ok\n', { mode: 0o600 });
  const link = join(dir, 'audit.jsonl');
  symlinkSync(bashrc, link);
  const hard = join(dir, 'hard.jsonl');
  linkSync(bashrc, hard);
  const fifo = join(dir, 'fifo.jsonl');
  execFileSync('mkfifo', [fifo]); // a test helper process, not the server: a writer would block on it forever
  for (const log of [link, hard, fifo]) {
    const c = auditLaunch({ roots: [docs()], log, grant: 'file' });
    const exit = await c.exit;
    assert.equal(exit.code, 2, c.stderr);
    assert.match(c.stderr, /Cannot open the audit log: .*regular file with one name, never a symbolic link/);
    assert.equal(c.stdout, '', 'no protocol traffic');
  }
  assert.equal(readFileSync(bashrc, 'utf8'), 'export PS1=ok\n', 'not one byte reached the link target');
});

test(`rotation with a tiny audit.rotateBytes keeps every record and one chain across files (${RUNTIME})`, async () => {
  const root = docs();
  const dir = tempDir();
  const log = join(dir, 'audit.jsonl');
  const config: Json = {
    roots: [{ name: 'docs', path: root }],
    limits: { callsPerMinute: 0 },
    audit: { path: log, rotateBytes: 4096, keep: 50 },
  };
  const c = auditLaunch({ config, configPath: join(dir, 'config.json'), grant: 'rotation' });
  await c.initialize();
  const ids: number[] = [];
  for (let i = 0; i < 120; i++) {
    const r = await c.request('tools/call', { name: 'search_docs', arguments: { query: `audit ${i}` } });
    ids.push(r.id as number);
  }
  await finish(c);
  const files = readdirSync(dir).filter((n) => n.startsWith('audit.jsonl')).sort((
    a,
    b,
  ) => (Number(b.split('.')[2] ?? 0) - Number(a.split('.')[2] ?? 0)));
  assert.ok(files.length >= 5, `expected rotated files, got ${files.join(', ')}`);
  const all = files.flatMap((f) => recordsOf(join(dir, f)));
  assert.deepEqual(all.map((r) => r['seq']), all.map((_, i) => i), 'every seq exactly once, in file order');
  const audited = all.filter((r) => r['tool'] === 'search_docs').map((r) => r['id']);
  assert.deepEqual(audited, ids, 'one record per request, none lost');
  assert.equal(all.filter((r) => r['event'] === 'rotate').length, files.length - 1);
  for (const f of files) assert.equal(statSync(join(dir, f)).mode & 0o777, 0o600, f);
  const v = runSubcommand(['verify-log', log], [dir]);
  assert.equal(v.code, 0, v.stdout + v.stderr);
  assert.match(v.stdout, new RegExp(`intact: ${all.length} records in 1 segment .*${files.length} files`));
});

test(`with a write grant on the log file only, rotation switches itself off and nothing is lost (${RUNTIME})`, {
  skip: RUNTIME === 'node' && 'needs a sandbox',
}, async () => {
  const root = docs();
  const dir = tempDir();
  const log = join(dir, 'audit.jsonl');
  const config: Json = {
    roots: [{ name: 'docs', path: root }],
    limits: { callsPerMinute: 0 },
    audit: { path: log, rotateBytes: 2048, keep: 5 },
  };
  const c = auditLaunch({ config, configPath: join(dir, 'config.json'), grant: 'file' });
  await c.initialize();
  for (let i = 0; i < 40; i++) await c.request('ping');
  await finish(c);
  assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith('audit.jsonl')), ['audit.jsonl']);
  const recs = recordsOf(log);
  assert.equal(recs.filter((r) => r['event'] === 'rotate_failed').length, 1);
  // Pings beyond the per-second quota are counted in `coalesced` records: each is accounted for once.
  const pings = recs.filter((r) => r['method'] === 'ping');
  assert.equal(
    pings.reduce((n, r) => n + (r['event'] === 'coalesced' ? (r['detail'] as { count: number }).count : 1), 0),
    40,
  );
  assert.match(c.stderr, /cannot rotate the audit log \((NotCapable|ERR_ACCESS_DENIED)\)/);
  const v = runSubcommand(['verify-log', log], [dir]);
  assert.equal(v.code, 0, v.stdout);
});

// One sample per family; `secret` is the part that must never reach the log.
const SAMPLES: Readonly<Record<RedactFamily, { readonly sample: string; readonly secret: string }>> = {
  'private-key': {
    sample: '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAq7ZsecretKeyBody\n-----END RSA PRIVATE KEY-----',
    secret: 'MIIEowIBAAKCAQEAq7ZsecretKeyBody',
  },
  'url-credentials': { sample: 'https://alice:s3cr3tPassw0rd@git.example.com/r.git', secret: 's3cr3tPassw0rd' },
  'aws-access-key-id': { sample: 'AKIAIOSFODNN7EXAMPLE', secret: 'AKIAIOSFODNN7EXAMPLE' },
  'github-token': {
    sample: 'ghp_aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG5',
    secret: 'aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG5',
  },
  'gitlab-token': { sample: 'glpat-xY12abCD34efGH56ijKL', secret: 'xY12abCD34efGH56ijKL' },
  'slack-token': { sample: 'xoxb-1234567890-abcdefghijkl', secret: '1234567890-abcdefghijkl' },
  'npm-token': { sample: 'npm_' + 'A1b2'.repeat(9), secret: 'A1b2'.repeat(9) },
  jwt: {
    sample:
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
    secret: 'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
  },
  'bearer-token': { sample: 'Bearer abcdefghijklmnopqrstuvwxyz012345', secret: 'abcdefghijklmnopqrstuvwxyz012345' },
  authorization: { sample: 'authorization=Basic dXNlcjpzZWNyZXRwYXNz', secret: 'dXNlcjpzZWNyZXRwYXNz' },
  'aws-secret-key': {
    sample: 'aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    secret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  },
  'key-value': { sample: 'password=hunter2-correct-horse', secret: 'hunter2-correct-horse' },
  'high-entropy': { sample: 'Zx9Kq2Lm8Np4Rt6Vw1Yb3Cd5Fg7Hj0Qs', secret: 'Zx9Kq2Lm8Np4Rt6Vw1Yb3Cd5Fg7Hj0Qs' },
};

// Samples that can be a file name (no "/", ":", "%", "\" or control characters).
const nameSafe = (s: string) => !/[/:%\\\n]/.test(s);

test(`no secret of any redaction family reaches the log from arguments, errors or file names (${RUNTIME})`, async () => {
  assert.deepEqual(
    Object.keys(SAMPLES).sort(),
    [...REDACT_FAMILIES].sort(),
    'one sample per family in src/audit/redact.ts',
  );
  const files: Record<string, string> = { 'guide.md': '# Guide\n' };
  for (const f of REDACT_FAMILIES) if (nameSafe(SAMPLES[f].sample)) files[`${SAMPLES[f].sample}.md`] = `# ${f}\n`;
  const root = makeTree(files);
  const log = join(tempDir(), 'audit.jsonl');
  const c = auditLaunch({
    config: { roots: [{ name: 'docs', path: root }], limits: { callsPerMinute: 0 } },
    configPath: join(tempDir(), 'c.json'),
    log,
    grant: 'file',
  });
  await c.initialize();
  // Plain ids: family names such as "github-token:" would themselves look like key-value pairs.
  const sent: { id: string; family: RedactFamily; how: string }[] = [];
  const ask = async (family: RedactFamily, how: string, method: string, params: Json) => {
    const id = `r${sent.length}`;
    sent.push({ id, family, how });
    c.send({ jsonrpc: '2.0', id, method, params });
    await c.waitFor((m) => m.id === id);
  };
  for (const family of REDACT_FAMILIES) {
    const s = SAMPLES[family].sample;
    await ask(family, 'search query', 'tools/call', {
      name: 'search_docs',
      arguments: { query: `find ${s} here`, mode: 'literal' },
    });
    await ask(family, 'unknown argument name', 'tools/call', {
      name: 'doc_info',
      arguments: { path: 'guide.md', [s]: 1 },
    });
    await ask(family, 'denied path (error detail)', 'tools/call', {
      name: 'read_doc',
      arguments: { path: `.env/${s}.md` },
    });
    await ask(family, 'missing file', 'tools/call', { name: 'read_doc', arguments: { path: `notes/${s}.md` } });
    await ask(family, 'resource uri', 'resources/read', { uri: `docs://docs/${s}.md` });
    await ask(family, 'unknown method', `x/${s}`, {});
    if (nameSafe(s)) {
      await ask(family, 'existing file', 'tools/call', { name: 'read_doc', arguments: { path: `${s}.md` } });
      const r = c.messages.find((m) => m.id === sent.at(-1)?.id);
      assert.notEqual(
        (r?.result as Json | undefined)?.['isError'],
        true,
        `${family}: the file named after it is served`,
      );
    }
  }
  await finish(c);
  const text = readFileSync(log, 'utf8');
  for (const family of REDACT_FAMILIES) {
    assert.ok(!text.includes(SAMPLES[family].secret), `${family}: secret found in the audit log`);
  }
  const recs = recordsOf(log);
  for (const { id, family, how } of sent) {
    // A method over 128 characters is an "invalid" event rather than a "request": recorded all the same.
    assert.equal(
      recs.filter((r) => (r['event'] === 'request' || r['event'] === 'invalid') && r['id'] === id).length,
      1,
      `${family} in ${how}: recorded once`,
    );
  }
  const servedIds = new Set(sent.filter((s) => s.how === 'existing file').map((s) => s.id));
  const served = recs.filter((r) => servedIds.has(r['id'] as string));
  assert.ok(served.length >= 5, `${served.length} files named after secrets`);
  for (const r of served) {
    assert.equal(r['outcome'], 'ok');
    assert.match(String((r['files'] as string[])[0]), /^docs:.*\[REDACTED:/);
  }
  assert.ok(
    recs.some((r) =>
      r['reason'] === 'denied_pattern' && typeof r['detail'] === 'string' &&
      (r['detail'] as string).includes('[REDACTED:')
    ),
    'error details are redacted, not dropped',
  );
});

test(`nothing is logged after "stop": a consent timer firing while the server waits for stdout (${RUNTIME})`, async () => {
  const root = makeTree({ 'private/plan.md': '# Plan\n', 'a.md': '# A\n' });
  const dir = tempDir();
  const log = join(dir, 'audit.jsonl');
  const config = { roots: [{ name: 'docs', path: root }], confirm: { paths: ['private/**'], timeoutMs: 1000 } };
  const c = auditLaunch({ config, configPath: join(dir, 'config.json'), log, grant: 'file' });
  await c.initialize('2025-11-25', { elicitation: {} });
  c.proc.stdout.destroy(); // a client that crashed: the elicitation the read asks for cannot be written
  const read = { name: 'read_doc', arguments: { path: 'private/plan.md' } };
  c.sendRaw(JSON.stringify({ jsonrpc: '2.0', id: 'r', method: 'tools/call', params: read }) + '\n');
  await c.exit;
  const events = readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)['event']);
  assert.equal(events.at(-1), 'stop', events.join(' '));
  assert.equal(runSubcommand(['verify-log', log], [dir]).code, 0, 'verify-log finds the chain intact');
});
