// The attacker's goal "erase": a flood must not push the records of real work out of the kept audit
// files, and nothing goes unrecorded. Repetitive client-caused records are coalesced per kind per second
// with counts (docs/security.md, "Audit log"), so every message is accounted for exactly once, and every
// tool call of the session keeps its own record. DOCWARDEN_FLOOD scales the flood (default 200,000,
// sized for a 2-core CI run).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { auditLaunch, finish, runSubcommand } from '../helpers/audit_launch.ts';
import { makeTree, tempDir } from '../helpers/fixtures.ts';
import { type Client, type Json, type Message, RUNTIME, startReady } from '../helpers/harness.ts';

type Rec = Record<string, unknown>;
const FLOOD = Number(process.env['DOCWARDEN_FLOOD'] ?? 200_000);
const HANG_GUARD_MS = 600_000;

function recordsIn(dir: string): Rec[] {
  const files = readdirSync(dir).filter((n) => n.startsWith('audit.jsonl')).sort((a, b) =>
    Number(b.split('.')[2] ?? 0) - Number(a.split('.')[2] ?? 0)
  );
  return files.flatMap((f) =>
    readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Rec)
  );
}

/** How many client messages the records account for: one each, or a coalesced record's count. */
const accounted = (recs: readonly Rec[]) =>
  recs.reduce(
    (n, r) =>
      n + (r['event'] === 'coalesced'
        ? (r['detail'] as { count: number }).count
        : ['request', 'notification', 'invalid'].includes(String(r['event']))
        ? 1
        : 0),
    0,
  );

/** Writes lines to the server's stdin honouring back-pressure (a real client cannot do better). */
async function pour(c: Client, lines: Iterable<string>): Promise<void> {
  let chunk = '';
  for (const l of lines) {
    chunk += l + '\n';
    if (chunk.length < 256 * 1024) continue;
    if (!c.proc.stdin.write(chunk)) await new Promise((r) => c.proc.stdin.once('drain', r));
    chunk = '';
  }
  if (chunk) c.proc.stdin.write(chunk);
}

test(
  `after a flood of ${FLOOD} messages of every kind, every tool call is still in the kept files and verify-log passes (${RUNTIME})`,
  { timeout: HANG_GUARD_MS },
  async () => {
    const root = makeTree({ 'guide.md': '# Guide\n\nKeep me.\n' });
    const dir = tempDir();
    const log = join(dir, 'audit.jsonl');
    // The review's setting: two kept files of 1 MiB (200,000 notifications used to rotate a read out of both).
    const config: Json = {
      roots: [{ name: 'docs', path: root }],
      limits: { callsPerMinute: 600, burst: 60 },
      audit: { path: log, rotateBytes: 1024 * 1024, keep: 2 },
    };
    const c = auditLaunch({ config, configPath: join(dir, 'config.json'), grant: 'rotation' });
    await c.initialize();
    const reads: (string | number)[] = [];
    for (let i = 0; i < 5; i++)
      reads.push(
        (await c.request('tools/call', { name: 'read_doc', arguments: { path: 'guide.md' } })).id as number,
      );
    const kinds = [
      (i: number) => JSON.stringify({ jsonrpc: '2.0', id: `p${i}`, method: 'ping' }),
      (i: number) => JSON.stringify({ jsonrpc: '2.0', method: 'notifications/roots/list_changed', params: { n: i } }),
      () => '{not json',
      (i: number) => JSON.stringify({ jsonrpc: '2.0', id: `m${i}`, method: 123 }),
      (i: number) => JSON.stringify({ jsonrpc: '2.0', id: `u${i}`, method: `no/such/method/${i % 1000}` }),
      (i: number) =>
        JSON.stringify({
          jsonrpc: '2.0',
          id: `t${i}`,
          method: 'tools/call',
          params: { name: 'list_docs', arguments: {} },
        }),
    ];
    await pour(
      c,
      (function* () {
        for (let i = 0; i < FLOOD; i++) yield (kinds[i % kinds.length] as (i: number) => string)(i);
      })(),
    );
    await c.request('ping', undefined, HANG_GUARD_MS); // answered after everything before it was read
    // Tool calls of the flood that were not rate-limited ran: they are real work and keep their records too.
    const ran = c.messages.filter((m: Message) =>
      typeof m.id === 'string' && m.id.startsWith('t') && !JSON.stringify(m.result ?? {}).includes('Rate limit reached')
    );
    await finish(c);

    const recs = recordsIn(dir);
    const kept = new Set(recs.filter((r) => r['event'] === 'request').map((r) => r['id']));
    for (const id of [...reads, ...ran.map((m) => m.id as string)])
      assert.ok(
        kept.has(id),
        `the record of tool call ${id} was pushed out`,
      );
    // initialize, notifications/initialized, the 5 reads, the flood and the final ping: one record each.
    assert.equal(accounted(recs), FLOOD + 8);
    assert.ok(recs.some((r) => r['event'] === 'coalesced'), 'the flood was coalesced');
    const v = runSubcommand(['verify-log', log], [dir]);
    assert.equal(v.code, 0, v.stdout + v.stderr);
  },
);

