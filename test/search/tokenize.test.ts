import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachToken, queryTerms, stem, tokenize } from '../../src/search/tokenize.ts';

test('`tokenize()` lowercases and splits on anything that is not a letter or digit', () => {
  assert.deepEqual(tokenize('Hello, World! v20 -- HTTP/2'), ['hello', 'world', 'v20', 'http', '2']);
});

test('`tokenize()` keeps Unicode letters together when the text is not English', () => {
  assert.deepEqual(tokenize('Größe: café naïve; 日本語 ошибки'), ['größe', 'café', 'naïve', '日本語', 'ошибки']);
});

test('`tokenize()` splits snake_case and keeps the compound when given an identifier', () => {
  assert.deepEqual(tokenize('child_process'), ['child_process', 'child', 'process']);
});

test('`tokenize()` splits camelCase and keeps the lowercased compound when given an identifier', () => {
  assert.deepEqual(tokenize('readFileSync'), ['readfilesync', 'read', 'file', 'sync']);
  assert.deepEqual(tokenize('XMLHttpRequest'), ['xmlhttprequest', 'xml', 'http', 'request']);
});

test('`tokenize()` splits a dotted member access into its parts when given `fs.readFile`', () => {
  assert.deepEqual(tokenize('fs.readFile'), ['fs', 'readfile', 'read', 'file']);
});

test('`tokenize()` drops stop words but keeps them inside compounds', () => {
  assert.deepEqual(tokenize('How do I spawn a child process?'), ['spawn', 'child', 'process']);
  assert.deepEqual(tokenize('to_string'), ['to_string', 'string']);
});

test('`tokenize()` drops tokens longer than 64 characters', () => {
  const long = 'x'.repeat(65);
  assert.deepEqual(tokenize(`short ${long} ${'y'.repeat(64)}`), ['short', 'y'.repeat(64)]);
  // the compound is too long, its parts are not
  const compound = `${'a'.repeat(40)}_${'b'.repeat(40)}`;
  assert.deepEqual(tokenize(compound), ['a'.repeat(40), 'b'.repeat(40)]);
});

test('`tokenize()` ignores a blob-sized run entirely when it is longer than 256 characters', () => {
  assert.deepEqual(tokenize(`start ${'aB'.repeat(200)} end`), ['start', 'end']);
});

test('`stem()` strips common suffixes when the guards allow it', () => {
  const cases: readonly (readonly [string, string])[] = [
    ['process', 'process'],
    ['processes', 'process'],
    ['processing', 'process'],
    ['processed', 'process'],
    ['spawning', 'spawn'],
    ['spawned', 'spawn'],
    ['spawns', 'spawn'],
    ['files', 'file'],
    ['file', 'file'],
    ['running', 'run'],
    ['emitted', 'emit'],
    ['queries', 'query'],
    ['directly', 'direct'],
    ['matches', 'match'],
    ['cases', 'case'],
    ['status', 'status'],
    ['analysis', 'analysis'],
  ];
  for (const [word, expected] of cases) assert.equal(stem(word), expected, word);
});

test('`stem()` maps inflected forms and the bare verb to one stem when the verb ends in "e"', () => {
  assert.equal(stem('parsing'), stem('parse'));
  assert.equal(stem('closes'), stem('close'));
  assert.equal(stem('making'), stem('make'));
  assert.equal(stem('caching'), stem('cache'));
  assert.equal(stem('using'), stem('use'));
  // Only a doubled consonant is undone: "freeing" is "free" (a prefix "fre" counted "frequency" and "fresh").
  for (const [word, bare] of [['freeing', 'free'], ['seeing', 'see'], ['agreeing', 'agree']]) {
    assert.equal(stem(word as string), bare, word);
  }
});

test('`stem()` drops derivational endings, so the noun a reader writes meets the verb a document uses', () => {
  // A stem is matched as a word prefix: "randomiz" counts "randomize" and "randomize_va_space".
  const pairs: readonly (readonly [string, string])[] = [
    ['randomization', 'randomize'],
    ['attachments', 'attached'],
    ['allocation', 'allocate'],
  ];
  for (const [noun, verb] of pairs) assert.ok(verb.startsWith(stem(noun)), `${noun} -> ${stem(noun)} meets ${verb}`);
  // Short stems keep their ending: "function" is not "func", "version" not "ver".
  for (const word of ['function', 'version', 'position', 'argument', 'document']) assert.equal(stem(word), word, word);
});

test('`stem()` leaves words alone when stripping would mangle them', () => {
  for (const word of ['string', 'thing', 'apply', 'embed', 'speed', 'added', 'during', 'its', 'café']) {
    assert.equal(stem(word), word === 'added' ? 'add' : word, word);
  }
});

test('`forEachToken()` reports the offset of each token in the original text', () => {
  const seen: [string, number][] = [];
  forEachToken('  call fs.readFile()', (token, offset) => seen.push([token, offset]));
  assert.deepEqual(seen, [['call', 2], ['fs', 7], ['readfile', 10], ['read', 10], ['file', 14]]);
});

test('`queryTerms()` dedupes tokens in first-occurrence order when terms repeat', () => {
  assert.deepEqual(queryTerms('Spawn spawning the child_process spawned'), [
    'spawn',
    'child_process',
    'child',
    'process',
  ]);
});

test('`queryTerms()` keeps at most 32 terms when the query is long', () => {
  const words = Array.from({ length: 50 }, (_, i) => `word${i}`);
  const terms = queryTerms(words.join(' '));
  assert.equal(terms.length, 32);
  assert.deepEqual(terms, words.slice(0, 32));
});
