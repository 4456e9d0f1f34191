// Concurrent request handling through the real bundle: pipelined requests each answered once, cancellation
// (no response, audited as cancelled), progress notifications, the per-call deadline and the per-tool
// rate limit. Every test checks that stdout never carries "id": null.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTree, tempDir } from '../helpers/fixtures.ts';
import { type Client, HANG_GUARD_MS, type Json, type Message, RUNTIME, startReady } from '../helpers/harness.ts';
import { until } from '../helpers/proc_status.ts';
import { assertCleanWire, auditRequestCounts, pingBarrier, responsesTo, sleep } from '../helpers/wire.ts';

const BIG_FILES = 3072; // a multiple of the server's 256-file progress step
const FILE_BYTES = 2048;

/** BIG_FILES Markdown files of FILE_BYTES each, 128 per folder. */
function bigTree(): string {
  const root = tempDir('dw-big-');
  const filler = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor\n';
  for (let i = 0; i < BIG_FILES; i++) {
    const dir = join(root, `part${String(Math.floor(i / 128)).padStart(2, '0')}`);
    if (i % 128 === 0) mkdirSync(dir);
    const head = `# Page ${i}\n\nThe widget number ${i} is described here.\n`;
    writeFileSync(
      join(dir, `page${i}.md`),
      (head + filler.repeat(Math.ceil(FILE_BYTES / filler.length))).slice(0, FILE_BYTES),
    );
  }
  return root;
}

const small = () => makeTree({ 'a.md': '# A\n\nalpha\n', 'b/c.md': '# C\n\ngamma\n' });

function toolCall(id: string | number, name: string, args: Json, meta?: Json): Json {
  return {
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name, arguments: args, ...(meta ? { _meta: meta } : {}) },
  };
}

function textOf(m: Message): string {
  return ((m.result?.['content'] ?? []) as Json[]).map((b) => String(b['text'] ?? '')).join('\n');
}

let big: string;
before(() => {
  big = bigTree();
});

describe(`pipelining and cancellation (${RUNTIME})`, () => {
  let c: Client;
  before(async () => {
    c = await startReady({ config: { roots: [{ name: 'docs', path: small() }], limits: { callsPerMinute: 0 } } });
  });
  after(async () => {
    await c.close();
  });

  test('200 requests written in one write (ping, tools/list, tools/call list_docs) are each answered exactly once', async () => {
    const ids = Array.from({ length: 200 }, (_, i) => `p${i}`);
    const kinds = ['ping', 'tools/list', 'tools/call'] as const;
    const payload = ids.map((id, i) => {
      const kind = kinds[i % 3];
      if (kind === 'tools/call') return JSON.stringify(toolCall(id, 'list_docs', { depth: 2 }));
      return JSON.stringify({ jsonrpc: '2.0', id, method: kind });
    }).join('\n') + '\n';
    c.sendRaw(payload);
    for (const id of ids) await c.waitFor((m) => m.id === id && m.method === undefined);
    await pingBarrier(c, 'pipelined');
    ids.forEach((id, i) => {
      const rs = responsesTo(c, id);
      assert.equal(rs.length, 1, `responses to ${id}`);
      const r = rs[0] as Message;
      assert.ok(r.result, `${id}: ${JSON.stringify(r).slice(0, 200)}`);
      if (kinds[i % 3] === 'ping') assert.deepEqual(r.result, {});
      if (kinds[i % 3] === 'tools/list') assert.equal((r.result['tools'] as Json[]).length, 6);
      if (kinds[i % 3] === 'tools/call') {
        assert.notEqual(r.result['isError'], true, id);
        assert.match(textOf(r), /a\.md/);
      }
    });
    // A tool call always has a record of its own; pings and tools/list beyond the per-second quota are
    // counted in `coalesced` records (docs/security.md, "Audit log").
    const counts = auditRequestCounts(c);
    ids.forEach((id, i) =>
      assert.ok(
        kinds[i % 3] === 'tools/call' ? counts.get(id) === 1 : (counts.get(id) ?? 0) <= 1,
        `audit records for ${id}`,
      )
    );
    const coalesced = c.auditRecords().filter((r) => r['event'] === 'coalesced').reduce(
      (n, r) => n + (r['detail'] as { count: number }).count,
      0,
    );
    assert.ok(ids.filter((id) => counts.has(id)).length + coalesced >= ids.length, 'every request accounted for');
    assertCleanWire(c);
  });

  test('notifications/cancelled for an unknown id is ignored: no reply, the session goes on', async () => {
    const from = c.messages.length;
    c.notify('notifications/cancelled', { requestId: 'never-sent', reason: 'test' });
    c.notify('notifications/cancelled', { requestId: 424242 });
    c.notify('notifications/cancelled', { requestId: null });
    c.notify('notifications/cancelled', {});
    c.notify('notifications/cancelled', { requestId: 'p0' }); // long finished
    await pingBarrier(c, 'cancel-unknown');
    assert.equal(c.messages.length - from, 1, `only the ping reply: ${JSON.stringify(c.messages.slice(from))}`);
    c.send(toolCall('after-cancel', 'list_docs', {}));
    const r = await c.waitFor((m) => m.id === 'after-cancel');
    assert.notEqual(r.result?.['isError'], true);
    assertCleanWire(c);
  });
});

