// The handshake era (src/mcp/handshake_era.ts) on real services: initialize negotiates and declares only
// what the version defines, the era admits or refuses each later request, and notifications/initialized
// starts the session's own requests (roots) once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RpcError } from '../../src/jsonrpc/codes.ts';
import { createNotifier } from '../../src/mcp/notifier.ts';
import { instructionsFor, serverInfoFor, startHandshake } from '../../src/mcp/handshake_era.ts';
import { featuresOf } from '../../src/mcp/versions.ts';
import { type Json, partsFor, servicesOf, statelessMeta } from '../helpers/in_process.ts';

const p = await partsFor({ 'a.md': '# A\n' });

function start(params: Json | undefined, hasMethod = (m: string) => m === 'tools/list' || m === 'logging/setLevel') {
  const sent: Json[] = [];
  const services = servicesOf(p, sent);
  const notifier = createNotifier((m) => sent.push(m as Json), 'debug', p.host.now);
  return { sent, notifier, ...startHandshake(params, services, notifier, hasMethod) };
}
const init = (
  protocolVersion: unknown,
  capabilities: Json = {},
  clientInfo: unknown = { name: 'c', version: '1' },
) => ({
  protocolVersion,
  capabilities,
  clientInfo,
});

test('initialize needs a string protocolVersion and counter-offers the latest for an unknown one', () => {
  assert.throws(() => start({}), (e: unknown) => e instanceof RpcError && e.code === -32602);
  assert.throws(() => start(undefined), /needs a string `protocolVersion`/);
  assert.equal(start(init('1999-01-01')).handshake.result.protocolVersion, '2025-11-25');
  assert.equal(start(init('2024-11-05')).era.version, '2024-11-05');
});

test('the result declares per version: completions from 2025-03-26, title 2025-06-18, description 2025-11-25', () => {
  const old = start(init('2024-11-05')).handshake.result;
  assert.deepEqual(Object.keys(old.capabilities).sort(), ['logging', 'resources', 'tools']);
  assert.deepEqual(old.serverInfo['title'], undefined);
  const mid = start(init('2025-06-18')).handshake.result;
  assert.ok('completions' in mid.capabilities);
  assert.equal(typeof mid.serverInfo['title'], 'string');
  assert.equal(mid.serverInfo['description'], undefined);
  assert.equal(typeof serverInfoFor(featuresOf('2025-11-25'))['description'], 'string');
  assert.match(old.instructions, /documentation roots: docs \(default: docs\)/);
  assert.match(instructionsFor([]), /\(default: none\)/);
});

test('clientInfo is kept short and only as strings', () => {
  const long = start(init('2025-11-25', {}, { name: 'n'.repeat(500), version: 7 })).handshake.clientInfo;
  assert.deepEqual(long, { name: 'n'.repeat(100), version: 'unknown' });
  assert.deepEqual(start(init('2025-11-25', {}, 'x')).handshake.clientInfo, { name: 'unknown', version: 'unknown' });
});

test('admit: ping answered, a second initialize, discover, stateless _meta and unknown methods refused', () => {
  const { era } = start(init('2025-11-25'));
  assert.deepEqual(era.admit('ping', undefined), { kind: 'answer', result: {} });
  const refused = (method: string, params?: Json) => {
    const a = era.admit(method, params);
    assert.equal(a.kind, 'refuse', method);
    return a.kind === 'refuse' ? a.error : assert.fail();
  };
  assert.deepEqual([refused('initialize').code, refused('initialize').reason], [-32600, 'second_initialize']);
  assert.equal(refused('server/discover').code, -32601);
  assert.equal(refused('tools/list', { _meta: statelessMeta() }).reason, 'era_switch');
  const unknown = refused('x'.repeat(200));
  assert.equal(unknown.code, -32601);
  assert.ok(unknown.message.length < 100, 'the method name is cut');
  for (const m of ['tools/list', 'logging/setLevel']) assert.equal(era.admit(m, undefined).kind, 'run');
  assert.equal(era.batches, false);
  assert.equal(start(init('2025-03-26')).era.batches, true);
  assert.deepEqual(era.finish('tools/list', { a: 1 }), { a: 1 });
});

test('notifications/initialized enables logging and asks for roots once; list_changed asks again', async () => {
  const s = start(init('2025-11-25', { roots: {} }));
  s.notifier.log('error', 't', 'before initialized');
  assert.equal(s.sent.length, 0, 'no log message before the session is initialized');
  s.era.notification('notifications/initialized', undefined);
  s.era.notification('notifications/initialized', undefined);
  s.notifier.log('error', 't', 'after');
  const methods = () => s.sent.map((m) => m['method']);
  assert.deepEqual(methods(), ['roots/list', 'notifications/message']);
  s.era.notification('notifications/roots/list_changed', undefined);
  assert.deepEqual(methods().filter((m) => m === 'roots/list').length, 1, 'folded while the first is unanswered');
  const none = start(init('2025-11-25'));
  none.era.notification('notifications/initialized', undefined);
  assert.deepEqual(none.sent, [], 'a client without the roots capability is never asked');
});
