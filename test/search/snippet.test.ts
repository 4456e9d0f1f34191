import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bestSnippets } from '../../src/search/snippet.ts';
import { queryTerms } from '../../src/search/tokenize.ts';

const LINES = [
  '# Child process',
  '',
  'You can spawn things.',
  '  Use child_process.spawn() to spawn a child process.',
  '## Options',
  'The process gets its own stdio.',
  'A child is a process too.',
];

test('`await bestSnippets()` picks the lines with the most distinct terms, best first', async () => {
  const snippets = await bestSnippets(LINES, queryTerms('spawn a child process'), 2);
  assert.deepEqual(snippets.map((s) => s.line), [4, 1]);
  assert.deepEqual(snippets[0], {
    line: 4,
    column: 7,
    text: 'Use child_process.spawn() to spawn a child process.',
  });
});

test('`await bestSnippets()` prefers earlier lines when lines hold as many terms', async () => {
  const snippets = await bestSnippets(LINES, queryTerms('process'), 3);
  assert.deepEqual(snippets.map((s) => s.line), [1, 4, 6]);
  assert.equal(snippets[2]?.column, 5);
});

test('`await bestSnippets()` reports the column of the first matching term when a later term comes first', async () => {
  const [snippet] = await bestSnippets(['xx  reading and spawning'], queryTerms('spawn read'), 1);
  assert.equal(snippet?.column, 5);
});

test('`await bestSnippets()` returns nothing when no line matches or max is 0', async () => {
  assert.deepEqual(await bestSnippets(LINES, queryTerms('kubernetes'), 5), []);
  assert.deepEqual(await bestSnippets(LINES, queryTerms('spawn'), 0), []);
  assert.deepEqual(await bestSnippets(LINES, [], 5), []);
});

test('`await bestSnippets()` cuts a long line to 240 characters around the match with ellipses', async () => {
  const line = `${'lorem '.repeat(100)}spawn${' ipsum'.repeat(100)}`;
  const [snippet] = await bestSnippets([line], ['spawn'], 1);
  assert.equal(snippet?.column, 601);
  const text = snippet?.text ?? '';
  assert.equal(text.length, 240);
  assert.ok(text.startsWith('…') && text.endsWith('…'));
  assert.ok(text.includes('spawn'));
});

test('`await bestSnippets()` cuts only the end when the match is near the start of a long line', async () => {
  const line = `spawn ${'x '.repeat(300)}`;
  const [snippet] = await bestSnippets([line], ['spawn'], 1);
  const text = snippet?.text ?? '';
  assert.equal(text.length, 240);
  assert.ok(text.startsWith('spawn') && text.endsWith('…'));
});

test('`await bestSnippets()` cuts only the start when the match is near the end of a long line', async () => {
  const line = `${'x '.repeat(300)}spawn`;
  const [snippet] = await bestSnippets([line], ['spawn'], 1);
  const text = snippet?.text ?? '';
  assert.equal(text.length, 240);
  assert.ok(text.startsWith('…') && text.endsWith('spawn'));
});

test('`bestSnippets()` tokenizes only the first 65,536 characters of a line and ticks before each line', async () => {
  let ticks = 0;
  const tick = () => (ticks++, Promise.resolve());
  const far = `${'x '.repeat(40_000)}spawn`;
  assert.deepEqual(await bestSnippets([far, 'spawn here'], ['spawn'], 2, tick), [{
    line: 2,
    column: 1,
    text: 'spawn here',
  }]);
  assert.equal(ticks, 2);
  const near = `${'x '.repeat(30_000)}spawn${' y'.repeat(1_000_000)}`;
  assert.equal((await bestSnippets([near], ['spawn'], 1))[0]?.column, 60_001);
});

// Outside attack: a words hit in a section of 4 M lines copied them into an array in one step (2.4 s, ~130 MB
// a search). The section is a view now, and only the best `max` matches are kept while it is scanned.
test('`await bestSnippets()` reads a view of lines a tick at a time and keeps only the best', async () => {
  let ticks = 0;
  const view = { length: 200_000, at: (k: number) => (k === 150_000 ? 'alpha beta' : 'alpha') };
  const best = await bestSnippets(view, ['alpha', 'beta'], 1, async () => void ticks++);
  assert.deepEqual(best.map((s) => s.line), [150_001]);
  assert.equal(ticks, 200_000, 'a tick before each line');
});
