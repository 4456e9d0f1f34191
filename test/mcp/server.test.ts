// The message loop in this process (src/mcp/server.ts): the first message picks the era, framing errors
// are answered with the limit they broke, batches only where the negotiated version has them, a
// cancelled request gets no reply, shutdown answers what waits, and every request leaves one audit record.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialize, type Json, loopOf, partsFor, statelessMeta } from '../helpers/in_process.ts';

const FILES = { 'a.md': '# A\n\nalpha text\n' };
const call = (id: number, name: string, args: Json = {}) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args },
});
const errorOf = (m: Json) => m['error'] as { code: number; message: string };

test('before any era: ping is answered, anything else must initialize or carry the stateless _meta', async () => {
  const p = await partsFor(FILES);
  const l = loopOf(p);
  l.send({ jsonrpc: '2.0', id: 1, method: 'ping' }, { jsonrpc: '2.0', id: 2, method: 'tools/list' });
  assert.deepEqual((await l.reply(1))['result'], {});
  const refused = errorOf(await l.reply(2));
  assert.equal(refused.code, -32602);
  assert.match(refused.message, /send initialize first, or carry the 2026-07-28/);
  const rec = p.records().find((r) => r['id'] === 2);
  assert.equal(rec?.['reason'], 'not_initialized');
  assert.equal(rec?.['outcome'], 'refused');
});

test('initialize fixes the handshake era: a second initialize and a stateless request are refused', async () => {
  const p = await partsFor(FILES);
  const l = loopOf(p);
  l.send(initialize(1, '2025-06-18'));
  assert.equal(((await l.reply(1))['result'] as Json)['protocolVersion'], '2025-06-18');
  l.send(initialize(2), { jsonrpc: '2.0', id: 3, method: 'tools/list', params: { _meta: statelessMeta() } });
  assert.equal(errorOf(await l.reply(2)).code, -32600);
  assert.match(errorOf(await l.reply(3)).message, /speaks the initialize handshake \(2025-06-18\)/);
  l.send({ jsonrpc: '2.0', id: 4, method: 'tools/list' });
  assert.equal((((await l.reply(4))['result'] as Json)['tools'] as Json[]).length, 6);
  const requests = p.records().filter((r) => r['event'] === 'request');
  assert.deepEqual(requests.map((r) => r['id']), [1, 2, 3, 4], 'one record per request');
});

test('a request carrying the stateless _meta picks the 2026-07-28 era, whose results say so', async () => {
  const p = await partsFor(FILES);
  const l = loopOf(p);
  l.send({ jsonrpc: '2.0', id: 'd', method: 'server/discover', params: { _meta: statelessMeta() } });
  assert.ok(((await l.reply('d'))['result'] as Json)['supportedVersions']);
  l.send(initialize(1)); // discover did not commit the process
  assert.ok((await l.reply(1))['result']);
  const q = await partsFor(FILES);
  const s = loopOf(q);
  s.send({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: statelessMeta() } });
  assert.equal(((await s.reply(1))['result'] as Json)['resultType'], 'complete');
  s.send({ ...initialize(2), params: { _meta: statelessMeta() } });
  assert.equal(errorOf(await s.reply(2)).code, -32601, 'initialize does not exist in the stateless era');
});

test('frames that are not requests: parse errors, bad UTF-8 and oversize lines are answered and recorded', async () => {
  const p = await partsFor(FILES, { limits: { lineBytes: 1024 } });
  const l = loopOf(p);
  l.send('{not json');
  l.server.onFrame({ kind: 'bad_utf8' });
  const head = new TextEncoder().encode('{"jsonrpc":"2.0","id":77,"method":"tools/call","params":{"x":"');
  l.server.onFrame({ kind: 'oversize', bytes: 5000, head });
  const big = errorOf(await l.reply(77));
  assert.equal(big.code, -32600);
  assert.match(big.message, /5000 bytes, over the 1024-byte line limit \(limits\.lineBytes\)/);
  const parse = p.stdout.filter((m) => !('id' in m)).map((m) => errorOf(m));
  assert.deepEqual(parse.map((e) => e.code), [-32700, -32700]);
  assert.match(parse[1]?.message ?? '', /invalid UTF-8/);
  const reasons = p.records().map((r) => r['reason']);
  assert.ok(reasons.includes('line_too_large') && reasons.includes('invalid UTF-8'), JSON.stringify(reasons));
});

test('batches: one array reply under 2025-03-26, each member refused under other versions', async () => {
  const p = await partsFor(FILES);
  const l = loopOf(p);
  l.send(initialize(1, '2025-03-26'));
  await l.reply(1);
  l.send([{ jsonrpc: '2.0', id: 2, method: 'ping' }, { jsonrpc: '2.0', id: 3, method: 'tools/list' }]);
  for (let i = 0; i < 1000 && !p.stdout.some(Array.isArray); i++) await new Promise((r) => setTimeout(r, 5));
  const batch = p.stdout.find(Array.isArray) as unknown as Json[];
  assert.deepEqual(batch.map((m) => m['id']).sort(), [2, 3]);
  const q = await partsFor(FILES);
  const m = loopOf(q);
  m.send(initialize(1));
  await m.reply(1);
  m.send([{ jsonrpc: '2.0', id: 2, method: 'ping' }]);
  assert.match(errorOf(await m.reply(2)).message, /batches are accepted only under protocol version 2025-03-26/);
  assert.equal(q.stdout.some(Array.isArray), false);
});

/** One slot, a call running and one queued: the client declares roots and never answers roots/list, so each
 * call waits (up to 5 s) for its roots. */
async function twoCallsWaiting() {
  const p = await partsFor(FILES, { limits: { inFlight: 1 } });
  const l = loopOf(p);
  l.send(initialize(1, '2025-11-25', { roots: {} }), { jsonrpc: '2.0', method: 'notifications/initialized' });
  await l.reply(1);
  l.send(call(2, 'doc_info', { path: 'a.md' }), call(3, 'doc_info', { path: 'a.md' }));
  return { p, l };
}

test('a cancelled request gets no reply and one cancelled record; a queued one is dropped', async () => {
  const { p, l } = await twoCallsWaiting();
  l.send(call(2, 'doc_info', { path: 'a.md' }));
  assert.match(errorOf(await l.reply(2)).message, /already in use by a request in flight/);
  const cancel = (id: number) => ({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id } });
  l.send(cancel(3), cancel(2), { jsonrpc: '2.0', id: 4, method: 'ping' });
  await l.reply(4);
  await l.server.drain();
  assert.equal(p.stdout.filter((m) => m['id'] === 2).length, 1, 'only the duplicate-id refusal');
  assert.equal(p.stdout.some((m) => m['id'] === 3), false);
  const cancelled = p.records().filter((r) => r['outcome'] === 'cancelled').map((r) => r['id']);
  assert.deepEqual(cancelled.sort(), [2, 3]);
});

test('shutdown answers queued requests "Server is shutting down", records why, and refuses new ones', async () => {
  const { p, l } = await twoCallsWaiting();
  await l.server.abortAll('sigterm');
  l.send({ jsonrpc: '2.0', id: 5, method: 'ping' });
  assert.match(errorOf(await l.reply(3)).message, /Server is shutting down/);
  assert.match(errorOf(await l.reply(5)).message, /Server is shutting down/);
  const records = p.records().filter((r) => r['event'] === 'request');
  assert.equal(records.find((r) => r['id'] === 3)?.['reason'], 'sigterm');
  assert.equal(records.find((r) => r['id'] === 5)?.['reason'], 'shutdown');
});
