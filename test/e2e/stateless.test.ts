// The stateless era (MCP 2026-07-28) over the real bundle: discovery, per-request _meta, resultType and
// caching hints, its error codes, request-scoped logging, and consent through input-required results
// with a signed requestState.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTree } from '../helpers/fixtures.ts';
import { type Client, HANG_GUARD_MS, type Json, type Message, RUNTIME, startServer } from '../helpers/harness.ts';
import { until } from '../helpers/proc_status.ts';

const V = '2026-07-28';
const SECRET_LINE = 'board minutes 9931';
const root = makeTree({
  'guide/install.md': '# Install\n\nRun the installer.\n',
  'private/minutes.md': `# Minutes\n\n${SECRET_LINE}\n`,
  '.env': 'TOKEN=abc',
});
const config = { roots: [{ name: 'docs', path: root }], confirm: { paths: ['private/**'], timeoutMs: 1000 } };

function meta(caps: Json = {}, extra: Json = {}): Json {
  return { 'io.modelcontextprotocol/protocolVersion': V, 'io.modelcontextprotocol/clientCapabilities': caps, ...extra };
}
const result = (m: Message): Json => {
  assert.ok(m.result, `expected a result, got ${JSON.stringify(m.error)}`);
  return m.result;
};
const error = (m: Message) => {
  assert.ok(m.error, `expected an error, got ${JSON.stringify(m.result)}`);
  return m.error;
};

async function server(): Promise<Client> {
  return startServer({ config });
}

