// The shared memory budget (src/sched/memory_budget.ts): loads wait their turn first come first served
// while the bytes in use would pass the total, a load larger than the whole budget is refused with both
// numbers, a cancelled or late wait leaves the queue without blocking the others, and bytes come back on
// failure too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Failure } from '../../src/errors/failure.ts';
import { createMemoryBudget } from '../../src/sched/memory_budget.ts';

/** A piece of work that holds its bytes until released; records when it started. */
function holder(order: string[], name: string) {
  let release: () => void = () => undefined;
  const released = new Promise<void>((r) => (release = r));
  return { work: async () => (order.push(name), await released, name), release };
}
const settle = () => new Promise((r) => setImmediate(r));

test('loads over the total wait, in arrival order, and run as bytes come back', async () => {
  const budget = createMemoryBudget(100);
  const order: string[] = [];
  const [a, b, c] = [holder(order, 'a'), holder(order, 'b'), holder(order, 'c')];
  const done = [
    budget.use(60, undefined, a.work),
    budget.use(50, undefined, b.work),
    budget.use(10, undefined, c.work),
  ];
  await settle();
  assert.deepEqual(order, ['a'], 'c fits, but waits behind b: first come, first served');
  a.release();
  await settle();
  assert.deepEqual(order, ['a', 'b', 'c']);
  b.release();
  c.release();
  assert.deepEqual(await Promise.all(done), ['a', 'b', 'c']);
});

test('a load larger than the whole budget is refused at once, naming both sizes and the key', async () => {
  await assert.rejects(
    createMemoryBudget(1000).use(1001, undefined, async () => 0),
    (e: unknown) =>
      e instanceof Failure && e.reason === 'too_large' &&
      /1001 bytes .* over the 1000-byte memory budget \(limits.memoryBytes\)/
        .test(e.publicMessage),
  );
});

test('a cancelled wait leaves the queue and lets the next load in; a failing load gives its bytes back', async () => {
  const budget = createMemoryBudget(100);
  const order: string[] = [];
  const a = holder(order, 'a');
  const first = budget.use(100, undefined, a.work);
  const stop = new AbortController();
  const cancelled = budget.use(90, stop.signal, async () => 'never');
  const next = budget.use(10, undefined, async () => (order.push('next'), 'next'));
  stop.abort(new Failure('cancelled', 'Cancelled by the client'));
  await assert.rejects(cancelled, (e: unknown) => e instanceof Failure && e.reason === 'cancelled');
  a.release();
  await first;
  assert.equal(await next, 'next');
  await assert.rejects(budget.use(100, undefined, () => Promise.reject(new Error('load failed'))), /load failed/);
  assert.equal(await budget.use(100, undefined, async () => 'all of it again'), 'all of it again');
  const late = new AbortController();
  late.abort(new Failure('deadline', 'late'));
  await assert.rejects(
    budget.use(1, late.signal, async () => 0),
    (e: unknown) => e instanceof Failure && e.reason === 'deadline',
  );
});
