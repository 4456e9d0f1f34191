import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { WordIndex, createWordIndex } from '../../src/search/word_index.ts';
import type { IndexedDoc } from '../../src/search/word_index.ts';

const DOCS: readonly IndexedDoc[] = [
  {
    key: 'api:child_process.md',
    path: 'api/child_process.md',
    title: 'Child process',
    headings: ['Asynchronous process creation', 'child_process.spawn(command[, args][, options])', 'child_process.exec(command)'],
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

function fixture(docs: readonly IndexedDoc[] = DOCS): WordIndex {
  const index = new WordIndex();
  for (const doc of docs) index.add(doc);
  return index;
}

function keys(index: WordIndex, query: string, limit = 10): string[] {
  return index.search(query, { limit }).map((hit) => hit.key);
}

test('`search()` ranks the child_process doc first when asked to spawn a child process', () => {
  const hits = keys(fixture(), 'spawn a child process');
  assert.equal(hits[0], 'api:child_process.md');
  // the docs that only mention spawning in passing still match, but lower
  assert.ok(hits.includes('api:worker_threads.md'));
  assert.ok(hits.includes('guide:cluster.md'));
});

test('`search()` ranks fs first when asked to read a file', () => {
  assert.equal(keys(fixture(), 'read a file')[0], 'api:fs.md');
});

test('`search()` ranks events first when asked to emit an event', () => {
  assert.equal(keys(fixture(), 'emit an event')[0], 'api:events.md');
});

test('`search()` finds identifiers in any spelling when queried by compound or parts', () => {
  const index = fixture();
  assert.equal(keys(index, 'readFileSync')[0], 'api:fs.md');
  assert.equal(keys(index, 'worker_threads')[0], 'api:worker_threads.md');
  assert.equal(keys(index, 'http server')[0], 'api:http.md');
});

test('`search()` returns scores best first and nothing when no term matches', () => {
  const index = fixture();
  const hits = index.search('stream pipeline', { limit: 10 });
  for (let i = 1; i < hits.length; i++) assert.ok((hits[i - 1]?.score ?? 0) >= (hits[i]?.score ?? 0));
  assert.deepEqual(index.search('kubernetes', { limit: 10 }), []);
  assert.deepEqual(index.search('the a of', { limit: 10 }), []);
});

test('`search()` returns at most `limit` hits when more match', () => {
  const index = fixture();
  assert.equal(index.search('node', { limit: 2 }).length, 2);
  assert.deepEqual(index.search('node', { limit: 0 }), []);
});

test('`search()` skips documents the filter rejects', () => {
  const filter = (key: string): boolean => key !== 'api:child_process.md';
  const hits = fixture().search('spawn a child process', { limit: 10, filter });
  assert.ok(hits.length > 0);
  assert.ok(hits.every((hit) => hit.key !== 'api:child_process.md'));
});

test('`search()` breaks score ties by key ascending whatever the insertion order', () => {
  const twin = (key: string): IndexedDoc => ({ key, path: 'same.md', title: 'Same', headings: [], text: 'identical words here' });
  const forward = createWordIndex();
  const backward = createWordIndex();
  for (const key of ['b', 'c', 'a']) forward.add(twin(key));
  for (const key of ['a', 'c', 'b']) backward.add(twin(key));
  const expected = ['a', 'b', 'c'];
  assert.deepEqual(keys(forward, 'identical words'), expected);
  assert.deepEqual(keys(backward, 'identical words'), expected);
});

test('`remove()` drops a document from results, size and idf when it was indexed', () => {
  const index = fixture();
  index.remove('api:child_process.md');
  assert.equal(index.has('api:child_process.md'), false);
  assert.equal(index.size, DOCS.length - 1);
  assert.ok(!keys(index, 'spawn a child process').includes('api:child_process.md'));
  // the index behaves exactly as one that never held the document
  const never = fixture(DOCS.filter((doc) => doc.key !== 'api:child_process.md'));
  assert.deepEqual(index.search('spawn child process subprocess', { limit: 10 }), never.search('spawn child process subprocess', { limit: 10 }));
  index.remove('no such key');
  assert.equal(index.size, DOCS.length - 1);
});

test('`remove()` frees every posting when all documents go', () => {
  const index = fixture();
  for (const doc of DOCS) index.remove(doc.key);
  assert.equal(index.size, 0);
  assert.deepEqual(index.search('spawn file event stream', { limit: 10 }), []);
  index.add({ key: 'x', path: 'x.md', title: 'X', headings: [], text: 'spawn' });
  assert.deepEqual(keys(index, 'spawn file'), ['x']);
});

test('`add()` replaces the document when the key is added twice', () => {
  const index = fixture();
  index.add({ key: 'api:fs.md', path: 'api/fs.md', title: 'Renamed', headings: [], text: 'nothing about disks here' });
  assert.equal(index.size, DOCS.length);
  assert.ok(!keys(index, 'readFileSync').includes('api:fs.md'));
  assert.deepEqual(keys(index, 'disks'), ['api:fs.md']);
});

test('`add()` weighs title, path and headings above a body mention', () => {
  const index = createWordIndex();
  index.add({ key: 'body', path: 'a.md', title: 'A', headings: [], text: 'zebra and other words to make the body longer' });
  index.add({ key: 'heading', path: 'b.md', title: 'B', headings: ['Zebra'], text: 'other words to make the body longer' });
  index.add({ key: 'path', path: 'zebra.md', title: 'C', headings: [], text: 'other words to make the body longer' });
  index.add({ key: 'title', path: 'd.md', title: 'Zebra', headings: [], text: 'other words to make the body longer' });
  assert.deepEqual(keys(index, 'zebra'), ['title', 'path', 'heading', 'body']);
});

test('`search()` gives a bonus when query terms share one heading', () => {
  const index = createWordIndex();
  const text = 'alpha beta gamma';
  index.add({ key: 'apart', path: 'p.md', title: 'P', headings: ['Alpha', 'Beta'], text });
  index.add({ key: 'together', path: 'q.md', title: 'Q', headings: ['Alpha beta'], text });
  assert.deepEqual(keys(index, 'alpha beta'), ['together', 'apart']);
  // one term alone gets no bonus: same counts, so the tie falls back to key order
  assert.deepEqual(keys(index, 'alpha'), ['apart', 'together']);
});

// A small seeded generator so the synthetic corpus is the same on every run.
function lcg(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

test('`WordIndex` indexes 5,000 docs of ~2 KB in under 5 s and answers in under 200 ms', () => {
  const random = lcg(42);
  const vocabulary = Array.from({ length: 4000 }, (_, i) => `w${i.toString(36)}x${'abcdefgh'[i % 8] ?? 'a'}`);
  const pick = (): string => vocabulary[Math.floor(random() ** 2 * vocabulary.length)] ?? 'none';
  const docs: IndexedDoc[] = [];
  for (let i = 0; i < 5000; i++) {
    const words: string[] = [];
    let length = 0;
    while (length < 2000) {
      const word = pick();
      words.push(word);
      length += word.length + 1;
    }
    docs.push({ key: `doc${i}`, path: `dir${i % 50}/file_${i}.md`, title: `${pick()} ${pick()}`, headings: [pick(), `${pick()} ${pick()}`], text: words.join(' ') });
  }
  const index = createWordIndex();
  const t0 = performance.now();
  for (const doc of docs) index.add(doc);
  const indexMs = performance.now() - t0;
  assert.equal(index.size, 5000);
  assert.ok(indexMs < 5000, `indexing took ${indexMs.toFixed(0)} ms`);

  const t1 = performance.now();
  const hits = index.search(`${vocabulary[0] ?? ''} ${vocabulary[1] ?? ''} ${vocabulary[500] ?? ''} file`, { limit: 20 });
  const queryMs = performance.now() - t1;
  assert.equal(hits.length, 20);
  assert.ok(queryMs < 200, `query took ${queryMs.toFixed(0)} ms`);
});
