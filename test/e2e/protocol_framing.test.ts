// stdio framing through the real bundle: line endings, junk and invalid envelopes, ids that must not be
// echoed, bytes split across writes, invalid UTF-8, the line-size cap, deep nesting, JSON-RPC batches per
// negotiated version, and shutdown on stdin EOF and SIGTERM. Every test checks that stdout never
// carries "id": null.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTree } from '../helpers/fixtures.ts';
import {
  type Client,
  HANG_GUARD_MS,
  type Json,
  type Message,
  RUNTIME,
  startReady,
  startServer,
} from '../helpers/harness.ts';
import { assertCleanWire, exitWithin, flatMessages, pingBarrier, responsesTo, sleep } from '../helpers/wire.ts';

const docs = () => makeTree({ 'guide/install.md': '# Install\n\nRun the installer.\n', 'README.md': '# Readme\n' });

const line = (m: Json): string => JSON.stringify(m) + '\n';
const ping = (id: string | number): Json => ({ jsonrpc: '2.0', id, method: 'ping' });

function errorCode(m: Message | undefined): number | undefined {
  return m?.error?.code;
}

/** Messages received after index `from`, except barrier ping replies. */
function since(c: Client, from: number): Message[] {
  return c.messages.slice(from).filter((m) => !(typeof m.id === 'string' && m.id.startsWith('barrier-')));
}

