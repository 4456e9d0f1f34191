// lineMatcher: at most one match per line, literal queries taken literally, regex through the bounded
// engine, case folding on request, and invalid patterns refused with a message naming the problem.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Failure } from '../../src/errors/failure.ts';
import { lineMatcher } from '../../src/search/line_matcher.ts';

const all = (m: (t: string) => Iterable<{ index: number; length: number }>, text: string) => [...m(text)].map((x) => [x.index, x.length]);

test('literal: one match per line, even when the line holds several', () => {
  const text = 'spawn spawn\nno\nspawnSync spawn\n';
  assert.deepEqual(all(lineMatcher('literal', 'spawn', true), text), [[0, 5], [15, 5]]);
});

test('literal: regex metacharacters are plain text', () => {
  assert.deepEqual(all(lineMatcher('literal', 'a.b(c)*', true), 'axb\na.b(c)*\n'), [[4, 7]]);
  assert.deepEqual(all(lineMatcher('literal', '$HOME', true), 'echo $HOME\n'), [[5, 5]]);
});

test('literal: caseSensitive decides whether case is folded', () => {
  const text = 'Page Fault\npage fault\n';
  assert.deepEqual(all(lineMatcher('literal', 'page fault', true), text), [[11, 10]]);
  assert.deepEqual(all(lineMatcher('literal', 'page fault', false), text), [[0, 10], [11, 10]]);
});

test('literal: a match on the last line without a newline, and none at all', () => {
  assert.deepEqual(all(lineMatcher('literal', 'end', true), 'a\nthe end'), [[6, 3]]);
  assert.deepEqual(all(lineMatcher('literal', 'zzz', true), 'a\nb\n'), []);
});

test('literal: the matcher can be reused across texts (no state leaks from one text to the next)', () => {
  const m = lineMatcher('literal', 'x', true);
  assert.deepEqual(all(m, 'aaaaaaaaax\n'), [[9, 1]]);
  assert.deepEqual(all(m, 'x\n'), [[0, 1]]);
});

test('regex: matches per line with columns inside the line', () => {
  const text = 'call spawn(cmd)\nspawnSync(x) and spawn(y)\nnothing\n';
  assert.deepEqual(all(lineMatcher('regex', 'spawn(Sync)?\\(', true), text), [[5, 6], [16, 10]]);
  assert.deepEqual(all(lineMatcher('regex', 'SPAWN\\(', false), text), [[5, 6], [33, 6]]);
});

test('regex: an invalid or unsupported pattern is an invalid_argument naming the problem', () => {
  for (const [pattern, why] of [['(', /query/], ['(a)\\1', /backreference/i]] as const) {
    assert.throws(() => lineMatcher('regex', pattern, true), (e: unknown) => e instanceof Failure && e.reason === 'invalid_argument' && why.test(e.publicMessage), pattern);
  }
});

// A backtracking engine would never finish this (the runner's hang guard reports it): no clock needed.
test('regex: a catastrophic pattern on a long line finishes (linear-time engine)', () => {
  assert.deepEqual(all(lineMatcher('regex', '(a+)+$', true), `${'a'.repeat(20_000)}!\n`), []);
});
