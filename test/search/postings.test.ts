import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PostingStore } from '../../src/search/postings.ts';

function pairs(store: PostingStore, term: number): [number, number][] {
  const out: [number, number][] = [];
  store.forEach(term, (doc, packed) => out.push([doc, packed]));
  return out;
}

test('`PostingStore` keeps a single posting inline and lists it when the term has one document', () => {
  const store = new PostingStore();
  store.append(3, 10, 7);
  assert.equal(store.count(3), 1);
  assert.deepEqual(pairs(store, 3), [[10, 7]]);
  assert.equal(store.count(99999), 0);
  assert.deepEqual(pairs(store, 99999), []);
});

test('`append()` grows the list in doc order when a term gains many documents', () => {
  const store = new PostingStore();
  for (let doc = 0; doc < 100; doc++) store.append(5000, doc, doc * 2);
  assert.equal(store.count(5000), 100);
  assert.deepEqual(pairs(store, 5000), Array.from({ length: 100 }, (_, doc) => [doc, doc * 2]));
});

test('`remove()` drops exactly one posting and reports what is left', () => {
  const store = new PostingStore();
  for (const doc of [1, 4, 9, 16]) store.append(0, doc, doc + 100);
  assert.equal(store.remove(0, 9), 3);
  assert.deepEqual(pairs(store, 0), [[1, 101], [4, 104], [16, 116]]);
  assert.equal(store.remove(0, 9), 3, 'removing an absent doc changes nothing');
  assert.equal(store.remove(0, 1), 2);
  assert.equal(store.remove(0, 16), 1);
  assert.equal(store.remove(0, 4), 0);
  assert.deepEqual(pairs(store, 0), []);
  // a freed term can be used again from scratch
  store.append(0, 50, 1);
  assert.deepEqual(pairs(store, 0), [[50, 1]]);
});

test('`remove()` empties an inline posting only when the doc matches', () => {
  const store = new PostingStore();
  store.append(2, 8, 1);
  assert.equal(store.remove(2, 7), 1);
  assert.equal(store.remove(2, 8), 0);
  assert.deepEqual(pairs(store, 2), []);
});

test('`remove()` keeps the remaining postings intact when a big list shrinks', () => {
  const store = new PostingStore();
  for (let doc = 0; doc < 1000; doc++) store.append(1, doc, doc);
  for (let doc = 0; doc < 990; doc++) store.remove(1, doc);
  assert.deepEqual(pairs(store, 1), Array.from({ length: 10 }, (_, i) => [990 + i, 990 + i]));
  store.append(1, 2000, 3);
  assert.equal(store.count(1), 11);
});
