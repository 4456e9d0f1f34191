// The signed consent state of the 2026-07-28 era: it carries any document name, and refuses forgery,
// a different request, reuse and age.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequestStates } from '../../src/mcp/stateless_era.ts';
import { createNodeHost } from '../../src/runtime/node_host.ts';

const base = createNodeHost();
let clock = 1_000;
const host = { ...base, now: () => clock };

test('a state for a non-Latin-1 document verifies once, for the same request only', () => {
  const states = createRequestStates(host, 5_000);
  const payload = { method: 'tools/call', digest: 'd1', subject: 'docs:说明/机密 😀.md:12' };
  const state = states.issue(payload);
  assert.match(state, /^[A-Za-z0-9_-]+\.[0-9a-f]{64}$/);
  assert.deepEqual(states.verify(state, { ...payload, subject: 'docs:说明/其他.md:12' }), {
    ok: false,
    reason: 'issued for a different request',
  });
  assert.deepEqual(states.verify(state, payload), { ok: true });
  assert.deepEqual(states.verify(state, payload), { ok: false, reason: 'already used' });
});

test('a forged, malformed or expired state is refused with its reason', () => {
  const states = createRequestStates(host, 5_000);
  const payload = { method: 'resources/read', digest: 'd2', subject: 'docs:ünïcødé.md:3' };
  const state = states.issue(payload);
  const [body, mac] = state.split('.') as [string, string];
  const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), exp: 9e15 }))
    .toString('base64url');
  assert.deepEqual(states.verify(`${forged}.${mac}`, payload), { ok: false, reason: 'bad signature' });
  assert.deepEqual(states.verify('no-dot', payload), { ok: false, reason: 'malformed' });
  assert.deepEqual(states.verify(`${body}.${'0'.repeat(64)}`, payload), { ok: false, reason: 'bad signature' });
  const other = createRequestStates(host, 5_000);
  assert.deepEqual(other.verify(state, payload), { ok: false, reason: 'bad signature' }, 'the key is per process');
  clock += 5_001;
  assert.deepEqual(states.verify(state, payload), { ok: false, reason: 'expired' });
});

test('the single-use memory never forgets an unexpired state: when full, a new answer is refused, not a replay accepted', () => {
  const states = createRequestStates(host, 60_000);
  const payload = { method: 'tools/call', digest: 'd3', subject: 'docs:a.md:1' };
  const issued = Array.from({ length: 10_001 }, () => states.issue(payload));
  for (const s of issued.slice(0, 10_000)) assert.deepEqual(states.verify(s, payload), { ok: true });
  assert.deepEqual(
    states.verify(issued[0] as string, payload),
    { ok: false, reason: 'already used' },
    'the oldest is still remembered',
  );
  assert.deepEqual(states.verify(issued[10_000] as string, payload), {
    ok: false,
    reason: 'too many answers pending (10000); retry once older ones expire',
  });
  clock += 60_001;
  const fresh = states.issue(payload);
  assert.deepEqual(states.verify(fresh, payload), { ok: true }, 'expired nonces make room');
});
