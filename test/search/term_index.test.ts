// The warm-up's word-start index counts a query term exactly as words mode's regex scan does (termMatcher):
// on every text of the Node API corpus, on hand-made edge cases, and through rankByWords, whose ranking with
// the index is the ranking without it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildTermIndex, countTerm, MAX_INDEXED, type TermIndex, termRanges } from '../../src/search/term_index.ts';
import { rankByWords, type RankInput, type RankMemo, termMatcher } from '../../src/search/word_rank.ts';
import { eachMatch, indexSections } from '../../src/search/sections.ts';
import { queryTerms } from '../../src/search/tokenize.ts';
import { createDocumentCache, lineTable } from '../../src/document/document.ts';
import { parseHeadingsInSlices } from '../../src/formats/headings.ts';
import { corporaMissing, corpus } from '../helpers/corpora.ts';
import { makeTree } from '../helpers/fixtures.ts';
import { rankSource } from '../helpers/rank_source.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createPathRules } from '../../src/policy/path_rules.ts';
import type { Confinement } from '../../src/policy/resolver.ts';
import { createNodeHost } from '../../src/runtime/node_host.ts';
import { type CorpusEntry, createSearchCorpus } from '../../src/search/corpus.ts';

const now = () => Promise.resolve();
const bytesOf = (index: TermIndex) => index.codes.byteLength + index.ends.byteLength;

/** What phase 1 counted before the index: termMatcher's matches, uncapped. */
async function scanned(term: string, text: string): Promise<number> {
  let n = 0;
  await eachMatch(termMatcher(term), text, now, () => ++n > 0);
  return n;
}

/** The index's count, or null when it leaves the term to a scan. */
function looked(index: TermIndex, term: string): number | null {
  const ranges = termRanges(term);
  return ranges === null ? null : countTerm(index, ranges);
}

// Short and long stems, alternates that nest ("argument" also matches "arg"), y-stems (-ies), one-letter
// terms (whole words), digits, camelCase compounds, an identifier with "_" and a non-ASCII word (scans).
const TERMS = queryTerms(
  'page fault handling directory folder delete remove copy copies c x sha256 hash createHash readFile read file ' +
    'line path url parse argument key query stream buffer spawn worker_threads élan v8 utf8 2024 emitter process',
);

function textsOf(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())
    .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'));
}

test('`countTerm()` counts what the regex scan counts on every Node API page, or leaves the term to it', {
  skip: corporaMissing() ?? false,
}, async () => {
  const texts = textsOf(corpus('node-api'));
  assert.ok(texts.length >= 50, `${texts.length} pages`);
  let answered = 0;
  let left = 0;
  for (const text of texts) {
    const index = await buildTermIndex(text, now);
    assert.ok(
      bytesOf(index) <= text.length * 4,
      'at most 8 bytes per distinct start (one start per 2 characters)',
    );
    for (const term of TERMS) {
      const count = looked(index, term);
      if (count === null) left++;
      else
        (answered++,
          assert.equal(count, await scanned(term, text), `"${term}" in a page of ${text.length} characters`));
    }
  }
  assert.ok(answered > left * 4, `answered ${answered}, left to a scan ${left}`);
});

test('`countTerm()` meets camelCase boundaries, word edges and slice edges as the scan does', async () => {
  const edge = 'x'.repeat((1 << 18) - 3) + ' readFile '; // a word across the first slice edge
  const text = 'readFileSync readfile XMLHttpRequest aFile éfile fooC cFoo c C. c3 Directories directory ' +
    'copies copyFile ArgumentS args deleted removes rm ' + edge + 'fs.readFile(path)';
  const index = await buildTermIndex(text, now);
  for (
    const term of ['read', 'file', 'http', 'reques', 'xml', 'c', 'c3', 'copy', 'arg', 'delet', 'remov', 'fs', 'xx']
  ) {
    assert.equal(looked(index, term), await scanned(term, text), term);
  }
  assert.equal(looked(index, 'read'), 4, 'readFileSync, readfile, the word across the edge, fs.readFile');
  assert.equal(looked(index, 'c'), 3, 'fooC, c and C: one-letter terms are whole words');
  assert.equal(looked(index, 'readfile'), null, 'a term over 6 characters whose prefix occurs: a scan decides');
  assert.equal(looked(index, 'directory'), null, 'so does a long alternate (folder: directory)');
  assert.equal(looked(index, 'zzzzzzzz'), 0, 'a long term whose prefix never starts a word: none');
  assert.equal(looked(index, 'élan'), null, 'a non-ASCII term: a scan decides');
});

