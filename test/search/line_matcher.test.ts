// lineMatcher: at most one match per line, literal queries taken literally, regex through the bounded
// engine, case folding on request, and invalid patterns refused with a message naming the problem.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Failure } from '../../src/errors/failure.ts';
import { failure } from '../../src/errors/failure.ts';
import { createSlicer, type Slicer } from '../../src/sched/slice.ts';
import { lineMatcher, type TextMatcher } from '../../src/search/line_matcher.ts';

const never: Slicer = { due: () => false, pause: async () => undefined, tick: async () => undefined };
async function all(m: TextMatcher, text: string, slice: Slicer = never): Promise<number[][]> {
  const out: number[][] = [];
  await m(text, slice, (x) => out.push([x.index, x.length]) > 0);
  return out;
}

test('literal: one match per line, even when the line holds several', async () => {
  const text = 'spawn spawn\nno\nspawnSync spawn\n';
  assert.deepEqual(await all(lineMatcher('literal', 'spawn', true), text), [[0, 5], [15, 5]]);
});

test('literal: regex metacharacters are plain text', async () => {
  assert.deepEqual(await all(lineMatcher('literal', 'a.b(c)*', true), 'axb\na.b(c)*\n'), [[4, 7]]);
  assert.deepEqual(await all(lineMatcher('literal', '$HOME', true), 'echo $HOME\n'), [[5, 5]]);
});

test('literal: caseSensitive decides whether case is folded', async () => {
  const text = 'Page Fault\npage fault\n';
  assert.deepEqual(await all(lineMatcher('literal', 'page fault', true), text), [[11, 10]]);
  assert.deepEqual(await all(lineMatcher('literal', 'page fault', false), text), [[0, 10], [11, 10]]);
});

test('literal: a match on the last line without a newline, and none at all', async () => {
  assert.deepEqual(await all(lineMatcher('literal', 'end', true), 'a\nthe end'), [[6, 3]]);
  assert.deepEqual(await all(lineMatcher('literal', 'zzz', true), 'a\nb\n'), []);
});

test('literal: the matcher can be reused across texts (no state leaks from one text to the next)', async () => {
  const m = lineMatcher('literal', 'x', true);
  assert.deepEqual(await all(m, 'aaaaaaaaax\n'), [[9, 1]]);
  assert.deepEqual(await all(m, 'x\n'), [[0, 1]]);
});

test('regex: matches per line with columns inside the line', async () => {
  const text = 'call spawn(cmd)\nspawnSync(x) and spawn(y)\nnothing\n';
  assert.deepEqual(await all(lineMatcher('regex', 'spawn(Sync)?\\(', true), text), [[5, 6], [16, 10]]);
  assert.deepEqual(await all(lineMatcher('regex', 'SPAWN\\(', false), text), [[5, 6], [33, 6]]);
});

test('regex: an invalid or unsupported pattern is an invalid_argument naming the problem', () => {
  for (const [pattern, why] of [['(', /query/], ['(a)\\1', /backreference/i]] as const) {
    assert.throws(
      () => lineMatcher('regex', pattern, true),
      (e: unknown) => e instanceof Failure && e.reason === 'invalid_argument' && why.test(e.publicMessage),
      pattern,
    );
  }
});

// A backtracking engine would never finish this (the runner's hang guard reports it): no clock needed.
test('regex: a catastrophic pattern on a long line answers (linear-time engine) and yields within the line', async () => {
  let pauses = 0;
  const counting: Slicer = { due: () => true, pause: async () => void pauses++, tick: async () => undefined };
  assert.deepEqual(await all(lineMatcher('regex', '(a+)+$', true), `${'a'.repeat(20_000)}!`), []);
  // One line without a required literal: every pause but the last one happened inside the VM's scan.
  assert.deepEqual(await all(lineMatcher('regex', '(a|aa)+(!|x)', true), `${'a'.repeat(100_000)}!`, counting), [[
    0,
    100_001,
  ]]);
  assert.ok(pauses > 10, `${pauses} pauses in a 100,000-character line`);
});

test("regex: a scan stops at the first pause after its call was stopped, with the call's failure", async () => {
  const abort = new AbortController();
  const slice = createSlicer(
    { now: () => performance.now(), yieldNow: () => new Promise((r) => setImmediate(r)) },
    abort.signal,
  );
  let steps = 0;
  const stopping: Slicer = { ...slice, due: () => ++steps > 3 };
  abort.abort(failure('deadline', 'Cannot finish: the call exceeded the 1 ms deadline (limits.deadlineMs)'));
  await assert.rejects(
    all(lineMatcher('regex', '(a|aa)+(!|x)', true), `${'a'.repeat(100_000)}!`, stopping),
    /deadline/,
  );
});

test('regex without case: the literal finds its lines where lowering changes lengths (İ: 2 units)', async () => {
  const text = `${'İ'.repeat(40)}\nnothing here\nthe ERROR 42 line\nerror 7\n`;
  const m = lineMatcher('regex', 'error [0-9]+', false);
  assert.deepEqual(await all(m, text), [[58, 8], [72, 7]]);
  assert.deepEqual(await all(lineMatcher('regex', 'ERROR [0-9]+', true), text), [[58, 8]]);
  assert.deepEqual(await all(m, `${'İ'.repeat(40)}\nno match at all\n`), []);
});