// One session for the tests that only write to stdin and read replies. Hand-made numeric ids stay
// away from c.request's counter: only initialize (id 1) uses it here.
describe(`stdio framing (${RUNTIME})`, () => {
  let c: Client;
  before(async () => {
    c = await startReady({ roots: [docs()] });
  });
  after(async () => {
    await c.close();
  });

  test('a request terminated by CRLF is answered', async () => {
    c.sendRaw(JSON.stringify(ping('crlf')) + '\r\n');
    const r = await c.waitFor((m) => m.id === 'crlf');
    assert.deepEqual(r.result, {});
    assertCleanWire(c);
  });

  test('blank lines (LF, CRLF, spaces-free) are ignored and produce no reply', async () => {
    const from = c.messages.length;
    c.sendRaw('\n\n\r\n\n' + JSON.stringify(ping('after-blank')) + '\n\n\r\n');
    await c.waitFor((m) => m.id === 'after-blank');
    await pingBarrier(c, 'blank');
    assert.deepEqual(since(c, from).map((m) => m.id), ['after-blank']);
    assertCleanWire(c);
  });

  test('a line that is not JSON gets a -32700 reply without id (2025-11-25) and the server keeps working', async () => {
    const from = c.messages.length;
    c.sendRaw('this is not json\n{"jsonrpc":"2.0","id":"cut",\n}\nnul\n\u0000\u0001\n');
    await pingBarrier(c, 'junk');
    const replies = since(c, from);
    assert.equal(replies.length, 5, JSON.stringify(replies));
    for (const m of replies) {
      assert.equal(m.error?.code, -32700, JSON.stringify(m));
      assert.match(m.error?.message ?? '', /Parse error: not valid JSON/);
      assert.ok(!Object.hasOwn(m, 'id'), `a parse error has no id to answer: ${JSON.stringify(m)}`);
    }
    assertCleanWire(c);
  });

  test('a run of junk is answered 8 times, then not, until a valid message arrives (no error loop)', async () => {
    const from = c.messages.length;
    c.sendRaw('junk\n'.repeat(50));
    await pingBarrier(c, 'junk-run');
    assert.equal(since(c, from).length, 8, 'eight replies, then silence');
    const next = c.messages.length;
    c.sendRaw('junk again\n');
    await pingBarrier(c, 'junk-after');
    assert.deepEqual(since(c, next).map((m) => m.error?.code), [-32700], 'the valid ping reset the count');
    assertCleanWire(c);
  });

  test('an invalid envelope with a readable id gets -32600 with that id', async () => {
    const cases: [string | number, string][] = [
      [7, '{"jsonrpc":"1.0","id":7,"method":"ping"}'],
      [8, '{"jsonrpc":"2.0","id":8,"method":"ping","params":[1,2]}'],
      ['env-method', '{"jsonrpc":"2.0","id":"env-method","method":5}'],
      ['env-missing', '{"id":"env-missing","method":"ping"}'],
      ['env-params', '{"jsonrpc":"2.0","id":"env-params","method":"tools/list","params":"x"}'],
    ];
    c.sendRaw(cases.map(([, text]) => text + '\n').join(''));
    for (const [id] of cases) {
      const r = await c.waitFor((m) => m.id === id);
      assert.equal(errorCode(r), -32600, `id ${JSON.stringify(id)}: ${JSON.stringify(r)}`);
    }
    assertCleanWire(c);
  });

  test('a request with id null, a fractional, boolean or object id is never answered with "id": null', async () => {
    const from = c.messages.length;
    c.sendRaw(
      [
        '{"jsonrpc":"2.0","id":null,"method":"ping"}',
        '{"jsonrpc":"2.0","id":1.5,"method":"ping"}',
        '{"jsonrpc":"2.0","id":true,"method":"ping"}',
        '{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}',
        '{"jsonrpc":"2.0","id":null,"method":"tools/list"}',
      ].join('\n') + '\n',
    );
    await pingBarrier(c, 'null-id');
    for (const m of since(c, from)) {
      // Answering is optional; an answer must be an error without an id member (docs/protocol.md, "JSON-RPC rules").
      assert.ok(m.error, `unexpected reply ${JSON.stringify(m)}`);
      assert.ok(!Object.hasOwn(m, 'id'), `reply must omit id: ${JSON.stringify(m)}`);
    }
    assertCleanWire(c);
  });

  test('a request written byte by byte, including multi-byte UTF-8 characters split across writes, is answered', async () => {
    const id = 'split-é✓𝄞';
    const bytes = Buffer.from(JSON.stringify(ping(id)) + '\n', 'utf8');
    for (let i = 0; i < bytes.length; i++) {
      c.sendRaw(bytes.subarray(i, i + 1));
      if (i % 8 === 0) await sleep(1);
    }
    const r = await c.waitFor((m) => m.id === id);
    assert.deepEqual(r.result, {});
    const call = Buffer.from(
      line({
        jsonrpc: '2.0',
        id: 'split-call',
        method: 'tools/call',
        params: { name: 'read_doc', arguments: { path: 'guide/install.md' } },
      }),
    );
    c.sendRaw(call.subarray(0, 10));
    await sleep(20);
    c.sendRaw(call.subarray(10, 57));
    await sleep(20);
    c.sendRaw(call.subarray(57));
    const rc = await c.waitFor((m) => m.id === 'split-call');
    assert.match(JSON.stringify(rc.result), /Run the installer/);
    assertCleanWire(c);
  });

  test('several messages in one write, and a message straddling two writes, are all answered', async () => {
    c.sendRaw(line(ping('two-a')) + line(ping('two-b')) + line(ping('two-c')).slice(0, 12));
    await sleep(20);
    c.sendRaw(line(ping('two-c')).slice(12) + line(ping('two-d')));
    for (const id of ['two-a', 'two-b', 'two-c', 'two-d']) {
      assert.deepEqual((await c.waitFor((m) => m.id === id)).result, {});
      assert.equal(responsesTo(c, id).length, 1, id);
    }
    assertCleanWire(c);
  });

  test('a line with invalid UTF-8 is dropped and the next request in the same write is served', async () => {
    const bad = (id: string, raw: number[]) =>
      Buffer.concat([
        Buffer.from(`{"jsonrpc":"2.0","id":"${id}","method":"ping","params":{"x":"`),
        Buffer.from(raw),
        Buffer.from('"}}\n'),
      ]);
    c.sendRaw(Buffer.concat([
      bad('utf8-ff', [0xff, 0xfe]),
      bad('utf8-overlong', [0xc0, 0xaf]),
      bad('utf8-surrogate', [0xed, 0xa0, 0x80]),
      bad('utf8-truncated', [0xe2, 0x82]),
      Buffer.from(line(ping('utf8-next'))),
    ]));
    assert.deepEqual((await c.waitFor((m) => m.id === 'utf8-next')).result, {});
    await pingBarrier(c, 'utf8');
    for (const id of ['utf8-ff', 'utf8-overlong', 'utf8-surrogate', 'utf8-truncated']) {
      assert.equal(responsesTo(c, id).length, 0, `${id} must be dropped`);
    }
    assertCleanWire(c);
  });

  test('10,000 nested arrays inside params are refused without crashing the server', async () => {
    const depth = 10_000;
    const nested = '['.repeat(depth) + ']'.repeat(depth);
    const objects = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    c.sendRaw(
      `{"jsonrpc":"2.0","id":"deep","method":"tools/call","params":{"name":"list_docs","arguments":{"x":${nested}}}}\n` +
        `{"jsonrpc":"2.0","id":"deep-obj","method":"ping","params":{"x":${objects}}}\n` +
        `{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"x":${nested}}}\n` +
        '['.repeat(100_000) + '\n',
    );
    await pingBarrier(c, 'deep');
    for (const id of ['deep', 'deep-obj']) {
      for (const r of responsesTo(c, id))
        assert.ok(r.error, `${id}: a refusal may be an error, never a result: ${JSON.stringify(r).slice(0, 200)}`);
    }
    assert.equal(c.proc.exitCode, null, 'the server is still running');
    assertCleanWire(c);
  });
});

