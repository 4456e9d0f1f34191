// Load and exhaustion over real stdio: a 100 MB line is refused without being held in memory and the
// next request is served; 10,000 pipelined requests are each answered exactly once (a result, or an
// error naming the limit it hit) and accounted for exactly once in the audit log (a record of its own
// for every document access, else a record or a `coalesced` count) with a bounded peak RSS; and when
// SIGTERM lands mid-flood every request the server read is audited once, nothing is answered without
// a record, and the log ends with "stop".
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTree } from '../helpers/fixtures.ts';
import { type Client, HANG_GUARD_MS, type Json, type Message, RUNTIME, startReady } from '../helpers/harness.ts';
import { auditRecordsAll } from '../helpers/attack_judge.ts';
import { assertPeakRss, responsesById, until } from '../helpers/proc_status.ts';
import { assertCleanWire, exitWithin } from '../helpers/wire.ts';

const FLOOD = 10_000;
const LIMIT_NAMES = /callsPerMinute|inFlight|queue|deadlineMs/;

const tree = () =>
  makeTree({ 'a.md': '# A\n\nalpha text\n', 'b/c.md': '# C\n\ngamma text\n', 'b/d.md': '# D\n\ndelta\n' });

/** Writes `text` to the server's stdin, waiting for the pipe to drain (so this process stays small too). */
async function write(c: Client, text: string): Promise<void> {
  if (c.proc.stdin.write(text)) return;
  const exited = c.exit.then((e) => {
    throw new Error(`the server exited (${JSON.stringify(e)}) while a write was pending`);
  });
  await Promise.race([new Promise<void>((r) => c.proc.stdin.once('drain', () => r())), exited]);
}

/** The flood: pings, tools/list, resources/read and tool calls (reads, listings, searches) with ids f0..f9999. */
function flood(n: number): { ids: string[]; payload: string } {
  const ids: string[] = [];
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = `f${i}`;
    ids.push(id);
    const k = i % 6;
    const params: Json | undefined = k === 0
      ? undefined
      : k === 1
      ? { name: 'read_doc', arguments: { path: 'a.md' } }
      : k === 2
      ? { name: 'list_docs', arguments: { depth: 2 } }
      : k === 3
      ? (i % 12 === 3
        ? { name: 'search_docs', arguments: { query: 'text', mode: 'literal' } }
        : { name: 'doc_info', arguments: { path: 'b/c.md' } })
      : k === 4
      ? (i % 60 === 4 ? {} : { uri: 'docs://docs/a.md' })
      : { name: 'find_docs', arguments: { pattern: '**/*.md' } };
    const method = k === 0 ? 'ping' : k === 4 ? (i % 60 === 4 ? 'tools/list' : 'resources/read') : 'tools/call';
    lines.push(
      JSON.stringify(params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params }),
    );
  }
  return { ids, payload: lines.join('\n') + '\n' };
}

/** Null when the reply is a result or an error naming a limit; otherwise what is wrong. */
function judge(m: Message): string | null {
  if (m.error !== undefined)
    return LIMIT_NAMES.test(m.error.message) ? null : `error not naming a limit: ${JSON.stringify(m.error)}`;
  const r = m.result as (Json & { isError?: boolean; content?: Json[] }) | undefined;
  if (r === undefined) return 'neither result nor error';
  if (r.isError !== true) return null;
  const text = (r.content ?? []).map((b) => String(b['text'])).join(' ');
  return LIMIT_NAMES.test(text) ? null : `isError not naming a limit: ${text.slice(0, 200)}`;
}

function floodReplies(c: Client): number {
  let n = 0;
  for (const m of c.messages) if (m.method === undefined && typeof m.id === 'string' && m.id.startsWith('f')) n++;
  return n;
}

/** Records of their own per id, and how many requests `coalesced` records count. */
function requestRecordCounts(c: Client): { counts: Map<unknown, number>; coalesced: number } {
  const counts = new Map<unknown, number>();
  let coalesced = 0;
  for (const a of auditRecordsAll(c)) {
    if (a['event'] === 'request' && Object.hasOwn(a, 'id')) counts.set(a['id'], (counts.get(a['id']) ?? 0) + 1);
    if (a['event'] === 'coalesced') coalesced += (a['detail'] as { count: number }).count;
  }
  return { counts, coalesced };
}

/** A document access that ran (not refused by the rate limit): it must have a record of its own. */
function readDocuments(id: string, reply: Message | undefined): boolean {
  const k = Number(id.slice(1)) % 6;
  // Refused at the door (rate limit) or while queued (shutdown): no document was touched.
  return reply !== undefined && k !== 0 && !(k === 4 && Number(id.slice(1)) % 60 === 4) &&
    !/callsPerMinute|shutting down/.test(JSON.stringify(reply));
}

