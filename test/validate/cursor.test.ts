// Paging cursors: round-trips of any state, refusal of anything the server did not make for that tool.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Failure } from '../../src/errors/failure.ts';
import { cursorInt, decodeCursor, encodeCursor } from '../../src/validate/cursor.ts';

function failureOf(fn: () => unknown): Failure {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof Failure, String(err));
    return err;
  }
  assert.fail('expected a Failure');
}

test('`encodeCursor()` and `decodeCursor()` round-trip state for the same tool, including non-ASCII', () => {
  const state = { q: 'naïve 😀 query', off: 40, n: null };
  const c = encodeCursor('search_docs', state);
  assert.match(c, /^[A-Za-z0-9_-]+$/);
  assert.deepEqual(decodeCursor('search_docs', c), { t: 'search_docs', ...state });
  for (let len = 0; len < 6; len++) {
    const s = { k: 'x'.repeat(len) };
    assert.deepEqual(decodeCursor('t', encodeCursor('t', s)), { t: 't', ...s });
  }
});

test('`decodeCursor()` refuses a cursor from another tool, tampered or invented cursors', () => {
  const c = encodeCursor('list_docs', { off: 1 });
  const bad = [
    c + '!',
    c.slice(0, -3),
    'not a cursor',
    '',
    '%%%',
    encodeCursor('read_doc', { off: 1 }),
    'W10',
    'bnVsbA',
    'MTIz',
  ];
  for (const x of bad) {
    const f = failureOf(() => decodeCursor('list_docs', x));
    assert.equal(f.reason, 'invalid_cursor', x);
    assert.match(f.publicMessage, /^Invalid cursor/);
  }
});

test('`cursorInt()` accepts safe integers within bounds only', () => {
  const v = { a: 0, b: 10, c: 11, d: -1, e: 1.5, f: '3', g: 2 ** 60 };
  assert.equal(cursorInt(v, 'a', 10), 0);
  assert.equal(cursorInt(v, 'b', 10), 10);
  for (const k of ['c', 'd', 'e', 'f', 'g', 'missing'])
    assert.equal(failureOf(() => cursorInt(v, k, 10)).reason, 'invalid_cursor', k);
  assert.match(
    failureOf(() => cursorInt(v, 'a', 10, 1)).publicMessage,
    /its field "a" must be an integer from 1 to 10/,
  );
});
