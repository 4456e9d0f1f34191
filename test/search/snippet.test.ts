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

test('`bestSnippets()` picks the lines with the most distinct terms, best first', () => {
  const snippets = bestSnippets(LINES, queryTerms('spawn a child process'), 2);
  assert.deepEqual(snippets.map((s) => s.line), [4, 1]);
  assert.deepEqual(snippets[0], {
    line: 4,
    column: 7,
    text: 'Use child_process.spawn() to spawn a child process.',
  });
});

test('`bestSnippets()` prefers earlier lines when lines hold as many terms', () => {
  const snippets = bestSnippets(LINES, queryTerms('process'), 3);
  assert.deepEqual(snippets.map((s) => s.line), [1, 4, 6]);
  assert.equal(snippets[2]?.column, 5);
});

test('`bestSnippets()` reports the column of the first matching term when a later term comes first', () => {
  const [snippet] = bestSnippets(['xx  reading and spawning'], queryTerms('spawn read'), 1);
  assert.equal(snippet?.column, 5);
});

test('`bestSnippets()` returns nothing when no line matches or max is 0', () => {
  assert.deepEqual(bestSnippets(LINES, queryTerms('kubernetes'), 5), []);
  assert.deepEqual(bestSnippets(LINES, queryTerms('spawn'), 0), []);
  assert.deepEqual(bestSnippets(LINES, [], 5), []);
});

test('`bestSnippets()` cuts a long line to 240 characters around the match with ellipses', () => {
  const line = `${'lorem '.repeat(100)}spawn${' ipsum'.repeat(100)}`;
  const [snippet] = bestSnippets([line], ['spawn'], 1);
  assert.equal(snippet?.column, 601);
  const text = snippet?.text ?? '';
  assert.equal(text.length, 240);
  assert.ok(text.startsWith('…') && text.endsWith('…'));
  assert.ok(text.includes('spawn'));
});

test('`bestSnippets()` cuts only the end when the match is near the start of a long line', () => {
  const line = `spawn ${'x '.repeat(300)}`;
  const [snippet] = bestSnippets([line], ['spawn'], 1);
  const text = snippet?.text ?? '';
  assert.equal(text.length, 240);
  assert.ok(text.startsWith('spawn') && text.endsWith('…'));
});

test('`bestSnippets()` cuts only the start when the match is near the end of a long line', () => {
  const line = `${'x '.repeat(300)}spawn`;
  const [snippet] = bestSnippets([line], ['spawn'], 1);
  const text = snippet?.text ?? '';
  assert.equal(text.length, 240);
  assert.ok(text.startsWith('…') && text.endsWith('spawn'));
});