describe(`load (${RUNTIME})`, () => {
  test('a 100 MB line is refused naming limits.lineBytes, never held in memory, and the next request is served', async (t) => {
    const c = await startReady({ roots: [tree()] });
    try {
      const chunk = 'a'.repeat(1024 * 1024);
      await write(
        c,
        '{"jsonrpc":"2.0","id":"huge","method":"tools/call","params":{"name":"search_docs","arguments":{"query":"',
      );
      for (let i = 0; i < 100; i++) await write(c, chunk);
      await write(c, '"}}}\n{"jsonrpc":"2.0","id":"after","method":"ping"}\n');
      const refused = await c.waitFor((m) => m.id === 'huge');
      assert.equal(refused.error?.code, -32600, JSON.stringify(refused).slice(0, 300));
      assert.match(refused.error?.message ?? '', /limits\.lineBytes/);
      assert.deepEqual((await c.waitFor((m) => m.id === 'after')).result, {});
      assertPeakRss(t, c, RUNTIME, 'after the 100 MB line');
      assertCleanWire(c);
    } finally {
      await c.close();
    }
  });

  for (
    const [label, limits] of [
      ['rate limit on (600 calls/min, burst 60): most tool calls are refused naming callsPerMinute', {
        callsPerMinute: 600,
        burst: 60,
      }],
      ['rate limit off', { callsPerMinute: 0 }],
    ] as const
  ) {
    test(`${FLOOD} pipelined requests, ${label}: each answered once, each audited once, RSS bounded`, async (t) => {
      const c = await startReady({ config: { roots: [{ name: 'docs', path: tree() }], limits } });
      try {
        const { ids, payload } = flood(FLOOD);
        const started = Date.now();
        await write(c, payload);
        await until('replies', () => floodReplies(c), FLOOD, 4 * HANG_GUARD_MS, c);
        const replies = responsesById(c);
        const problems: string[] = [];
        let limited = 0;
        for (const id of ids) {
          const rs = replies.get(id) ?? [];
          if (rs.length !== 1) problems.push(`${id}: ${rs.length} replies`);
          const bad = rs[0] ? judge(rs[0]) : null;
          if (bad) problems.push(`${id}: ${bad}`);
          if (rs[0] && /callsPerMinute/.test(JSON.stringify(rs[0]))) limited++;
        }
        assert.deepEqual(problems.slice(0, 20), []);
        if (limits.callsPerMinute > 0) assert.ok(limited > 1000, `only ${limited} calls hit the rate limit`);
        else assert.equal(limited, 0);
        t.diagnostic(`${Date.now() - started} ms, ${limited} rate-limited`);
        assertPeakRss(t, c, RUNTIME, `after ${FLOOD} requests`);
        await c.close();
        const { counts, coalesced } = requestRecordCounts(c);
        const must = (id: string) => readDocuments(id, replies.get(id)?.[0]);
        const wrong = ids.filter((id) => (counts.get(id) ?? 0) > 1 || (must(id) && counts.get(id) !== 1)).slice(0, 20)
          .map((id) => `${id}: ${counts.get(id) ?? 0} records`);
        assert.deepEqual(wrong, []);
        assert.equal(ids.filter((id) => counts.has(id)).length + coalesced, FLOOD, 'every request accounted for once');
        assertCleanWire(c);
      } finally {
        if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
      }
    });
  }

  test(`SIGTERM after ~1,000 of ${FLOOD} pipelined requests: every request read is audited once, every reply has a record, the log ends with "stop"`, async (t) => {
    const c = await startReady({ config: { roots: [{ name: 'docs', path: tree() }], limits: { callsPerMinute: 0 } } });
    try {
      const { ids, payload } = flood(FLOOD);
      // The first 1,200 requests, then the signal right after the rest is written (as on a busy pipe, most
      // of it is never read): on a loaded machine a server could otherwise answer all 10,000 before a
      // poll of this process notices the 1,000th reply.
      const lines = payload.split('\n');
      await write(c, lines.slice(0, 1200).join('\n') + '\n');
      await until('the first replies', () => floodReplies(c), 1000, HANG_GUARD_MS, c);
      c.proc.stdin.write(lines.slice(1200).join('\n'));
      c.proc.kill('SIGTERM');
      const exit = await exitWithin(c, HANG_GUARD_MS);
      assert.equal(exit.code, 0, `exit ${JSON.stringify(exit)}`);
      const replies = responsesById(c);
      const { counts, coalesced } = requestRecordCounts(c);
      const problems: string[] = [];
      for (const id of ids) {
        const n = counts.get(id) ?? 0;
        if (n > 1) problems.push(`${id}: ${n} records`);
        const rs = replies.get(id) ?? [];
        if (rs.length > 1) problems.push(`${id}: ${rs.length} replies`);
        if (rs.length === 1 && readDocuments(id, rs[0]) && n !== 1) problems.push(`${id}: answered but ${n} records`);
      }
      assert.deepEqual(problems.slice(0, 20), []);
      const records = auditRecordsAll(c);
      assert.equal(records.at(-1)?.['event'], 'stop', JSON.stringify(records.at(-1)));
      const audited = ids.filter((id) => counts.has(id)).length + coalesced;
      const answered = ids.filter((id) => replies.has(id)).length;
      t.diagnostic(`${answered} answered, ${audited} audited of ${FLOOD}`);
      assert.ok(
        answered >= 1000 && audited >= answered && audited < FLOOD,
        `answered ${answered}, audited ${audited}: the signal did not land mid-flood`,
      );
      assertCleanWire(c);
    } finally {
      if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
    }
  });
});
