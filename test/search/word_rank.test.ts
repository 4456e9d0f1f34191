// Ranking of the index-free words mode on a small Node.js-like fixture: the page a person means first,
// and inside it the section that answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  pathTokensOf,
  rankByWords,
  type RankInput,
  type RankMemo,
  type RankSource,
  termMatcher,
} from '../../src/search/word_rank.ts';
import { indexSections } from '../../src/search/sections.ts';
import { parseHeadingsInSlices } from '../../src/formats/headings.ts';
import { lineTable } from '../../src/document/document.ts';
import { rankSource } from '../helpers/rank_source.ts';

type Doc = {
  readonly key: string;
  readonly path: string;
  readonly title: string;
  readonly headings: readonly string[];
  readonly text: string;
};

const DOCS: readonly Doc[] = [
  {
    key: 'api:child_process.md',
    path: 'api/child_process.md',
    title: 'Child process',
    headings: [
      'Asynchronous process creation',
      'child_process.spawn(command[, args][, options])',
      'child_process.exec(command)',
    ],
    text: [
      'The node:child_process module provides the ability to spawn subprocesses.',
      'Use child_process.spawn() to start a command; the exec() method runs it in a shell.',
      'The subprocess has stdin, stdout and stderr pipes connected to the parent.',
    ].join('\n'),
  },
  {
    key: 'api:fs.md',
    path: 'api/fs.md',
    title: 'File system',
    headings: ['fs.readFile(path[, options], callback)', 'fs.writeFile(file, data)', 'File descriptors'],
    text: [
      'The node:fs module enables interacting with the file system.',
      'fs.readFile() asynchronously reads the entire contents of a file.',
      'Use fs.readFileSync() to read a file synchronously, and fs.writeFile() to write one.',
    ].join('\n'),
  },
  {
    key: 'api:http.md',
    path: 'api/http.md',
    title: 'HTTP',
    headings: ['http.createServer([options][, requestListener])', 'Class: http.IncomingMessage'],
    text: [
      'To use the HTTP server and client one must require node:http.',
      'The server emits a request event for each incoming request.',
      'A server can read the request body as a stream.',
    ].join('\n'),
  },
  {
    key: 'api:events.md',
    path: 'api/events.md',
    title: 'Events',
    headings: ['Class: EventEmitter', 'emitter.emit(eventName[, ...args])', 'emitter.on(eventName, listener)'],
    text: [
      'Much of the Node.js core API is built around an asynchronous event-driven architecture.',
      'Objects called emitters emit named events that cause listener functions to be called.',
      'The emit() method calls each listener registered for the event, in order.',
    ].join('\n'),
  },
  {
    key: 'api:stream.md',
    path: 'api/stream.md',
    title: 'Stream',
    headings: ['Readable streams', 'Writable streams', 'stream.pipeline(source, destination)'],
    text: [
      'A stream is an abstract interface for working with streaming data.',
      'Streams are instances of EventEmitter and emit events such as data and end.',
      'A readable stream can read a file chunk by chunk.',
    ].join('\n'),
  },
  {
    key: 'api:worker_threads.md',
    path: 'api/worker_threads.md',
    title: 'Worker threads',
    headings: ['new Worker(filename)', 'worker.postMessage(value)'],
    text: [
      'The node:worker_threads module enables the use of threads that execute JavaScript in parallel.',
      'Unlike a child process you spawn, workers share memory.',
      'Workers are useful for CPU-intensive work, not for I/O.',
    ].join('\n'),
  },
  {
    key: 'api:path.md',
    path: 'api/path.md',
    title: 'Path',
    headings: ['path.join([...paths])', 'path.resolve([...paths])'],
    text: 'The node:path module provides utilities for working with file and directory paths.',
  },
  {
    key: 'guide:cluster.md',
    path: 'guide/cluster.md',
    title: 'Cluster',
    headings: ['How it works'],
    text: [
      'Clusters of Node.js processes can be used to run multiple instances of Node.js.',
      'The worker processes are spawned using the child_process.fork() method.',
    ].join('\n'),
  },
];

/** A markdown text: the title, the body, then each heading (sections without a body of their own). */
function markdown(d: Doc): string {
  return [`# ${d.title}`, d.text, ...d.headings.map((h) => `## ${h}`)].join('\n');
}

function sectionsOf(text: string) {
  return async () => {
    const lines = await lineTable(text, () => Promise.resolve());
    return await indexSections(text, lines, await parseHeadingsInSlices(lines, 'markdown', () => Promise.resolve()));
  };
}

function inputs(docs: readonly Doc[]): RankInput[] {
  return docs.map((d) => ({ key: d.key, path: d.path, text: markdown(d), sections: sectionsOf(markdown(d)) }));
}

const newMemo = (): RankMemo => ({ counts: new Map(), bySection: new Map() });

async function keys(query: string, limit = 10, docs: readonly Doc[] = DOCS): Promise<string[]> {
  // A document's rank is where its first section appears.
  return [...new Set((await rankByWords(rankSource(inputs(docs)), query, limit)).map((h) => h.key))];
}

