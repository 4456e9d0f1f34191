// Sections of a text for the words mode: heading paths, the preamble, windows for plain files, and
// term counts that land in the section holding each match.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countBySection, eachMatch, headingPathAt, indexSections, splitSections } from '../../src/search/sections.ts';
import { parseHeadingsInSlices } from '../../src/formats/headings.ts';
import { tokenize } from '../../src/search/tokenize.ts';
import { lineTable } from '../../src/document/document.ts';

const TEXT = ['intro line', '# Title', 'body', '## Setup', 'a body', '### Setup.1', 'deep', '## B', 'b body'].join(
  '\n',
);
const LINES = await lineTable(TEXT, () => Promise.resolve());
const HEADINGS = await parseHeadingsInSlices(LINES, 'markdown', () => Promise.resolve());

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

test('`indexSections()` keeps heading tokens apart from the document title', async () => {
  const index = await indexSections(TEXT, LINES, HEADINGS);
  assert.deepEqual(index.title, ['titl'], 'stemmed like every token');
  assert.ok(index.own[3]?.includes('1'), 'own heading tokens');
  assert.deepEqual(index.parents[3], ['setup'], 'the document title is not repeated as a parent');
  assert.equal(index.offsets[1], TEXT.indexOf('# Title'));
});

// An outside attack planted 130 KB files of 10,000 headings under five 60-word ancestors: every section
// tokenized its ancestors again (millions of token strings per file, 2.8 GiB from a few files, seconds in one
// step). Siblings now share their parents' array, capped, and the work yields.
test('`indexSections()` shares one capped parent array among siblings and ticks while it works', async () => {
  const words = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag}w${i}`).join(' ');
  const lines = ['# Title', ...[2, 3, 4, 5].map((l) => `${'#'.repeat(l)} ${words(60, `l${l}`)}`)];
  for (let i = 0; i < 9_000; i++) lines.push(`###### x${i}`); // MAX_HEADINGS is 10,000
  const text = lines.join('\n');
  let ticks = 0;
  const table = await lineTable(text, () => Promise.resolve());
  const index = await indexSections(
    text,
    table,
    await parseHeadingsInSlices(lines, 'markdown', () => Promise.resolve()),
    async () => void ticks++,
  );
  const leaves = index.parents.slice(5);
  assert.equal(leaves.length, 9_000);
  assert.ok(leaves.every((p) => p === leaves[0]), 'one shared array, not one per section');
  assert.equal(leaves[0]?.length, 32, 'capped at 32 distinct tokens');
  assert.ok(tokenize('l5w0').every((t) => leaves[0]?.includes(t)), 'innermost ancestor first');
  assert.ok(!leaves[0]?.includes('titl'), 'the document title is not a parent');
  assert.ok(ticks >= 9_000 / 256, `${ticks} ticks`);
});

test('`countBySection()` counts each match in the section holding it, capped, null when none', async () => {
  const index = await indexSections(TEXT, LINES, HEADINGS);
  const body = { re: /body/g, at: () => true };
  const tick = () => Promise.resolve();
  assert.deepEqual([...(await countBySection(body, TEXT, index.offsets, 10, tick) ?? [])], [0, 1, 1, 0, 1]);
  assert.deepEqual([...(await countBySection(body, TEXT, index.offsets, 0, tick) ?? [])], [0, 0, 0, 0, 0]);
  assert.equal(await countBySection({ re: /nowhere/g, at: () => true }, TEXT, index.offsets, 10, tick), null);
});

test('`eachMatch()` scans a one-line text window by window: every match once, a tick between windows', async () => {
  // 3 MB with a term straddling each 512 KiB window edge and a lookbehind at an edge.
  const edge = 1 << 19;
  const text = [...Array(6).keys()].map((k) => 'x'.repeat(edge - (k === 0 ? 3 : 6)) + ' spawn').join('') + 'yspawn';
  let ticks = 0;
  const found: number[] = [];
  const re = { re: /(?<![\p{L}\p{N}])spawn/gu, at: () => true };
  await eachMatch(re, text, () => (ticks++, Promise.resolve()), (i) => (found.push(i), true));
  assert.deepEqual(found, [...text.matchAll(re.re)].map((m) => m.index), 'as one pass over the whole text');
  assert.equal(found.length, 6, 'the last "yspawn" is no word start');
  assert.ok(found.some((i) => i % edge > edge - 5), 'a match straddles a window edge');
  assert.equal(ticks, Math.ceil(text.length / edge));
  let seen = 0;
  await eachMatch(re, text, () => Promise.resolve(), () => ++seen < 2);
  assert.equal(seen, 2, 'stops when visit says so');
});

test('`headingPathAt()` names the headings from the outermost down to the line', () => {
  assert.deepEqual(headingPathAt(HEADINGS, 1), []);
  assert.deepEqual(headingPathAt(HEADINGS, 7), ['Title', 'Setup', 'Setup.1']);
  assert.deepEqual(headingPathAt(HEADINGS, 9), ['Title', 'B']);
});

// Outside attack: 10,000 headings of 200 characters of camelCase pairs ("qF hD …", ~200 tokens a title) made an
// index of 52 MB, each token a string of its own, too big to cache, rebuilt and held by every search.
test("`indexSections()` keeps 32 tokens a title, each distinct token once: a planted file's index stays small", async () => {
  const letters = 'bcdfghjklmnpqrstvwxz';
  const pick = (i: number) => letters[i % 20] as string;
  const lines: string[] = [];
  for (let h = 0; h < 10_000; h++) {
    const pairs = Array.from({ length: 66 }, (_, j) => `${pick(h * 7 + j)}${pick(h + j * 3).toUpperCase()}`);
    lines.push(`# ${pairs.join(' ').slice(0, 198)}`, 'zebra');
  }
  const text = lines.join('\n');
  const index = await indexSections(
    text,
    await lineTable(text, () => Promise.resolve()),
    await parseHeadingsInSlices(lines, 'markdown', () => Promise.resolve()),
  );
  assert.ok(index.own.every((t) => t.length <= 32), 'at most 32 tokens a title');
  assert.ok(index.bytes < 8_000_000, `${index.bytes} bytes (the old index: 68.7 MB charged)`);
});