describe(`over a ${BIG_FILES}-file tree (${RUNTIME})`, () => {
  test('a cancelled search_docs gets no response and is audited with outcome "cancelled"', async () => {
    const c = await startReady({ roots: [big] });
    try {
      c.sendRaw(
        JSON.stringify(toolCall('search-1', 'search_docs', { query: 'widget described', mode: 'words' })) + '\n' +
          JSON.stringify({
            jsonrpc: '2.0',
            method: 'notifications/cancelled',
            params: { requestId: 'search-1', reason: 'user' },
          }) + '\n',
      );
      // The search stops at its next look at the signal and is audited then: wait for that record (a count,
      // not a clock); a reply it wrongly sent would be on the wire before the barrier's.
      const recordsOf = () => c.auditRecords().filter((a) => a['event'] === 'request' && a['id'] === 'search-1');
      await until("the cancelled search's audit record", () => recordsOf().length, 1, HANG_GUARD_MS, c);
      await pingBarrier(c, 'cancel');
      assert.equal(
        responsesTo(c, 'search-1').length,
        0,
        `no response to a cancelled request: ${JSON.stringify(responsesTo(c, 'search-1')).slice(0, 200)}`,
      );
      const records = recordsOf();
      assert.equal(records.length, 1, JSON.stringify(records));
      assert.equal(records[0]?.['outcome'], 'cancelled');
      // The session still works after the cancellation, on the same tree.
      c.send(toolCall('search-2', 'search_docs', { query: 'widget', mode: 'literal', limit: 3 }));
      const r = await c.waitFor((m) => m.id === 'search-2');
      assert.notEqual(r.result?.['isError'], true, textOf(r));
      assert.equal(
        r.result?.['structuredContent'] && (r.result['structuredContent'] as Json)['hits'] instanceof Array,
        true,
      );
      assertCleanWire(c);
    } finally {
      await c.close();
    }
  });

  test('search_docs with a progressToken sends strictly increasing notifications/progress for that token, none after the response', async () => {
    const c = await startReady({ roots: [big] });
    try {
      c.send(toolCall('prog', 'search_docs', { query: 'widget described', mode: 'words' }, { progressToken: 'p1' }));
      const response = await c.waitFor((m) => m.id === 'prog' && m.method === undefined);
      assert.notEqual(response.result?.['isError'], true, textOf(response));
      await sleep(300);
      await pingBarrier(c, 'progress');
      const at = c.messages.indexOf(response);
      const progress = c.messages.filter((m) => m.method === 'notifications/progress');
      assert.ok(progress.length >= 1, 'at least one progress notification');
      let last = -Infinity;
      for (const p of progress) {
        const params = p['params'] as Json;
        assert.equal(params['progressToken'], 'p1');
        const value = params['progress'];
        assert.equal(typeof value, 'number');
        assert.ok(
          (value as number) > last,
          `progress must increase strictly: ${JSON.stringify(progress.map((x) => (x['params'] as Json)['progress']))}`,
        );
        last = value as number;
        if (params['total'] !== undefined) assert.ok((params['total'] as number) >= (value as number));
        assert.ok(c.messages.indexOf(p) < at, 'no progress after the response');
      }
      // Without a token there is no progress at all.
      const before = progress.length;
      c.send(toolCall('noprog', 'search_docs', { query: 'lorem ipsum', mode: 'literal', limit: 2 }));
      await c.waitFor((m) => m.id === 'noprog');
      await pingBarrier(c, 'noprog');
      assert.equal(c.messages.filter((m) => m.method === 'notifications/progress').length, before);
      assertCleanWire(c);
    } finally {
      await c.close();
    }
  });

  test('limits.deadlineMs 100: a search that runs longer answers an isError result naming deadlineMs', async () => {
    const c = await startReady({ config: { roots: [{ name: 'docs', path: big }], limits: { deadlineMs: 100 } } });
    try {
      // A regex with no required literal and no match runs the regex engine on every line of every file
      // (several hundred ms here), well past 100 ms whatever the file cache holds.
      const r = await c.call('search_docs', { query: '[a-z]+ [0-9]+ [a-z]+ [0-9]', mode: 'regex' });
      assert.equal(
        r.isError,
        true,
        `the search finished within 100 ms: make the tree bigger (${c.textOf(r).slice(0, 100)})`,
      );
      assert.match(c.textOf(r), /deadlineMs/);
      assert.deepEqual((await c.request('ping')).result, {});
      const counts = auditRequestCounts(c);
      assert.ok([...counts.values()].every((n) => n === 1));
      assertCleanWire(c);
    } finally {
      await c.close();
    }
  });
});

test(`limits {callsPerMinute: 60, burst: 3}: the 4th quick call of a tool is an isError naming callsPerMinute, another tool still works (${RUNTIME})`, async () => {
  const c = await startReady({
    config: { roots: [{ name: 'docs', path: small() }], limits: { callsPerMinute: 60, burst: 3 } },
  });
  try {
    // Written in one go, so the bucket cannot refill (1 token per second) between the calls.
    c.sendRaw([1, 2, 3, 4].map((i) => JSON.stringify(toolCall(`rl${i}`, 'list_docs', {}))).join('\n') + '\n');
    for (const i of [1, 2, 3]) {
      const r = await c.waitFor((m) => m.id === `rl${i}`);
      assert.notEqual(r.result?.['isError'], true, `call ${i}: ${textOf(r)}`);
    }
    const fourth = await c.waitFor((m) => m.id === 'rl4');
    assert.equal(fourth.result?.['isError'], true, JSON.stringify(fourth).slice(0, 300));
    assert.match(textOf(fourth), /callsPerMinute/);
    const other = await c.call('read_doc', { path: 'a.md' });
    assert.notEqual(other.isError, true, c.textOf(other));
    assert.match(c.textOf(other), /alpha/);
    assertCleanWire(c);
  } finally {
    await c.close();
  }
});