describe(`stateless era 2026-07-28 (${RUNTIME})`, () => {
  test('server/discover answers versions, capabilities, server info and caching hints without fixing the era', async () => {
    const c = await server();
    try {
      const d = result(await c.request('server/discover', { _meta: meta() }));
      assert.equal(d['resultType'], 'complete');
      assert.ok((d['supportedVersions'] as string[]).includes(V));
      assert.ok((d['supportedVersions'] as string[]).includes('2025-11-25'));
      assert.ok(typeof d['capabilities'] === 'object');
      assert.ok(Number.isInteger(d['ttlMs']) && (d['ttlMs'] as number) >= 0);
      assert.ok(['public', 'private'].includes(d['cacheScope'] as string));
      assert.equal(((d['_meta'] as Json)['io.modelcontextprotocol/serverInfo'] as Json)['name'], 'docwarden');
      // A dual-era client probing in place may still fall back to the handshake.
      const init = await c.request('initialize', {
        protocolVersion: '2025-11-25',
        capabilities: {},
        clientInfo: { name: 't', version: '1' },
      });
      assert.equal(result(init)['protocolVersion'], '2025-11-25');
      const modern = await c.request('tools/list', { _meta: meta() });
      assert.equal(error(modern).code, -32600, 'an era switch after the handshake is refused');
    } finally {
      await c.close();
    }
  });

  test('requests validate _meta: missing keys -32602, unsupported version -32022 with the supported list', async () => {
    const c = await server();
    try {
      assert.equal(error(await c.request('tools/list', {})).code, -32602);
      assert.equal(
        error(await c.request('tools/list', { _meta: { 'io.modelcontextprotocol/protocolVersion': V } })).code,
        -32602,
      );
      assert.equal(
        error(await c.request('tools/list', { _meta: { 'io.modelcontextprotocol/clientCapabilities': {} } })).code,
        -32602,
      );
      const bad = error(
        await c.request('tools/list', {
          _meta: { ...meta(), 'io.modelcontextprotocol/protocolVersion': '1900-01-01' },
        }),
      );
      assert.equal(bad.code, -32022);
      const data = bad.data as { supported: string[]; requested: string };
      assert.ok(data.supported.includes(V));
      assert.equal(data.requested, '1900-01-01');
      assert.equal(
        error(await c.request('tools/list', { _meta: meta({}, { 'io.modelcontextprotocol/logLevel': 'loud' }) })).code,
        -32602,
      );
    } finally {
      await c.close();
    }
  });

  test('after the first stateless request, handshake-only methods are -32601 and results carry resultType', async () => {
    const c = await server();
    try {
      const tools = result(await c.request('tools/list', { _meta: meta() }));
      assert.equal(tools['resultType'], 'complete');
      assert.equal(tools['cacheScope'], 'public');
      assert.ok(Number.isInteger(tools['ttlMs']));
      const again = result(await c.request('tools/list', { _meta: meta() }));
      assert.deepEqual(
        (again['tools'] as Json[]).map((t) => t['name']),
        (tools['tools'] as Json[]).map((t) => t['name']),
        'deterministic order',
      );
      for (const method of ['initialize', 'ping', 'logging/setLevel', 'resources/subscribe', 'subscriptions/listen']) {
        assert.equal(
          error(await c.request(method, { _meta: meta(), protocolVersion: '2025-11-25', capabilities: {} })).code,
          -32601,
          method,
        );
      }
      const call = result(
        await c.request('tools/call', { _meta: meta(), name: 'read_doc', arguments: { path: 'guide/install.md' } }),
      );
      assert.equal(call['resultType'], 'complete');
      assert.match(JSON.stringify(call['content']), /Run the installer/);
      assert.equal(call['structuredContent'], undefined, 'read_doc sends its page once, in the text');
      const badArgs = result(
        await c.request('tools/call', { _meta: meta(), name: 'read_doc', arguments: { path: 5 } }),
      );
      assert.equal(badArgs['isError'], true);
      assert.equal(
        error(await c.request('tools/call', { _meta: meta(), name: 'write_file', arguments: {} })).code,
        -32602,
      );
      assert.ok(!c.messages.some((m) => m.method !== undefined && m.id !== undefined), 'no server-to-client requests');
    } finally {
      await c.close();
    }
  });

  test('resources: caching hints on list and read; missing or denied is -32602, never empty contents', async () => {
    const c = await server();
    try {
      const list = result(await c.request('resources/list', { _meta: meta() }));
      assert.equal(list['resultType'], 'complete');
      assert.ok('ttlMs' in list && 'cacheScope' in list);
      const templates = result(await c.request('resources/templates/list', { _meta: meta() }));
      assert.ok('ttlMs' in templates && 'cacheScope' in templates);
      const read = result(await c.request('resources/read', { _meta: meta(), uri: 'docs://docs/guide/install.md' }));
      assert.ok('ttlMs' in read && 'cacheScope' in read);
      const missing = error(await c.request('resources/read', { _meta: meta(), uri: 'docs://docs/nope.md' }));
      const denied = error(await c.request('resources/read', { _meta: meta(), uri: 'docs://docs/.env' }));
      assert.equal(missing.code, -32602);
      assert.equal(denied.code, -32602);
      assert.equal(missing.message, denied.message);
    } finally {
      await c.close();
    }
  });

  test('log messages only when the request asks (logLevel in _meta), and only before its response', async () => {
    const c = await server();
    try {
      await c.request('tools/call', { _meta: meta(), name: 'read_doc', arguments: { path: '.env' } });
      assert.equal(c.messages.filter((m) => m.method === 'notifications/message').length, 0);
      const id = c.newId();
      c.send({
        jsonrpc: '2.0',
        id,
        method: 'tools/call',
        params: {
          _meta: meta({}, { 'io.modelcontextprotocol/logLevel': 'debug' }),
          name: 'read_doc',
          arguments: { path: '.env' },
        },
      });
      await c.waitFor((m) => m.id === id);
      await c.request('tools/list', { _meta: meta() });
      const idx = c.messages.findIndex((m) => m.id === id);
      const logs = c.messages.map((m, i) => ({ m, i })).filter(({ m }) => m.method === 'notifications/message');
      assert.ok(logs.length >= 1);
      assert.ok(logs.every(({ i }) => i < idx), 'every log message precedes the response');
    } finally {
      await c.close();
    }
  });

  test('consent through an input-required result: accept, decline, tampering, reuse, and a missing capability', async () => {
    const c = await server();
    try {
      const args = { path: 'private/minutes.md' };
      const noCap = error(await c.request('tools/call', { _meta: meta(), name: 'read_doc', arguments: args }));
      assert.equal(noCap.code, -32021);
      assert.deepEqual((noCap.data as Json)['requiredCapabilities'], { elicitation: {} });
      const caps = { elicitation: {} };
      const first = result(await c.request('tools/call', { _meta: meta(caps), name: 'read_doc', arguments: args }));
      assert.equal(first['resultType'], 'input_required');
      const requests = first['inputRequests'] as Record<
        string,
        { method: string; params: { message: string; mode: string } }
      >;
      const [key, ask] = Object.entries(requests)[0]!;
      assert.equal(ask.method, 'elicitation/create');
      assert.equal(ask.params.mode, 'form');
      assert.match(ask.params.message, /docs:private\/minutes\.md/);
      const state = first['requestState'] as string;
      assert.ok(!c.stdout.includes(SECRET_LINE));

      const tampered = state.slice(0, -2) + (state.endsWith('00') ? '11' : '00');
      const t = error(
        await c.request('tools/call', {
          _meta: meta(caps),
          name: 'read_doc',
          arguments: args,
          requestState: tampered,
          inputResponses: { [key]: { action: 'accept', content: { allow: true } } },
        }),
      );
      assert.equal(t.code, -32602);
      const other = error(
        await c.request('tools/call', {
          _meta: meta(caps),
          name: 'read_doc',
          arguments: { ...args, lineNumbers: true },
          requestState: state,
          inputResponses: { [key]: { action: 'accept', content: { allow: true } } },
        }),
      );
      assert.match(other.message, /different request/, 'a state is bound to the call it was issued for');

      const ok = result(
        await c.request('tools/call', {
          _meta: meta(caps),
          name: 'read_doc',
          arguments: args,
          requestState: state,
          inputResponses: { [key]: { action: 'accept', content: { allow: true } } },
        }),
      );
      assert.equal(ok['resultType'], 'complete');
      assert.match(JSON.stringify(ok['content']), new RegExp(SECRET_LINE));
      const reused = error(
        await c.request('tools/call', {
          _meta: meta(caps),
          name: 'read_doc',
          arguments: args,
          requestState: state,
          inputResponses: { [key]: { action: 'accept', content: { allow: true } } },
        }),
      );
      assert.match(reused.message, /already used/);

      const second = result(await c.request('tools/call', { _meta: meta(caps), name: 'read_doc', arguments: args }));
      const declined = result(
        await c.request('tools/call', {
          _meta: meta(caps),
          name: 'read_doc',
          arguments: args,
          requestState: second['requestState'],
          inputResponses: { [key]: { action: 'decline' } },
        }),
      );
      assert.equal(declined['isError'], true);
      assert.match(JSON.stringify(declined['content']), /declined/);
      const audit = c.auditRecords().filter((a) => a['event'] === 'consent').map((a) => a['reason']);
      for (const r of ['unsupported', 'asked', 'accepted', 'declined'])
        assert.ok(audit.includes(r), `audit records ${r}`);
    } finally {
      await c.close();
    }
  });

  test('every tool and completion answer statelessly with resultType and structured results', async () => {
    const c = await server();
    try {
      const calls: [string, Json][] = [
        ['list_docs', { depth: 2 }],
        ['read_doc', { path: 'guide/install.md', heading: 'Install' }],
        ['search_docs', { query: 'installer', mode: 'literal' }],
        ['search_docs', { query: 'run the installer' }],
        ['find_docs', { pattern: '**/*.md' }],
        ['outline_doc', { path: 'guide/install.md' }],
        ['doc_info', { path: 'guide/install.md' }],
      ];
      for (const [name, args] of calls) {
        const r = result(await c.request('tools/call', { _meta: meta(), name, arguments: args }));
        assert.equal(r['resultType'], 'complete', name);
        assert.equal(r['isError'], undefined, `${name}: ${JSON.stringify(r['content'])}`);
        assert.ok(typeof r['structuredContent'] === 'object' || name === 'read_doc', name);
        assert.ok(!('ttlMs' in r), 'tool results carry no caching hints');
      }
      const found = result(
        await c.request('tools/call', { _meta: meta(), name: 'find_docs', arguments: { pattern: '**/*.md' } }),
      );
      assert.ok(!JSON.stringify(found).includes('.env'));
      const comp = result(
        await c.request('completion/complete', {
          _meta: meta(),
          ref: { type: 'ref/resource', uri: 'docs://docs/{+path}' },
          argument: { name: 'path', value: 'gu' },
        }),
      );
      assert.equal(comp['resultType'], 'complete');
      assert.deepEqual((comp['completion'] as Json)['values'], ['guide/']);
    } finally {
      await c.close();
    }
  });

  test('a cancelled confirmation refuses the read; an expired requestState is refused', async () => {
    const c = await server();
    try {
      const caps = { elicitation: {} };
      const args = { path: 'private/minutes.md' };
      const first = result(await c.request('tools/call', { _meta: meta(caps), name: 'read_doc', arguments: args }));
      const key = Object.keys(first['inputRequests'] as Json)[0]!;
      const cancelled = result(
        await c.request('tools/call', {
          _meta: meta(caps),
          name: 'read_doc',
          arguments: args,
          requestState: first['requestState'],
          inputResponses: { [key]: { action: 'cancel' } },
        }),
      );
      assert.equal(cancelled['isError'], true);
      assert.match(JSON.stringify(cancelled['content']), /cancelled/);
      const second = result(await c.request('tools/call', { _meta: meta(caps), name: 'read_doc', arguments: args }));
      await new Promise((r) => setTimeout(r, 1200)); // confirm.timeoutMs is 1000 in this config
      const late = error(
        await c.request('tools/call', {
          _meta: meta(caps),
          name: 'read_doc',
          arguments: args,
          requestState: second['requestState'],
          inputResponses: { [key]: { action: 'accept', content: { allow: true } } },
        }),
      );
      assert.match(late.message, /expired/);
      assert.ok(!c.stdout.includes(SECRET_LINE));
    } finally {
      await c.close();
    }
  });

  test('notifications/cancelled stops a stateless request and suppresses its reply', async () => {
    const big: Record<string, string> = {};
    for (let i = 0; i < 3000; i++) big[`f${i}.md`] = `# File ${i}\n${'words and more words '.repeat(80)}\n`;
    const bigRoot = makeTree(big);
    const c = await startServer({ roots: [bigRoot] });
    try {
      const id = c.newId();
      c.send({
        jsonrpc: '2.0',
        id,
        method: 'tools/call',
        params: { _meta: meta(), name: 'search_docs', arguments: { query: '[a-z]+ [0-9]+ zz', mode: 'regex' } },
      });
      c.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason: 'test' } });
      // Counting, not a clock: once its record is written the request is over, and a reply it wrongly sent
      // would be on the wire before the reply to a request sent after that.
      await until(
        "the cancelled request's audit record",
        () => c.auditRecords().filter((a) => a['id'] === id).length,
        1,
        HANG_GUARD_MS,
        c,
      );
      await c.request('tools/list', { _meta: meta() });
      assert.ok(!c.messages.some((m) => m.id === id), 'no reply for the cancelled request');
      assert.ok(c.auditRecords().some((a) => a['id'] === id && a['outcome'] === 'cancelled'));
    } finally {
      await c.close();
    }
  });
});
