// The request queue (src/mcp/request_run.ts) with handlers written here: at most limits.inFlight run at
// once, stdin pauses while the queue or the unwritten replies are too long, the deadline ends a call
// that waits or that ran past it without yielding, and cancellation and shutdown end calls without a reply.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequestQueue, type Pending, type Settled } from '../../src/mcp/request_run.ts';
import type { RequestScope } from '../../src/mcp/methods.ts';
import { createNodeHost } from '../../src/runtime/node_host.ts';
import { createMessageWriter } from '../../src/transport/writer.ts';
import type { Era } from '../../src/mcp/era.ts';
import { featuresOf } from '../../src/mcp/versions.ts';

type Handler = (scope: RequestScope) => Promise<unknown>;

/** What the client would be sent: the error's code and message, or the result. */
function replyOf(s: Settled | undefined): string {
  const r = s?.ending.reply;
  return r && 'error' in r ? `${r.error.code} ${r.error.message}` : JSON.stringify(r);
}

/** A queue on the real host (clock and stdin flow observable) whose writer's stdout waits for `release`. */
function queueWith(handlers: Record<string, Handler>, limits = { inFlight: 2, deadlineMs: 60_000 }) {
  const flow = { paused: 0, resumed: 0 };
  let clock = 0;
  const stalled: (() => void)[] = [];
  const host = {
    ...createNodeHost(),
    now: () => clock,
    pauseStdin: () => void flow.paused++,
    resumeStdin: () => void flow.resumed++,
    writeStdout: () => new Promise<void>((r) => stalled.push(r)),
  };
  const writer = createMessageWriter(host);
  const ended = new Map<unknown, Settled>();
  const q = createRequestQueue(host, limits, new Map(Object.entries(handlers)), writer, (p, s) => ended.set(p.id, s));
  const context = {
    features: featuresOf('2025-11-25'),
    log: () => undefined,
    askConsent: async () => 'unsupported' as const,
    ready: async () => undefined,
  };
  const push = (id: number, method: string, bytes = 10) =>
    q.push({ id, method, params: undefined, received: 0, era: {} as Era, context, respond: () => undefined, bytes });
  const advance = (ms: number) => (clock += ms);
  const release = () => stalled.splice(0).forEach((r) => r());
  return { q, flow, ended, push, advance, writer, release };
}

/** A handler that waits until `open()` is called; counts how many run at once. */
function gate() {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((r) => (open = r));
  const seen = { running: 0, most: 0 };
  const handler: Handler = async () => {
    seen.most = Math.max(seen.most, ++seen.running);
    await opened;
    seen.running--;
    return { ok: true };
  };
  return { handler, open, seen };
}

test('at most limits.inFlight handlers run at once; the rest wait their turn and all finish', async () => {
  const g = gate();
  const t = queueWith({ slow: g.handler });
  for (let i = 1; i <= 5; i++) t.push(i, 'slow');
  await new Promise((r) => setImmediate(r));
  assert.equal(g.seen.running, 2);
  assert.equal(t.q.busy(), true);
  assert.equal(t.q.has(5), true);
  g.open();
  await t.q.drain();
  assert.equal(g.seen.most, 2);
  assert.deepEqual([...t.ended.values()].map((s) => s.ending.outcome), ['ok', 'ok', 'ok', 'ok', 'ok']);
  assert.equal(t.q.busy(), false);
});

// An unknown method never reaches the queue: both eras refuse it at admission (test/mcp/handshake_era.test.ts,
// test/mcp/stateless_era.test.ts, and through the real bundle test/e2e/protocol_lifecycle.test.ts).
test('a thrown error ends as an internal error, its detail only in the audit record', async () => {
  const t = queueWith({ boom: async () => Promise.reject(new Error('secret detail')) });
  t.push(2, 'boom');
  await t.q.drain();
  const boom = t.ended.get(2)?.ending;
  assert.equal(boom?.outcome, 'error');
  assert.equal(boom?.detail, 'Error: secret detail');
  assert.equal(replyOf(t.ended.get(2)), '-32603 Internal error', 'the detail stays in the audit record');
});

