// The method table (src/mcp/methods.ts) over real services and files: no file is touched before the
// era says the client's roots are known, a reply carrying redactions says how many and records them,
// resources/read has its own rate limit, logging/setLevel takes only MCP levels, progress goes out only
// for a token the client sent and stops once the call is cancelled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMethodTable, type RequestScope } from '../../src/mcp/methods.ts';
import { featuresOf } from '../../src/mcp/versions.ts';
import { RpcError } from '../../src/jsonrpc/codes.ts';
import { type Json, partsFor, servicesOf } from '../helpers/in_process.ts';

const SECRET = 'ghp_' + 'aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG5';

async function table(settings: Json = {}, more: Record<string, string> = {}) {
  const p = await partsFor({ 'a.md': `# A\n\ntoken ${SECRET} and ${SECRET}\n`, 'b.md': 'plain\n', ...more }, settings);
  const sent: Json[] = [];
  const s = servicesOf(p, sent);
  const methods = createMethodTable(s, (m) => sent.push(m as Json));
  const run = (method: string, params?: Json, o: { ready?: Promise<void>; signal?: AbortSignal } = {}) => {
    const scope: RequestScope = {
      method,
      params,
      signal: o.signal ?? new AbortController().signal,
      audit: {},
      touched: [],
      context: {
        features: featuresOf('2025-11-25'),
        log: () => undefined,
        askConsent: async () => 'unsupported',
        ready: () => o.ready ?? Promise.resolve(),
      },
    };
    const handler = methods.get(method);
    assert.ok(handler, method);
    return { scope, result: handler(scope) as Promise<Json> };
  };
  return { p, s, sent, methods, run };
}

test('the table holds the shared methods only; inherited names are not methods', async () => {
  const { methods } = await table();
  const names = [...methods.keys()].sort();
  assert.deepEqual(names, [
    'completion/complete',
    'logging/setLevel',
    'resources/list',
    'resources/read',
    'resources/templates/list',
    'tools/call',
    'tools/list',
  ]);
  for (const m of ['__proto__', 'toString', 'constructor']) assert.equal(methods.get(m), undefined);
});

test('a tool call touches no file before the era says the roots are known', async () => {
  const { run } = await table();
  let open: () => void = () => undefined;
  const ready = new Promise<void>((r) => (open = r));
  const { scope, result } = run('tools/call', { name: 'doc_info', arguments: { path: 'b.md' } }, { ready });
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(scope.touched, []);
  open();
  await result;
  assert.deepEqual(scope.touched, ['docs:b.md']);
});

test('a reply with redacted secrets says how many by family, in _meta and in the audit fields', async () => {
  const { run } = await table();
  const { scope, result } = run('tools/call', { name: 'read_doc', arguments: { path: 'a.md' } });
  const r = await result;
  assert.equal(JSON.stringify(r).includes(SECRET), false);
  assert.deepEqual((r['_meta'] as Json)['io.github.docwarden/redacted'], { 'github-token': 2 });
  assert.deepEqual(scope.audit.redacted, [{ family: 'github-token', count: 2 }]);
  const plain = run('tools/call', { name: 'read_doc', arguments: { path: 'b.md' } });
  assert.equal((await plain.result)['_meta'], undefined);
  const read = run('resources/read', { uri: 'docs://docs/a.md' });
  assert.deepEqual(((await read.result)['_meta'] as Json)['io.github.docwarden/redacted'], { 'github-token': 2 });
  assert.deepEqual(read.scope.audit.args, { uri: 'docs://docs/a.md' });
});

test('resources/read is rate limited like a tool: -32005 with the limit and when to retry', async () => {
  const { run } = await table({ limits: { callsPerMinute: 1, burst: 1 } });
  await run('resources/read', { uri: 'docs://docs/b.md' }).result;
  await assert.rejects(run('resources/read', { uri: 'docs://docs/b.md' }).result, (e: unknown) => {
    assert.ok(e instanceof RpcError);
    assert.equal(e.code, -32005);
    assert.match(e.message, /Rate limit reached for resources\/read: 1 calls per minute, burst 1/);
    assert.equal((e.data as Json)['limit'], 'limits.callsPerMinute');
    return true;
  });
});

test('logging/setLevel takes an MCP level and refuses anything else by listing them', async () => {
  const { run, s, sent } = await table();
  assert.deepEqual(await run('logging/setLevel', { level: 'error' }).result, {});
  s.notifier.enable();
  s.notifier.log('warning', 't', 'below the level');
  s.notifier.log('error', 't', 'at the level');
  const logged = sent.filter((m) => m['method'] === 'notifications/message').map((m) => (m['params'] as Json)['level']);
  assert.deepEqual(logged, ['error']);
  await assert.rejects(run('logging/setLevel', { level: 'verbose' }).result, /must be one of debug, info, notice/);
});

test("progress goes out for the client's token only, and not once the call is aborted", async () => {
  const many = Object.fromEntries(Array.from({ length: 130 }, (_, i) => [`n/${i}.md`, `plain ${i}\n`]));
  const { run, sent } = await table({}, many); // search reports every 64 files
  const args = { name: 'search_docs', arguments: { query: 'plain' } };
  await run('tools/call', { ...args, _meta: { progressToken: 'tok' } }).result;
  const progress = sent.filter((m) => m['method'] === 'notifications/progress');
  assert.ok(progress.length > 0);
  assert.ok(progress.every((m) => (m['params'] as Json)['progressToken'] === 'tok'));
  sent.length = 0;
  await run('tools/call', args).result;
  assert.equal(sent.length, 0, 'no token, no progress');
  const stop = new AbortController();
  stop.abort();
  await run('tools/call', { ...args, _meta: { progressToken: 'late' } }, { signal: stop.signal }).result.catch(() => 0);
  assert.equal(sent.length, 0);
});
