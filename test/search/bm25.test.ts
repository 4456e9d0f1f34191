// BM25 arithmetic of the words mode: idf, length normalisation, saturation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bodyNorm, idf, saturate } from '../../src/search/bm25.ts';

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

test('`saturate()` is 0 without occurrences, grows with them and never passes (K1 + 1) x idf', () => {
  assert.equal(saturate(0, 3), 0);
  assert.ok(saturate(2, 1) > saturate(1, 1));
  assert.ok(saturate(1000, 1) < 2.2 && saturate(1000, 1) > saturate(5, 1));
  assert.ok(saturate(1, 2) > saturate(1, 1), 'a rarer term weighs more');
});
