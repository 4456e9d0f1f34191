// Sections of a text for the words mode: heading paths, the preamble, windows for plain files, and
// term counts that land in the section holding each match.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countBySection, headingPathAt, indexSections, splitSections } from '../../src/search/sections.ts';
import { parseHeadings } from '../../src/formats/headings.ts';
import { splitLines } from '../../src/document/document.ts';

const TEXT = ['intro line', '# Title', 'body', '## Setup', 'a body', '### Setup.1', 'deep', '## B', 'b body'].join(
  '\n',
);
const HEADINGS = parseHeadings(splitLines(TEXT), 'markdown');

test('`splitSections()` gives the preamble, then each heading up to the next one, with the enclosing headings', () => {
  assert.deepEqual(splitSections(HEADINGS, 9), [
    { line: 1, endLine: 1, title: null, path: [] },
    { line: 2, endLine: 3, title: 'Title', path: [] },
    { line: 4, endLine: 5, title: 'Setup', path: ['Title'] },
    { line: 6, endLine: 7, title: 'Setup.1', path: ['Title', 'Setup'] },
    { line: 8, endLine: 9, title: 'B', path: ['Title'] },
  ]);
});

test('`splitSections()` cuts a text without headings into 40-line windows', () => {
  const windows = splitSections([], 100);
  assert.deepEqual(windows.map((w) => [w.line, w.endLine]), [[1, 40], [41, 80], [81, 100]]);
  assert.deepEqual(splitSections([], 0), []);
});

test('`indexSections()` keeps heading tokens apart from the document title', () => {
  const index = indexSections(TEXT, splitLines(TEXT), HEADINGS);
  assert.deepEqual(index.title, ['titl'], 'stemmed like every token');
  assert.ok(index.own[3]?.includes('1'), 'own heading tokens');
  assert.deepEqual(index.parents[3], ['setup'], 'the document title is not repeated as a parent');
  assert.equal(index.offsets[1], TEXT.indexOf('# Title'));
});

test('`countBySection()` counts each match in the section holding it, capped, null when none', () => {
  const index = indexSections(TEXT, splitLines(TEXT), HEADINGS);
  const body = { re: /body/g, at: () => true };
  assert.deepEqual([...(countBySection(body, TEXT, index.offsets, 10) ?? [])], [0, 1, 1, 0, 1]);
  assert.deepEqual([...(countBySection(body, TEXT, index.offsets, 0) ?? [])], [0, 0, 0, 0, 0]);
  assert.equal(countBySection({ re: /nowhere/g, at: () => true }, TEXT, index.offsets, 10), null);
});

test('`headingPathAt()` names the headings from the outermost down to the line', () => {
  assert.deepEqual(headingPathAt(HEADINGS, 1), []);
  assert.deepEqual(headingPathAt(HEADINGS, 7), ['Title', 'Setup', 'Setup.1']);
  assert.deepEqual(headingPathAt(HEADINGS, 9), ['Title', 'B']);
});
