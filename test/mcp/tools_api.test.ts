// tools/list and tools/call (src/mcp/tools_api.ts) with the real tool table on real files: what each
// protocol version sees, which failures are isError results and which JSON-RPC errors, the rate limit
// counting malformed calls too, the reply limit, and policy refusals that say no more than "not allowed".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RpcError } from '../../src/jsonrpc/codes.ts';
import { type CallAudit, callTool, listTools } from '../../src/mcp/tools_api.ts';
import { featuresOf, type ProtocolVersion } from '../../src/mcp/versions.ts';
import { createRateLimiter } from '../../src/policy/rate_limit.ts';
import { type Json, partsFor, servicesOf, toolContext } from '../helpers/in_process.ts';

const p = await partsFor({ 'a.md': '# A\n\nalpha\n', 'big.md': 'word '.repeat(20_000), '.env': 'K=v\n' });
const s = servicesOf(p);

function deps(version: ProtocolVersion, o: { perMinute?: number; burst?: number; responseBytes?: number } = {}) {
  const limiter = createRateLimiter({ perMinute: o.perMinute ?? 0, burst: o.burst ?? 10, now: p.host.now });
  const limits = { callsPerMinute: o.perMinute ?? 0, burst: o.burst ?? 10, responseBytes: o.responseBytes ?? 100_000 };
  return { table: s.tools, features: featuresOf(version), limiter, limits };
}

async function call(d: ReturnType<typeof deps>, name: unknown, args?: unknown) {
  const audit: CallAudit = {};
  try {
    const r = await callTool(d, { name, arguments: args }, toolContext(s), audit);
    return { r, audit, error: null };
  } catch (err) {
    assert.ok(err instanceof RpcError, String(err));
    return { r: null, audit, error: err };
  }
}
const text = (r: Json | null) => String((r?.['content'] as Json[] | undefined)?.[0]?.['text']);

test('tools/list: six tools, annotations from 2025-03-26, titles and output schemas from 2025-06-18', () => {
  const old = listTools(s.tools, featuresOf('2024-11-05'), undefined) as { tools: Json[] };
  assert.equal(old.tools.length, 6);
  assert.deepEqual(Object.keys(old.tools[0] ?? {}), ['name', 'description', 'inputSchema']);
  const mid = listTools(s.tools, featuresOf('2025-03-26'), undefined) as { tools: Json[] };
  assert.deepEqual((mid.tools[0]?.['annotations'] as Json)['readOnlyHint'], true);
  const now = listTools(s.tools, featuresOf('2025-06-18'), undefined) as { tools: Json[] };
  assert.ok(now.tools.every((t) => typeof t['title'] === 'string'));
  const withSchema = now.tools.filter((t) => t['outputSchema'] !== undefined).map((t) => t['name']);
  assert.deepEqual(withSchema.length, 5, "read_doc's page travels once, in the text");
  assert.throws(() => listTools(s.tools, featuresOf('2025-06-18'), { cursor: 'x' }), /single page/);
});

test('a missing or unknown tool name is a -32602 error naming the tools there are', async () => {
  const d = deps('2025-11-25');
  assert.match((await call(d, 5)).error?.message ?? '', /needs a string `name`/);
  const unknown = await call(d, 'write_doc');
  assert.equal(unknown.error?.code, -32602);
  assert.match(unknown.error?.message ?? '', /Unknown tool "write_doc"; available: list_docs, read_doc, search_docs/);
  assert.match((await call(d, 'read_doc', [1])).error?.message ?? '', /`arguments` must be an object/);
});

test('bad arguments: an isError result from 2025-11-25 on, a -32602 error before; both recorded as refused', async () => {
  const now = await call(deps('2025-11-25'), 'read_doc', { path: 5 });
  assert.equal(now.r?.['isError'], true);
  assert.match(text(now.r), /^Invalid arguments for read_doc: `path` must be a string \(got a number\)$/);
  const old = await call(deps('2025-06-18'), 'read_doc', { path: 5 });
  assert.equal(old.error?.code, -32602);
  for (const a of [now.audit, old.audit]) assert.deepEqual([a.outcome, a.reason], ['refused', 'invalid_argument']);
});

test('the rate limit counts every call of a known tool, malformed or not, and names the limit', async () => {
  const d = deps('2025-11-25', { perMinute: 1, burst: 2 });
  await call(d, 'doc_info', { nonsense: true });
  await call(d, 'doc_info', { path: 'a.md' });
  const third = await call(d, 'doc_info', { path: 'a.md' });
  assert.match(
    text(third.r),
    /^Rate limit reached for doc_info: 1 calls per minute, burst 2 \(limits.callsPerMinute\)/,
  );
  assert.deepEqual([third.audit.outcome, third.audit.reason], ['refused', 'rate_limited']);
  assert.equal((await call(d, 'list_docs', {})).r?.['isError'], undefined, 'each tool has its own bucket');
});

test('a result over limits.responseBytes is refused with its size and the limit', async () => {
  const r = await call(deps('2025-11-25', { responseBytes: 4096 }), 'read_doc', { path: 'big.md' });
  assert.match(text(r.r), /^Cannot reply: the result is \d+ bytes, over the 4096-byte reply limit/);
  assert.equal(r.audit.reason, 'result_too_large');
  assert.ok((r.audit.bytes ?? 0) > 4096);
});

test('a policy refusal says "not found or not allowed"; the precise reason stays in the audit fields', async () => {
  const denied = await call(deps('2025-11-25'), 'doc_info', { path: '.env' });
  const missing = await call(deps('2025-11-25'), 'doc_info', { path: 'none.md' });
  assert.equal(text(denied.r), text(missing.r));
  assert.equal(text(denied.r), 'Cannot describe: not found or not allowed');
  assert.deepEqual([denied.audit.outcome, denied.audit.reason], ['denied', 'denied_pattern']);
  assert.equal(missing.audit.reason, 'not_found');
});

test('a forged cursor is -32602 where bad arguments are errors, an isError result where they are results', async () => {
  const old = await call(deps('2025-06-18'), 'list_docs', { cursor: 'forged' });
  assert.deepEqual([old.error?.code, old.error?.reason], [-32602, 'invalid_cursor']);
  const now = await call(deps('2025-11-25'), 'list_docs', { cursor: 'forged' });
  assert.equal(now.r?.['isError'], true);
});

test('results: text only before 2025-06-18; structured content and resource links after', async () => {
  const old = await call(deps('2025-03-26'), 'find_docs', { pattern: '*.md' });
  assert.deepEqual(Object.keys(old.r ?? {}), ['content']);
  assert.equal((old.r?.['content'] as Json[]).length, 1);
  const now = await call(deps('2025-06-18'), 'find_docs', { pattern: '*.md' });
  const links = (now.r?.['content'] as Json[]).filter((c) => c['type'] === 'resource_link');
  assert.deepEqual(links.map((l) => l['uri']).sort(), ['docs://docs/a.md', 'docs://docs/big.md']);
  assert.ok(now.r?.['structuredContent']);
  assert.deepEqual([now.audit.outcome, now.audit.tool], ['ok', 'find_docs']);
  assert.equal(now.audit.bytes, Buffer.byteLength(JSON.stringify(now.r)));
});
