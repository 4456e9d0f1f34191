// The 2026-07-28 era (src/mcp/stateless_era.ts) on real services: every request's _meta is checked, removed
// methods answer -32601, results carry resultType, caching hints and serverInfo, and consent is an
// input-required result whose signed requestState must come back with the answer, once, for the same call.
// (The state codec itself: test/mcp/request_state.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputRequired } from '../../src/mcp/era.ts';
import { RpcError } from '../../src/jsonrpc/codes.ts';
import { createStatelessEra } from '../../src/mcp/stateless_era.ts';
import { type Json, partsFor, servicesOf, statelessMeta } from '../helpers/in_process.ts';

const p = await partsFor({ 'a.md': '# A\n' });
const sent: Json[] = [];
const era = createStatelessEra(p.host, servicesOf(p), p.audit, (m) => sent.push(m as Json), (m) => m === 'tools/call');
const DOC = { tool: 'read_doc', root: 'docs', path: '说明.md', size: 12 };

function refusal(method: string, params: Json | undefined): RpcError {
  const a = era.admit(method, params);
  assert.equal(a.kind, 'refuse', JSON.stringify(a));
  return a.kind === 'refuse' ? a.error : assert.fail();
}

/** The consent function the era hands a tools/call with these params. */
function consentFor(params: Json) {
  const a = era.admit('tools/call', params);
  assert.equal(a.kind, 'run');
  return a.kind === 'run' ? a.context.askConsent : assert.fail();
}

test('_meta is required with a version and capabilities; another version is -32022 with the supported ones', () => {
  assert.match(refusal('tools/call', undefined).message, /carry params._meta/);
  assert.match(
    refusal('tools/call', { _meta: { x: 1 } }).message,
    /missing "io.modelcontextprotocol\/protocolVersion"/,
  );
  const noCaps = { _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' } };
  assert.match(
    refusal('tools/call', noCaps).message,
    /missing the object "io.modelcontextprotocol\/clientCapabilities"/,
  );
  const other = refusal('tools/call', {
    _meta: statelessMeta({}, { 'io.modelcontextprotocol/protocolVersion': '2030-01-01' }),
  });
  assert.equal(other.code, -32022);
  assert.ok(((other.data as Json)['supported'] as string[]).includes('2025-11-25'));
  const level = { _meta: statelessMeta({}, { 'io.modelcontextprotocol/logLevel': 'loud' }) };
  assert.match(refusal('tools/call', level).message, /must be one of debug/);
});

test('discover is answered; removed and unknown methods are -32601', () => {
  const meta = { _meta: statelessMeta() };
  const d = era.admit('server/discover', meta);
  assert.equal(d.kind, 'answer');
  for (const m of ['initialize', 'ping', 'logging/setLevel', 'resources/subscribe']) {
    assert.equal(refusal(m, meta).reason, 'removed_method', m);
  }
  assert.equal(refusal('tools/list', meta).reason, 'unknown_method'); // hasMethod says only tools/call here
});

test('results carry resultType, caching hints for complete results only, and serverInfo in _meta', () => {
  const listed = era.finish('tools/list', { tools: [], _meta: { keep: 1 } }) as Json;
  assert.equal(listed['resultType'], 'complete');
  assert.deepEqual([listed['ttlMs'], listed['cacheScope']], [300_000, 'public']);
  assert.equal((listed['_meta'] as Json)['keep'], 1);
  assert.equal(((listed['_meta'] as Json)['io.modelcontextprotocol/serverInfo'] as Json)['name'], 'docwarden');
  const pending = era.finish('resources/read', { resultType: 'input_required' }) as Json;
  assert.equal(pending['ttlMs'], undefined);
  assert.equal((era.finish('resources/read', {}) as Json)['ttlMs'], 0);
});

test('log messages go out only when the request asked for a level', () => {
  const quiet = era.admit('tools/call', { _meta: statelessMeta() });
  const loud = era.admit('tools/call', { _meta: statelessMeta({}, { 'io.modelcontextprotocol/logLevel': 'info' }) });
  assert.ok(quiet.kind === 'run' && loud.kind === 'run');
  sent.length = 0;
  quiet.context.log('error', 't', 'x');
  loud.context.log('debug', 't', 'below');
  loud.context.log('warning', 't', 'y');
  assert.deepEqual(sent.map((m) => (m['params'] as Json)['level']), ['warning']);
});

test('consent without the elicitation capability is -32021 and nothing is read', async () => {
  const ask = consentFor({ name: 'read_doc', arguments: { path: '说明.md' }, _meta: statelessMeta() });
  await assert.rejects(ask(DOC), (e: unknown) => e instanceof RpcError && e.code === -32021);
});

test('consent: input required, then the same call with the state and a yes is accepted once', async () => {
  const call = { name: 'read_doc', arguments: { path: '说明.md' }, _meta: statelessMeta({ elicitation: {} }) };
  let state = '';
  await assert.rejects(consentFor(call)(DOC), (e: unknown) => {
    assert.ok(e instanceof InputRequired);
    state = String(e.result['requestState']);
    assert.match(JSON.stringify(e.result['inputRequests']), /"method":"elicitation\/create".*"mode":"form"/);
    return true;
  });
  const yes = { confirm_read: { action: 'accept', content: { allow: true } } };
  const other = { ...call, arguments: { path: 'other.md' }, requestState: state, inputResponses: yes };
  await assert.rejects(consentFor(other)(DOC), /requestState issued for a different request/);
  const retry = { ...call, requestState: state, inputResponses: yes };
  assert.equal(await consentFor(retry)(DOC), 'accepted');
  await assert.rejects(consentFor(retry)(DOC), /requestState already used/);
  await assert.rejects(consentFor({ ...retry, requestState: 5 })(DOC), /must be the string from the input-required/);
  const reasons = p.records().filter((r) => r['event'] === 'consent').map((r) => r['reason']);
  for (const r of ['asked', 'request_state_issued_for_a_different_request', 'accepted', 'request_state_already_used']) {
    assert.ok(reasons.includes(r), `${r} in ${reasons}`);
  }
});

test('consent: a "no" is declined; a malformed answer is refused with what it must be', async () => {
  const call = { name: 'read_doc', arguments: {}, _meta: statelessMeta({ elicitation: {} }) };
  const stateOf = async () => {
    try {
      await consentFor(call)(DOC);
    } catch (e) {
      if (e instanceof InputRequired) return String(e.result['requestState']);
    }
    return assert.fail('no input-required result');
  };
  const no = { confirm_read: { action: 'decline' } };
  assert.equal(await consentFor({ ...call, requestState: await stateOf(), inputResponses: no })(DOC), 'declined');
  const bad = { ...call, requestState: await stateOf(), inputResponses: { confirm_read: 'yes' } };
  await assert.rejects(consentFor(bad)(DOC), /`inputResponses.confirm_read` must be an elicitation result/);
});