test(`every request gets exactly one reply and one record, inside batches too (${RUNTIME})`, async () => {
  const root = makeTree({ 'guide.md': '# Guide\n' });
  for (
    const [version, batch] of [
      ['2025-03-26', [{ jsonrpc: '2.0', id: 'i1', method: 'initialize', params: {} }, {
        jsonrpc: '2.0',
        id: 'b1',
        method: 'ping',
      }]],
      ['2025-11-25', [{ jsonrpc: '2.0', id: 'c1', method: 123 }, { jsonrpc: '2.0', id: 'c2', method: 'ping' }]],
    ] as const
  ) {
    const c = await startReady({ roots: [root] }, version);
    c.send(batch);
    await c.request('ping');
    await c.close();
    const flat = c.messages.flatMap((m) => (Array.isArray(m) ? m as Message[] : [m]));
    for (const member of batch) {
      assert.equal(flat.filter((m) => m.id === member.id).length, 1, `${version}: one reply to ${member.id}`);
      assert.equal(
        c.auditRecords().filter((r) => r['id'] === member.id).length,
        1,
        `${version}: one record of ${member.id}`,
      );
    }
    assert.equal(flat.find((m) => m.id === batch[0].id)?.error?.code, -32600);
  }
});

test(`C1, DEL, bidi, zero-width and TAG characters are escaped in the audit log and on stderr (${RUNTIME})`, async () => {
  const root = makeTree({ 'guide.md': '# Guide\n' });
  const method = 'evil\u009b31m\u0085';
  const sneaky = 'x\u007f\u202ey\u200b\u061c\ufeff\u{E0041}z'; // the attacker's method name (E4)
  for (const auditFile of [true, false]) {
    const c = await startReady({ roots: [root], auditFile });
    await c.request(method);
    await c.request(sneaky);
    await c.call('read_doc', { path: 'a\u007f.md', ['q\u007f\u202e']: 1 });
    await c.close();
    const written = auditFile ? readFileSync(c.auditPath as string, 'utf8') : c.stderr;
    assert.match(written, /evil\\u009b31m\\u0085/, 'the method is in the record, escaped');
    assert.ok(written.includes('x\\u007f\\u202ey\\u200b\\u061c\\ufeff\\udb40\\udc41z'), 'each unsafe unit escaped');
    assert.ok(written.includes('a\\u007f.md') && written.includes('q\\u007f\\u202e'), 'path and key escaped');
    assert.doesNotMatch(
      written,
      /[\u007f-\u009f\u200b\u202e\u061c\ufeff\u{e0000}-\u{e007f}]/u,
      'no raw unsafe character',
    );
    if (auditFile) assert.ok(c.auditRecords().some((r) => r['method'] === sneaky), 'the record parses back exact');
  }
});

test(`\`docwarden call\` writes its record to the configured audit log (${RUNTIME})`, {
  skip: RUNTIME !== 'node' && 'runSubcommand grants no write',
}, () => {
  const root = makeTree({ 'guide.md': '# Guide\n\nhello\n' });
  const dir = tempDir();
  const log = join(dir, 'audit.jsonl');
  const r = runSubcommand(['call', 'read_doc', '{"path":"guide.md"}', '--root', root, '--log', log], [root, dir]);
  assert.equal(r.code, 0, r.stderr);
  const recs = readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Rec);
  const events = recs.map((x) => x['event']);
  assert.equal(events[0], 'start');
  assert.equal(events.at(-1), 'stop');
  const calls = recs.filter((x) => x['event'] === 'request');
  assert.equal(calls.length, 1);
  assert.equal(calls[0]?.['tool'], 'read_doc');
  assert.match(String((calls[0]?.['files'] as string[])[0]), /:guide\.md$/);
  // Its read receipt (docs/security.md, "Read receipts"): the text printed, which the model would see, and the file.
  const sha256 = (d: string) => createHash('sha256').update(d).digest('hex');
  assert.deepEqual(calls[0]?.['receipt'], {
    sent: sha256(r.stdout.slice(0, -1)),
    source: sha256('# Guide\n\nhello\n'),
  });
  assert.equal(runSubcommand(['verify-log', log], [dir]).code, 0);
});

