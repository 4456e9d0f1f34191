import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LOG_LEVELS } from '../../src/config/schema.ts';
import { createNotifier, createProgress, isLogLevel } from '../../src/mcp/notifier.ts';

type Sent = { method: string; params: Record<string, unknown> };

function fakeClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000_000;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

function sink(): { sent: Sent[]; send: (m: unknown) => void } {
  const sent: Sent[] = [];
  return { sent, send: (m) => void sent.push(m as Sent) };
}

test('`isLogLevel()` accepts the eight MCP levels only', () => {
  assert.deepEqual([...LOG_LEVELS], ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency']);
  for (const l of LOG_LEVELS) assert.equal(isLogLevel(l), true);
  for (const l of ['DEBUG', 'warn', 'fatal', '', null, 3, '__proto__']) assert.equal(isLogLevel(l), false);
});

test('`createNotifier()` sends nothing before `enable()` (before the session is initialized)', () => {
  const s = sink();
  const n = createNotifier(s.send, 'debug', fakeClock().now);
  n.log('error', 'x', 'early');
  assert.equal(s.sent.length, 0);
  n.enable();
  n.log('error', 'x', 'late');
  assert.equal(s.sent.length, 1);
});

test('`createNotifier()` sends notifications/message at or above the threshold only', () => {
  const s = sink();
  const n = createNotifier(s.send, 'warning', fakeClock().now);
  n.enable();
  for (const l of LOG_LEVELS) n.log(l, 'docwarden', l);
  assert.deepEqual(s.sent.map((m) => m.params['level']), ['warning', 'error', 'critical', 'alert', 'emergency']);
  const first = s.sent[0] as unknown as Record<string, unknown>;
  assert.deepEqual(first, {
    jsonrpc: '2.0',
    method: 'notifications/message',
    params: { level: 'warning', logger: 'docwarden', data: 'warning' },
  });
});

test('`createNotifier()` `setLevel()` changes the threshold both ways', () => {
  const s = sink();
  const n = createNotifier(s.send, 'warning', fakeClock().now);
  n.enable();
  n.setLevel('debug');
  n.log('debug', 'l', 'a');
  n.setLevel('emergency');
  n.log('alert', 'l', 'b');
  n.log('emergency', 'l', 'c');
  assert.deepEqual(s.sent.map((m) => m.params['data']), ['a', 'c']);
});

test('`createNotifier()` redacts secrets in the data', () => {
  const s = sink();
  const n = createNotifier(s.send, 'debug', fakeClock().now);
  n.enable();
  const token = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';
  n.log('info', 'l', { message: `using ${token}`, password: 'hunter2' });
  const out = JSON.stringify(s.sent[0]);
  assert.equal(out.includes(token), false);
  assert.equal(out.includes('hunter2'), false);
  assert.match(out, /REDACTED/);
});

test('`createNotifier()` sends at most 20 messages per second and resumes in the next second', () => {
  const s = sink();
  const clock = fakeClock();
  const n = createNotifier(s.send, 'debug', clock.now);
  n.enable();
  for (let i = 0; i < 100; i++) n.log('info', 'l', i);
  assert.equal(s.sent.length, 20);
  clock.advance(999);
  n.log('info', 'l', 'still limited');
  assert.equal(s.sent.length, 20);
  clock.advance(1);
  n.log('info', 'l', 'next window');
  assert.equal(s.sent.length, 21);
});

test('`createProgress()` sends nothing without a progress token', () => {
  const s = sink();
  const p = createProgress(s.send, undefined, true, fakeClock().now);
  p.report(1, 10, 'x');
  p.report(10, 10, 'done');
  assert.equal(s.sent.length, 0);
});

test('`createProgress()` sends strictly increasing progress with the token, total and message', () => {
  const s = sink();
  const clock = fakeClock();
  const p = createProgress(s.send, 'tok', true, clock.now);
  p.report(1, 10, 'one');
  clock.advance(200);
  p.report(1, 10, 'same again');
  p.report(0, 10, 'backwards');
  clock.advance(200);
  p.report(5, 10, 'five');
  assert.deepEqual(s.sent.map((m) => m.params), [
    { progressToken: 'tok', progress: 1, total: 10, message: 'one' },
    { progressToken: 'tok', progress: 5, total: 10, message: 'five' },
  ]);
  assert.ok(s.sent.every((m) => m.method === 'notifications/progress'));
});

test('`createProgress()` throttles updates to one per 100 ms but always lets the final one through', () => {
  const s = sink();
  const clock = fakeClock();
  const p = createProgress(s.send, 7, false, clock.now);
  for (let i = 1; i <= 50; i++) {
    p.report(i, 100, 'x');
    clock.advance(1);
  }
  assert.equal(s.sent.length, 1);
  p.report(100, 100, 'done');
  assert.equal(s.sent.length, 2);
  assert.deepEqual(s.sent[1]?.params, { progressToken: 7, progress: 100, total: 100 });
});

test('`createProgress()` omits total when unknown and the message when the version has none', () => {
  const s = sink();
  const p = createProgress(s.send, 'a', false, fakeClock().now);
  p.report(3, null, 'ignored');
  assert.deepEqual(s.sent[0]?.params, { progressToken: 'a', progress: 3 });
});

test('`createProgress()` sends nothing after `finish()` (never after the response)', () => {
  const s = sink();
  const clock = fakeClock();
  const p = createProgress(s.send, 'a', true, clock.now);
  p.report(1, 2, 'x');
  p.finish();
  clock.advance(1000);
  p.report(2, 2, 'late');
  assert.equal(s.sent.length, 1);
});