test('`rankByWords()` ranks the child_process doc first when asked to spawn a child process', async () => {
  const hits = await keys('spawn a child process');
  assert.equal(hits[0], 'api:child_process.md');
  assert.ok(hits.includes('api:worker_threads.md'), 'a doc mentioning spawning in passing still matches');
  assert.ok(hits.indexOf('api:worker_threads.md') > 0);
});

test('`rankByWords()` ranks fs first when asked to read a file', async () => {
  assert.equal((await keys('read a file'))[0], 'api:fs.md');
});

test('`rankByWords()` ranks events first when asked to emit an event', async () => {
  assert.equal((await keys('emit an event'))[0], 'api:events.md');
});

test('`rankByWords()` finds identifiers by compound or parts', async () => {
  assert.equal((await keys('readFileSync'))[0], 'api:fs.md');
  assert.equal((await keys('worker_threads'))[0], 'api:worker_threads.md');
  assert.equal((await keys('http server'))[0], 'api:http.md');
});

test('`rankByWords()` returns scores best first, nothing for unknown or stop-word queries', async () => {
  const hits = await rankByWords(rankSource(inputs(DOCS)), 'stream pipeline', 10);
  assert.ok(hits.length > 0);
  for (let i = 1; i < hits.length; i++) assert.ok((hits[i - 1]?.score ?? 0) >= (hits[i]?.score ?? 0));
  assert.deepEqual(await rankByWords(rankSource(inputs(DOCS)), 'kubernetes', 10), []);
  assert.deepEqual(await rankByWords(rankSource(inputs(DOCS)), 'the a of', 10), []);
});

test('`rankByWords()` returns at most `limit` hits and breaks ties by key', async () => {
  assert.equal((await keys('node', 2)).length, 2);
  const twins: Doc[] = [
    { key: 'b', path: 'b.md', title: 'Same', headings: [], text: 'identical words here' },
    { key: 'a', path: 'a.md', title: 'Same', headings: [], text: 'identical words here' },
  ];
  assert.deepEqual(await keys('identical words', 10, twins), ['a', 'b']);
});

test('`rankByWords()` weighs a title or file name above a passing body mention', async () => {
  const docs: Doc[] = [
    {
      key: 'body',
      path: 'misc.md',
      title: 'Misc',
      headings: [],
      text: 'one mention of tracing among many other words about anything at all',
    },
    {
      key: 'title',
      path: 'guide.md',
      title: 'Tracing',
      headings: [],
      text: 'how things work in general with many other words about anything at all',
    },
    {
      key: 'name',
      path: 'tracing.md',
      title: 'Guide',
      headings: [],
      text: 'one mention of tracing among many other words about anything at all',
    },
  ];
  const hits = await keys('tracing', 10, docs);
  assert.equal(hits[hits.length - 1], 'body', 'the same body mention weighs more in the page named for it');
});

test('`rankByWords()` splits only the finalists into sections', async () => {
  let asked = 0;
  const many: RankInput[] = Array.from({ length: 500 }, (_, i) => {
    const text = `term ${'filler '.repeat(i % 7)}`;
    return { key: `d${i}`, path: `d${i}.md`, text, sections: () => (asked++, sectionsOf(text)()) };
  });
  const hits = await rankByWords(rankSource(many), 'term', 5);
  assert.equal(hits.length, 5);
  assert.ok(asked <= 100, `sections asked ${asked} times`);
});

test('`rankByWords()` with a memo ranks exactly as without, fills it, and reads it on the next query', async () => {
  const memos = DOCS.map(newMemo);
  const withMemo = (): RankInput[] => inputs(DOCS).map((d, i) => ({ ...d, memo: memos[i] ?? null }));
  for (const query of ['spawn a child process', 'read a file', 'emit an event']) {
    const plain = await rankByWords(rankSource(inputs(DOCS)), query, 10);
    assert.deepEqual(await rankByWords(rankSource(withMemo()), query, 10), plain, query);
    assert.deepEqual(await rankByWords(rankSource(withMemo()), query, 10), plain, `${query}, from the memo`);
  }
  assert.ok(memos.every((m) => m.counts.has('spawn') && m.counts.has('file')), 'every text has its counts');
  // A memo that disagrees with the text wins: proof that counts are read from it, not recounted.
  const lying = inputs(DOCS).map((d) => ({
    ...d,
    memo: { ...newMemo(), counts: new Map([['spawn', d.key === 'api:fs.md' ? 50 : 0]]) },
  }));
  assert.equal((await rankByWords(rankSource(lying), 'spawn', 1))[0]?.key, 'api:fs.md');
});

test('`rankByWords()` keeps at most 16 terms per memo', async () => {
  const memo = newMemo();
  const doc: RankInput = { key: 'k', path: 'k.md', text: 'alpha beta', sections: sectionsOf('alpha beta'), memo };
  for (let i = 0; i < 40; i++) await rankByWords(rankSource([doc]), `word${i}x alpha`, 1);
  assert.ok(memo.counts.size <= 16 && memo.bySection.size <= 16, `${memo.counts.size} terms remembered`);
});

