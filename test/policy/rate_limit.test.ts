// Tests for src/policy/rate_limit.ts, driven by a fake clock (no sleeps).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRateLimiter } from '../../src/policy/rate_limit.ts';

function fakeClock(start = 1_000): { readonly now: () => number; readonly advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

test('`take()` allows a full burst, then refuses with the time to the next token', () => {
  const clock = fakeClock();
  const limiter = createRateLimiter({ perMinute: 60, burst: 3, now: clock.now });
  for (let i = 0; i < 3; i++) assert.deepEqual(limiter.take('search'), { ok: true });
  assert.deepEqual(limiter.take('search'), { ok: false, retryAfterMs: 1000 });
  clock.advance(400);
  assert.deepEqual(limiter.take('search'), { ok: false, retryAfterMs: 600 });
});

test('`take()` allows a call again exactly when retryAfterMs has passed, not before', () => {
  const clock = fakeClock();
  const limiter = createRateLimiter({ perMinute: 7, burst: 1, now: clock.now });
  assert.equal(limiter.take('read').ok, true);
  const refused = limiter.take('read');
  assert.equal(refused.ok, false);
  const wait = refused.ok ? 0 : refused.retryAfterMs;
  assert.equal(wait, Math.ceil(60_000 / 7));
  clock.advance(wait - 1);
  assert.equal(limiter.take('read').ok, false);
  clock.advance(1);
  assert.equal(limiter.take('read').ok, true);
});

test('`take()` refills at perMinute and never above burst', () => {
  const clock = fakeClock();
  const limiter = createRateLimiter({ perMinute: 120, burst: 2, now: clock.now });
  assert.equal(limiter.take('list').ok, true);
  assert.equal(limiter.take('list').ok, true);
  assert.equal(limiter.take('list').ok, false);
  clock.advance(500); // 120/min = one token per 500 ms
  assert.equal(limiter.take('list').ok, true);
  assert.equal(limiter.take('list').ok, false);
  clock.advance(3_600_000); // an hour idle still gives only `burst` tokens
  assert.equal(limiter.take('list').ok, true);
  assert.equal(limiter.take('list').ok, true);
  assert.deepEqual(limiter.take('list'), { ok: false, retryAfterMs: 500 });
});

test('`take()` keeps one independent bucket per key', () => {
  const clock = fakeClock();
  const limiter = createRateLimiter({ perMinute: 1, burst: 1, now: clock.now });
  assert.equal(limiter.take('read_doc').ok, true);
  assert.equal(limiter.take('read_doc').ok, false);
  assert.equal(limiter.take('search_docs').ok, true);
  assert.equal(limiter.take('__proto__').ok, true);
  assert.equal(limiter.take('__proto__').ok, false);
  assert.equal(limiter.take('search_docs').ok, false);
});

test('`take()` never refuses when perMinute is 0 (unlimited)', () => {
  const clock = fakeClock();
  const limiter = createRateLimiter({ perMinute: 0, burst: 0, now: clock.now });
  for (let i = 0; i < 10_000; i++) assert.equal(limiter.take('search').ok, true);
});

test('`take()` neither refills nor drains when the clock steps back', () => {
  const clock = fakeClock(10_000);
  const limiter = createRateLimiter({ perMinute: 60, burst: 1, now: clock.now });
  assert.equal(limiter.take('a').ok, true);
  clock.advance(-5_000);
  assert.deepEqual(limiter.take('a'), { ok: false, retryAfterMs: 1000 });
  clock.advance(5_000 + 1000);
  assert.equal(limiter.take('a').ok, true);
});

test('`take()` handles fractional rates and clocks', () => {
  const clock = fakeClock(0.25);
  const limiter = createRateLimiter({ perMinute: 0.5, burst: 1, now: clock.now });
  assert.equal(limiter.take('x').ok, true);
  assert.deepEqual(limiter.take('x'), { ok: false, retryAfterMs: 120_000 });
  clock.advance(119_999.5);
  assert.equal(limiter.take('x').ok, false);
  clock.advance(0.5);
  assert.equal(limiter.take('x').ok, true);
});