test('`rankByWords()` ranks with the index exactly as with scans', { skip: corporaMissing() ?? false }, async () => {
  const root = corpus('node-api');
  const files = readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  const docs = files.map((e) => {
    const text = readFileSync(join(e.parentPath, e.name), 'utf8');
    const sections = async () => {
      const lines = await lineTable(text, now);
      return indexSections(text, lines, await parseHeadingsInSlices(lines, 'markdown', () => Promise.resolve()));
    };
    return { key: e.name, path: e.name, text, sections };
  });
  const indexed = await Promise.all(docs.map(async (d) => ({ ...d, terms: await buildTermIndex(d.text, now) })));
  for (
    const query of ['compute a sha256 hash of a string', 'read a file line by line', 'delete a folder', 'copy files']
  ) {
    const memo = (terms?: TermIndex): RankMemo => ({
      counts: new Map(),
      bySection: new Map(),
      ...terms && { terms },
    });
    const plain: RankInput[] = docs.map((d) => ({ ...d, memo: memo() }));
    const fast: RankInput[] = indexed.map((d) => ({ ...d, memo: memo(d.terms) }));
    const [a, b] = [await rankByWords(rankSource(plain), query, 10), await rankByWords(rankSource(fast), query, 10)];
    assert.ok(a.length > 0, query);
    assert.deepEqual(b, a, query);
    // A page scanned: its memo holds a term the index leaves to a scan (lookups are memoised too).
    const scans = fast.filter((d) =>
      [...d.memo?.counts.keys() ?? []].some((t) => looked(d.memo?.terms as TermIndex, t) === null)
    ).length;
    assert.equal(scans > 0, query === 'delete a folder', `${query}: ${scans} pages scanned ("directory" is long)`);
  }
});

test("the search cache keeps a text's index with its memo and charges its bytes to the cap", async () => {
  const host = createNodeHost();
  const big = 'word '.repeat(MAX_INDEXED / 5 + 1); // over the limit: its starts would be sorted in one long step
  const dir = makeTree({ 'a.md': 'readFile reads a file. '.repeat(200), 'big.md': big });
  const config = await loadConfig(host, { configPath: null, rootArgs: [dir], logPath: null });
  const rules = createPathRules(config.files.extensions, config.files.deny, false);
  const c: Confinement = { host, rules, symlinks: 'deny', hardLinks: false, maxFileBytes: 1 << 20 };
  const corpus = createSearchCorpus(1 << 24, () => 0, createDocumentCache(1 << 20));
  const o = {
    confinement: c,
    root: config.roots[0]!,
    maxDepth: 8,
    maxVisited: 100,
    signal: new AbortController().signal,
  };
  const files: CorpusEntry[] = [];
  await corpus.stream(o, async (f) => (files.push(f), true));
  const a = files.find((f) => f.path.rel === 'a.md')!;
  const text = (await corpus.text(c, a))!;
  await corpus.terms(a, text, now);
  assert.equal(corpus.rankMemo(a, text)?.terms, undefined, 'no memo yet: nothing built');
  const held = corpus.held();
  await corpus.terms(a, text, now);
  const index = corpus.rankMemo(a, text)?.terms;
  assert.ok(index, 'built once the text has a memo');
  assert.equal(corpus.held(), held + bytesOf(index), 'its bytes are charged');
  assert.equal(looked(index, 'read'), 400, 'readFile and reads, 200 times each');
  await corpus.terms(a, text, now);
  assert.equal(corpus.held(), held + bytesOf(index), 'built and charged once');
  const b = files.find((f) => f.path.rel === 'big.md')!;
  const bigText = (await corpus.text(c, b))!;
  assert.ok(corpus.rankMemo(b, bigText), 'a memo');
  await corpus.terms(b, bigText, now);
  assert.equal(corpus.rankMemo(b, bigText)?.terms, undefined, `no index over ${MAX_INDEXED} characters: it is scanned`);
});

// Outside attack: a planted 1 MiB text of one-letter words has ~520 K starts, sorted in one step of 125-219 ms
// during the warm-up. Starts are counted per distinct code and only those are sorted (how long a step takes is
// not observable without a clock: this checks that the counted index is the sorted one).
test('`buildTermIndex()` counts half a million starts by distinct code: 36 codes, every start counted', async () => {
  const words = Array.from({ length: 520_000 }, (_, i) => 'abcdefghijklmnopqrstuvwxyz0123456789'[(i * 7919) % 36]);
  const index = await buildTermIndex(words.join(' '), () => Promise.resolve());
  assert.equal(index.codes.length, 36, 'one code per distinct start');
  assert.equal(index.ends[index.ends.length - 1], 520_000, 'every start counted');
  assert.deepEqual([...index.codes], [...index.codes].sort((a, b) => a - b), 'ascending');
  assert.ok(index.ends.every((e, k) => k === 0 || e > (index.ends[k - 1] as number)), 'each code a run of its own');
});