describe(`line size cap: limits.lineBytes 4096 (${RUNTIME})`, () => {
  let c: Client;
  before(async () => {
    const root = docs();
    c = await startReady({ config: { roots: [{ name: 'docs', path: root }], limits: { lineBytes: 4096 } } });
  });
  after(async () => {
    await c.close();
  });

  test('a line over the limit gets -32600 naming lineBytes with its id, and the next request is served', async () => {
    c.sendRaw(
      line({
        jsonrpc: '2.0',
        id: 'big',
        method: 'tools/call',
        params: { name: 'search_docs', arguments: { query: 'x'.repeat(5000) } },
      }) + line(ping('after-big')),
    );
    const r = await c.waitFor((m) => m.id === 'big');
    assert.equal(errorCode(r), -32600);
    assert.match(r.error?.message ?? '', /lineBytes/);
    assert.deepEqual((await c.waitFor((m) => m.id === 'after-big')).result, {});
    assertCleanWire(c);
  });

  test('a 1 MB line written in pieces is refused with its id and the server keeps serving', async () => {
    const text = line({ jsonrpc: '2.0', id: 9001, method: 'ping', params: { pad: 'y'.repeat(1024 * 1024) } });
    for (let i = 0; i < text.length; i += 64 * 1024) c.sendRaw(text.slice(i, i + 64 * 1024));
    const r = await c.waitFor((m) => m.id === 9001);
    assert.equal(errorCode(r), -32600);
    assert.match(r.error?.message ?? '', /lineBytes/);
    await pingBarrier(c, 'after-mb');
    assertCleanWire(c);
  });

  test('an oversize line whose id comes after the payload gets no reply with "id": null, and the next request is served', async () => {
    const from = c.messages.length;
    c.sendRaw(`{"jsonrpc":"2.0","method":"ping","params":{"pad":"${'z'.repeat(6000)}"},"id":"late-id"}\n`);
    await pingBarrier(c, 'late-id');
    for (const m of since(c, from)) {
      assert.ok(
        m.error && (m.id === 'late-id' || !Object.hasOwn(m, 'id')),
        `unexpected ${JSON.stringify(m).slice(0, 200)}`,
      );
    }
    assertCleanWire(c);
  });

  test('a line just under the limit is served normally', async () => {
    c.sendRaw(line({ jsonrpc: '2.0', id: 'under', method: 'ping', params: { _meta: { pad: 'p'.repeat(3900) } } }));
    assert.deepEqual((await c.waitFor((m) => m.id === 'under')).result, {});
    assertCleanWire(c);
  });
});