test(`two different high-entropy file names log distinctly, without their secret-looking part (${RUNTIME})`, async () => {
  // Drive-style export names: both logged as "r7:[REDACTED:high-entropy].md" before.
  const names = ['1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms.md', '1Ck7QwVz9PLm3RtYu8HnB2xJd6FgA4sKe5WpZo0iNq1E.md'];
  const root = makeTree(Object.fromEntries(names.map((n) => [n, '# Export\n'])));
  const c = await startReady({ roots: [root] });
  for (const path of names) await c.call('read_doc', { path });
  await c.close();
  const log = readFileSync(c.auditPath as string, 'utf8');
  const logged = c.auditRecords().filter((r) => r['tool'] === 'read_doc').map((r) => (r['files'] as string[])[0]);
  assert.equal(logged.length, 2);
  assert.notEqual(logged[0], logged[1]);
  for (const f of logged) assert.match(String(f), /:\[REDACTED:high-entropy:[0-9a-f]{8}\]\.md$/);
  for (const n of names) assert.ok(!log.includes(n.slice(0, 20)), 'the secret-looking part is not written');
});

test(`a flood of megabyte-sized invalid tool calls does not push a read out of the kept files (${RUNTIME})`, {
  timeout: HANG_GUARD_MS,
}, async () => {
  const root = makeTree({ 'guide.md': '# Guide\n\nKeep me.\n' });
  const dir = tempDir();
  const log = join(dir, 'audit.jsonl');
  // The attack: 12 unknown keys of 40 strings of 1,990 chars (~1 MB a call), refused as invalid but logged
  // whole: with 4 MiB x 2 kept files, 18 such calls erased an earlier read. Here 64 KiB x 2 and 40 calls.
  const config: Json = {
    roots: [{ name: 'docs', path: root }],
    limits: { callsPerMinute: 60, burst: 30 },
    audit: { path: log, rotateBytes: 64 * 1024, keep: 2 },
  };
  const c = auditLaunch({ config, configPath: join(dir, 'config.json'), grant: 'rotation' });
  await c.initialize();
  const read = (await c.request('tools/call', { name: 'read_doc', arguments: { path: 'guide.md' } })).id;
  const strings = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, 'x'.repeat(1990)]));
  const args: Json = {
    path: 'guide.md',
    ...Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`z${i}`, strings])),
  };
  const flood = Array.from(
    { length: 40 },
    (_, i) =>
      JSON.stringify({
        jsonrpc: '2.0',
        id: `big${i}`,
        method: 'tools/call',
        params: { name: 'doc_info', arguments: args },
      }),
  );
  await pour(c, flood);
  await c.request('ping', undefined, HANG_GUARD_MS);
  await finish(c);
  const recs = recordsIn(dir);
  assert.ok(recs.some((r) => r['event'] === 'request' && r['id'] === read), 'the read is still in the kept files');
  const own = recs.filter((r) => r['event'] === 'request' && String(r['id']).startsWith('big'));
  const big = own.filter((r) => r['reason'] === 'invalid_argument');
  assert.ok(big.length >= 10, `the calls within the rate limit keep their own records (${big.length})`);
  const counted = recs.filter((r) =>
    r['event'] === 'coalesced' && String((r['detail'] as Rec)['firstId']).startsWith('big')
  );
  const n = counted.reduce((k, r) => k + (r['detail'] as { count: number }).count, 0);
  assert.equal(own.length + n, 40, 'every call is accounted for, by its own record or a count');
  for (const r of big) {
    const a = r['args'] as { cut: string; chars: number; sha256: string };
    const written = Buffer.byteLength(JSON.stringify(a.cut)) - 2; // as the record holds it: quotes escaped
    assert.ok(written <= 1024 && written > 1000, `arguments are cut at 1,024 bytes of JSON as written (${written})`);
    assert.ok(a.chars > 100_000 && /^[0-9a-f]{64}$/.test(a.sha256), 'with the length and digest of the whole');
    assert.ok(JSON.stringify(r).length < 2048, 'a refused call weighs under 2 KiB in the log');
  }
  const v = runSubcommand(['verify-log', log], [dir]);
  assert.equal(v.code, 0, v.stdout + v.stderr);
});
