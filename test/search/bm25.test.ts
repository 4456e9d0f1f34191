import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bodyNorm, cooccurrenceBonus, idf, inName, packCounts, termScore, unpackCounts } from '../../src/search/bm25.ts';

test('`packCounts()` round-trips through `unpackCounts()` when counts fit their fields', () => {
  const counts = { body: 1234, title: 2, heading: 17, path: 3 };
  assert.deepEqual(unpackCounts(packCounts(counts)), counts);
});

test('`packCounts()` caps each field and stays a small integer when counts are huge', () => {
  const packed = packCounts({ body: 1e9, title: 99, heading: 999, path: 50 });
  assert.deepEqual(unpackCounts(packed), { body: 0x3fff, title: 7, heading: 63, path: 7 });
  assert.ok(packed < 2 ** 30);
});

test('`inName()` is true only when the term is in the title or the path', () => {
  assert.equal(inName(packCounts({ body: 5, title: 0, heading: 3, path: 0 })), false);
  assert.equal(inName(packCounts({ body: 0, title: 1, heading: 0, path: 0 })), true);
  assert.equal(inName(packCounts({ body: 0, title: 0, heading: 0, path: 1 })), true);
});

test('`idf()` is positive and falls as more documents hold the term', () => {
  assert.ok(idf(100, 1) > idf(100, 10));
  assert.ok(idf(100, 10) > idf(100, 100));
  assert.ok(idf(100, 100) > 0);
});

test('`bodyNorm()` penalises long bodies and is 1 when the body is average', () => {
  assert.equal(bodyNorm(100, 100), 1);
  assert.ok(bodyNorm(400, 100) > 1);
  assert.ok(bodyNorm(10, 100) < 1);
  assert.equal(bodyNorm(5, 0), 1);
});

test('`termScore()` weighs a title hit above a single body hit and saturates repeated body hits', () => {
  const body1 = termScore(packCounts({ body: 1, title: 0, heading: 0, path: 0 }), 1, 1);
  const body50 = termScore(packCounts({ body: 50, title: 0, heading: 0, path: 0 }), 1, 1);
  const title = termScore(packCounts({ body: 0, title: 1, heading: 0, path: 0 }), 1, 1);
  const heading = termScore(packCounts({ body: 0, title: 0, heading: 1, path: 0 }), 1, 1);
  assert.ok(title > heading && heading > body1);
  assert.ok(body50 < 2.2 && body50 > body1);
});

test('`cooccurrenceBonus()` is zero for one term and grows with idf when terms share a field', () => {
  assert.equal(cooccurrenceBonus('name', 1, 5), 0);
  assert.ok(cooccurrenceBonus('name', 2, 5) > cooccurrenceBonus('heading', 2, 5));
  assert.ok(cooccurrenceBonus('heading', 3, 6) > cooccurrenceBonus('heading', 2, 3));
});