describe(`JSON-RPC batches (${RUNTIME})`, () => {
  test('under 2025-03-26 a batch gets one array reply with one response per request and none for notifications', async () => {
    const c = await startReady({ roots: [docs()] }, '2025-03-26');
    try {
      const batch = [
        ping('b1'),
        { jsonrpc: '2.0', method: 'notifications/whatever', params: {} },
        { jsonrpc: '2.0', id: 'b2', method: 'tools/list' },
        { jsonrpc: '2.0', id: 'b3', method: 'tools/call', params: { name: 'list_docs', arguments: {} } },
        { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'nope' } },
      ];
      c.send(batch);
      const reply = await c.waitFor((m) => Array.isArray(m)) as unknown as Message[];
      assert.equal(reply.length, 3, JSON.stringify(reply).slice(0, 300));
      assert.deepEqual(reply.map((m) => m.id).sort(), ['b1', 'b2', 'b3']);
      const byId = new Map(reply.map((m) => [m.id, m]));
      assert.deepEqual(byId.get('b1')?.result, {});
      assert.ok(Array.isArray(byId.get('b2')?.result?.['tools']));
      assert.notEqual(byId.get('b3')?.result?.['isError'], true);
      assert.ok(
        c.messages.every((m) => Array.isArray(m) || !['b1', 'b2', 'b3'].includes(String(m.id))),
        'no reply outside the array',
      );

      const from = c.messages.length;
      c.send([{ jsonrpc: '2.0', method: 'notifications/whatever' }, { jsonrpc: '2.0', method: 'notifications/other' }]);
      c.send([ping('b5'), { jsonrpc: '1.0', id: 'b6', method: 'ping' }]);
      const second = await c.waitFor((m) =>
        Array.isArray(m) && (m as unknown as Message[]).some((x) => x.id === 'b5')
      ) as unknown as Message[];
      assert.deepEqual(second.map((m) => m.id).sort(), ['b5', 'b6']);
      assert.equal(errorCode(second.find((m) => m.id === 'b6')), -32600);
      await pingBarrier(c, 'batch');
      assert.equal(since(c, from).length, 1, 'a batch of notifications gets no reply');
      assertCleanWire(c);
    } finally {
      await c.close();
    }
  });

  for (const version of ['2025-11-25', '2025-06-18']) {
    test(`under ${version} a batch is refused with -32600 for each request, keeping the ids`, async () => {
      const c = await startReady({ roots: [docs()] }, version);
      try {
        c.send([ping('c1'), { jsonrpc: '2.0', id: 'c2', method: 'tools/list' }, {
          jsonrpc: '2.0',
          method: 'notifications/whatever',
        }]);
        await pingBarrier(c, 'refused');
        for (const id of ['c1', 'c2']) {
          const rs = responsesTo(c, id);
          assert.equal(rs.length, 1, `${id}: ${JSON.stringify(rs)}`);
          assert.equal(errorCode(rs[0]), -32600, id);
        }
        assert.equal(
          flatMessages(c).filter((m) => m.result !== undefined && (m.id === 'c1' || m.id === 'c2')).length,
          0,
        );
        assertCleanWire(c);
      } finally {
        await c.close();
      }
    });
  }
});