const CRYPTO = [
  '# Crypto',
  'The node:crypto module provides cryptographic functionality, hashes among it.',
  '## Class: Hmac',
  'The Hmac class is a utility for creating cryptographic HMAC digests.',
  '## crypto.createHash(algorithm)',
  'Creates and returns a Hash object that can be used to generate hash digests',
  'using the given algorithm, e.g. sha256 or sha512.',
  '### Example',
  'const h = createHash("md5"); h.update(data);',
  '## crypto.randomUUID()',
  'Generates a random RFC 4122 version 4 UUID.',
].join('\n');

test('`rankByWords()` ranks sections: the one that answers first, several of one document, each with its heading path', async () => {
  const doc: RankInput = { key: 'crypto.md', path: 'crypto.md', text: CRYPTO, sections: sectionsOf(CRYPTO) };
  const hits = await rankByWords(rankSource([doc]), 'compute a sha256 hash of a string', 10);
  assert.deepEqual(hits[0]?.section.title, 'crypto.createHash(algorithm)');
  assert.ok(hits.length >= 2, 'several sections of one document');
  const example = hits.find((h) => h.section.title === 'Example');
  assert.deepEqual(example?.section.path, ['Crypto', 'crypto.createHash(algorithm)'], 'a subsection names its parents');
  assert.equal(
    (await rankByWords(rankSource([doc]), 'generate a random uuid', 1))[0]?.section.title,
    'crypto.randomUUID()',
  );
});

test('`rankByWords()` does not let a heading-only stub outweigh the section that explains the term', async () => {
  // Sections of about 60 words; "Misc" is three. Length normalisation alone would weigh its one mention 4x.
  const filler = (topic: string) =>
    Array.from({ length: 6 }, (_, k) => `The ${topic} part ${k} has several more words.`);
  const text = [
    '# Guide',
    '## Timers',
    'A timer fires once its timeout has passed; the timeout is given in milliseconds.',
    'Clearing the timer before the timeout ends cancels it.',
    ...filler('timer'),
    '## Misc',
    'See timeout.',
    ...['Streams', 'Buffers', 'Events'].flatMap((h) => [`## ${h}`, ...filler(h.toLowerCase()), ...filler('other')]),
  ].join('\n');
  const hits = await rankByWords(
    rankSource([{ key: 'g.md', path: 'g.md', text, sections: sectionsOf(text) }]),
    'timeout',
    2,
  );
  assert.deepEqual(hits.map((h) => h.section.title), ['Timers', 'Misc']);
});

test('`termMatcher()` meets identifiers by their parts: createHash, fs.readFile, line-by-line, directories', () => {
  const count = (term: string, text: string): number => {
    const { re, at } = termMatcher(term);
    return [...text.matchAll(re)].filter((m) => at(text, m.index)).length;
  };
  assert.equal(count('hash', 'createHash and hashes'), 2);
  assert.equal(count('file', 'fs.readFile(path) reads a file'), 2);
  assert.equal(count('line', 'read a stream line-by-Line'), 2);
  assert.equal(count('directory', 'parent directories of a directory'), 2);
  assert.equal(count('hash', 'rehash and the shash'), 0, 'not inside a lowercase word');
  assert.equal(count('folder', 'a directory'), 1, "a reader's word meets the documentation's");
});

test('`rankByWords()` asks again only for the finalists; one not handed out again ranks as a whole document', async () => {
  const list = inputs(DOCS);
  const seen: string[] = [];
  const again: string[] = [];
  const source: RankSource = {
    each: async (visit) => {
      for (const input of list) await (seen.push(input.key), visit(input));
    },
    again: async (key, visit) => {
      again.push(key);
      const input = list.find((i) => i.key === key && i.key !== 'api:fs.md'); // fs.md was deleted meanwhile
      if (input) await visit(input);
    },
  };
  const hits = await rankByWords(source, 'read a file', 10);
  assert.deepEqual(seen, list.map((i) => i.key), 'each text visited once in phase 1');
  assert.ok(again.includes('api:fs.md') && again.length <= list.length, `${again.length} asked again`);
  const gone = hits.filter((h) => h.key === 'api:fs.md');
  assert.ok(gone.every((h) => h.section.line === 1 && h.section.title === null), 'not split: ranked whole');
  assert.ok(hits.length > 0);
});

test("`pathTokensOf()` keeps a path's last 64 words: a planted name of a word per character is not kept whole", () => {
  const name = 'aB_cD-'.repeat(200);
  const tokens = pathTokensOf(`docs/${name}/guide.md`);
  assert.equal(tokens.length, 64);
  assert.equal(tokens.at(-1), pathTokensOf('guide.md')[0], "the file name's words are kept");
  assert.equal(pathTokensOf('api/child-process.md').length, 3);
});