test('the deadline ends a call that waits, and one that ran past it without yielding is late, not a success', async () => {
  const hung = new Promise<never>(() => undefined);
  const t = queueWith({ wait: () => hung }, { inFlight: 2, deadlineMs: 100 });
  const hog = queueWith({ hog: async () => (hog.advance(100), { done: true }) }, { inFlight: 2, deadlineMs: 100 });
  t.push(1, 'wait');
  hog.push(1, 'hog');
  await Promise.all([t.q.drain(), hog.q.drain()]);
  for (const ended of [t.ended.get(1), hog.ended.get(1)]) {
    assert.equal(ended?.ending.reason, 'deadline');
    assert.match(replyOf(ended), /^-32005 Cannot finish: the call ran past the 100 ms deadline \(limits.deadlineMs\)/);
  }
});

/** One slot: call 1 runs (until `open`), call 2 waits. */
async function oneRunningOneQueued() {
  const g = gate();
  const t = queueWith({ slow: g.handler }, { inFlight: 1, deadlineMs: 60_000 });
  t.push(1, 'slow');
  t.push(2, 'slow');
  await new Promise((r) => setImmediate(r));
  return { ...t, open: g.open };
}

test('cancel: a running call ends with no reply, a queued one is handed back and never runs', async () => {
  const t = await oneRunningOneQueued();
  assert.equal(t.q.cancel(2)?.id, 2);
  assert.equal(t.q.cancel(1), undefined, 'a running call is aborted in place');
  await t.q.drain();
  assert.deepEqual(t.ended.get(1)?.cancelled, true);
  assert.equal(t.ended.get(1)?.ending.reply, null);
  assert.equal(t.ended.has(2), false);
  assert.equal(t.q.cancel(99), undefined);
});

test('a full queue pauses stdin and resumes it once half has drained', async () => {
  const g = gate();
  const t = queueWith({ slow: g.handler }, { inFlight: 1, deadlineMs: 60_000 }); // queue bound: 16
  for (let i = 1; i <= 17; i++) t.push(i, 'slow');
  assert.equal(t.flow.paused, 1);
  assert.equal(t.flow.resumed, 0);
  g.open();
  await t.q.drain();
  assert.equal(t.flow.resumed, 1);
});

test('queued lines over 4 MiB pause stdin even when the queue is short', () => {
  const g = gate();
  const t = queueWith({ slow: g.handler }, { inFlight: 1, deadlineMs: 60_000 });
  t.push(1, 'slow');
  t.push(2, 'slow', 5 * 1024 * 1024);
  assert.equal(t.flow.paused, 1);
});

test('unwritten replies over 1 MiB hold back new work until the reader catches up', async () => {
  const ran: number[] = [];
  const t = queueWith({ note: async (s) => void ran.push(Number(s.params?.['n'] ?? 0)) });
  t.writer.send({ big: 'x'.repeat(1024 * 1024 + 10) });
  t.push(1, 'note');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual([ran.length, t.flow.paused], [0, 1], 'nothing runs while a slow reader owes 1 MiB');
  t.release();
  await t.q.drain();
  assert.equal(t.ended.get(1)?.ending.outcome, 'ok');
});

test('shutdown hands queued calls to `drop` and aborts running ones', async () => {
  const t = await oneRunningOneQueued();
  const dropped: Pending[] = [];
  await t.q.abortAll(1000, (p) => dropped.push(p));
  assert.deepEqual(dropped.map((p) => p.id), [2]);
  assert.equal(t.ended.get(1)?.ending.reason, 'cancelled');
  t.push(3, 'slow');
  await new Promise((r) => setImmediate(r));
  assert.equal(t.ended.has(3), false, 'nothing new starts after shutdown');
});