describe(`shutdown (${RUNTIME})`, () => {
  /** A session whose tools/call stays in flight: the client declares roots but never answers roots/list. */
  async function stalledCall(): Promise<Client> {
    const c = await startServer({ roots: [docs()] });
    c.onServerRequest = () => null;
    await c.initialize('2025-11-25', { roots: {} });
    await c.waitFor((m) => m.method === 'roots/list');
    c.send({ jsonrpc: '2.0', id: 'stalled', method: 'tools/call', params: { name: 'list_docs', arguments: {} } });
    await pingBarrier(c, 'stalled');
    assert.equal(responsesTo(c, 'stalled').length, 0, 'the call is still in flight');
    return c;
  }

  /** The in-flight call was stopped, not run to its end: at most the shutdown refusal, never the listing. */
  function assertStoppedNotDrained(c: Client): void {
    for (const r of responsesTo(c, 'stalled'))
      assert.match(
        JSON.stringify(r.result),
        /"isError":true.*shutting down|shutting down.*"isError":true/,
        JSON.stringify(r),
      );
  }

  function lastAudit(c: Client): Json | undefined {
    return c.auditRecords().at(-1);
  }

  test('stdin EOF while idle exits 0 and the last audit record is "stop"', async () => {
    const c = await startReady({ roots: [docs()] });
    c.proc.stdin.end();
    const exit = await exitWithin(c, HANG_GUARD_MS);
    assert.equal(exit.code, 0);
    assert.equal(lastAudit(c)?.['event'], 'stop');
    assertCleanWire(c);
  });

  // Order, not a clock: the server waits for the client's roots (up to 5 s) before running the call, so a
  // server that drained in-flight work on EOF would send the listing before exiting; a prompt one never does.
  test('stdin EOF exits 0 promptly even with a request still in flight', async () => {
    const c = await stalledCall();
    try {
      c.proc.stdin.end();
      const exit = await exitWithin(c, HANG_GUARD_MS);
      assert.equal(exit.code, 0);
      assertStoppedNotDrained(c);
      assert.equal(lastAudit(c)?.['event'], 'stop');
      assertCleanWire(c);
    } finally {
      if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
      await c.exit;
    }
  });

  test('SIGTERM while idle exits 0 and the last audit record is "stop"', async () => {
    const c = await startReady({ roots: [docs()] });
    await pingBarrier(c, 'term');
    c.proc.kill('SIGTERM');
    const exit = await exitWithin(c, HANG_GUARD_MS);
    assert.equal(exit.code, 0);
    assert.equal(lastAudit(c)?.['event'], 'stop');
    assertCleanWire(c);
  });

  // SIGHUP: the terminal or the session that started the server went away (an outside attack found its
  // in-flight records and the stop record lost).
  for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
    test(`${signal} with a request in flight exits 0 promptly and the last audit record is "stop"`, async () => {
      const c = await stalledCall();
      try {
        c.proc.kill(signal);
        const exit = await exitWithin(c, HANG_GUARD_MS);
        assert.equal(exit.code, 0);
        assertStoppedNotDrained(c);
        const records = c.auditRecords();
        assert.equal(records.at(-1)?.['event'], 'stop');
        assert.equal(records.at(-1)?.['reason'], signal.toLowerCase());
        assert.equal(
          records.filter((a) => a['event'] === 'request' && a['id'] === 'stalled').length,
          1,
          'the aborted call is audited once',
        );
        assertCleanWire(c);
      } finally {
        if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
        await c.exit;
      }
    });
  }
});

describe(`stdio framing under 2025-06-18 (${RUNTIME})`, () => {
  test('a line that is not JSON gets no reply: that schema has no error response without an id', async () => {
    const c = await startReady({ roots: [docs()] }, '2025-06-18');
    try {
      const from = c.messages.length;
      c.sendRaw('this is not json\n[1,\n');
      await pingBarrier(c, 'old-junk');
      assert.deepEqual(since(c, from), []);
      const refused = c.auditRecords().filter((r) => r['code'] === -32700);
      assert.equal(refused.length, 2, 'each line is still in the audit log');
    } finally {
      await c.close();
    }
  });
});
