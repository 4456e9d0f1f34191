// The search corpus stays correct when files change: changed files re-read, new files appear, deleted
// ones disappear (after the snapshot's bounded lifetime), and denied files are never cached or listed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linkSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.ts';
import { createPathRules } from '../../src/policy/path_rules.ts';
import type { Confinement } from '../../src/policy/resolver.ts';
import { createNodeHost } from '../../src/runtime/node_host.ts';
import { createDocumentCache } from '../../src/document/document.ts';
import {
  type CorpusEntry,
  createSearchCorpus,
  type SearchCorpus,
  SNAPSHOT_TTL_MS,
  type SnapshotOptions,
} from '../../src/search/corpus.ts';
import { makeTree, tempDir } from '../helpers/fixtures.ts';

/** Every file `stream()` hands over: the whole snapshot. */
async function snapshotOf(corpus: SearchCorpus, o: SnapshotOptions): Promise<{ files: CorpusEntry[] }> {
  const files: CorpusEntry[] = [];
  await corpus.stream(o, async (f) => (files.push(f), true));
  return { files };
}

/** A confinement over `dir` with the default rules (symlinks denied), and snapshot options for its root. */
async function confined(dir: string) {
  const host = createNodeHost();
  const config = await loadConfig(host, { configPath: null, rootArgs: [dir], logPath: null });
  const c: Confinement = {
    host,
    rules: createPathRules(config.files.extensions, config.files.deny, false),
    symlinks: 'deny',
    hardLinks: false,
    maxFileBytes: 1 << 20,
  };
  const options: SnapshotOptions = {
    confinement: c,
    root: config.roots[0]!,
    maxDepth: 16,
    maxVisited: 10_000,
    signal: new AbortController().signal,
  };
  return { c, options };
}

async function setup() {
  const outside = makeTree({ 'secret.md': 'OUTSIDE-CANARY' });
  const dir = makeTree({ 'a.md': 'alpha text\n', 'sub/b.md': 'beta text\n', '.env': 'ENV-CANARY', 'notes.bin': 'x' });
  symlinkSync(join(outside, 'secret.md'), join(dir, 'link.md'));
  const { c, options } = await confined(dir);
  let clock = 0;
  const corpus = createSearchCorpus(1 << 24, () => clock, createDocumentCache(1 << 20));
  const advance = () => void (clock += SNAPSHOT_TTL_MS + 1);
  return { dir, corpus, options, c, advance };
}

async function texts(s: Awaited<ReturnType<typeof setup>>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of (await snapshotOf(s.corpus, s.options)).files) {
    const t = await s.corpus.text(s.c, f);
    if (t !== null) out[f.path.rel] = t;
  }
  return out;
}

test('`snapshot()` lists only servable files: no dot-files, symlinks or foreign extensions', async () => {
  const s = await setup();
  assert.deepEqual(Object.keys(await texts(s)).sort(), ['a.md', 'sub/b.md']);
});

test('the corpus sees a changed, a new and a deleted file once the snapshot expires', async () => {
  const s = await setup();
  assert.equal((await texts(s))['a.md'], 'alpha text\n');
  writeFileSync(join(s.dir, 'a.md'), 'alpha changed, longer\n');
  utimesSync(join(s.dir, 'a.md'), new Date(), new Date(Date.now() + 5000));
  writeFileSync(join(s.dir, 'new.md'), 'gamma\n');
  rmSync(join(s.dir, 'sub/b.md'));
  s.advance();
  const now = await texts(s);
  assert.equal(now['a.md'], 'alpha changed, longer\n');
  assert.equal(now['new.md'], 'gamma\n');
  assert.equal(now['sub/b.md'], undefined);
});

test('a file replaced by a symlink to the outside is never served from the cache', async () => {
  const s = await setup();
  await texts(s);
  const outside = tempDir();
  writeFileSync(join(outside, 'x.md'), 'SWAPPED-CANARY');
  rmSync(join(s.dir, 'a.md'));
  symlinkSync(join(outside, 'x.md'), join(s.dir, 'a.md'));
  s.advance();
  const now = await texts(s);
  assert.equal(now['a.md'], undefined);
  assert.ok(!JSON.stringify(now).includes('CANARY'));
});

test('a file replaced by another one of the same size and time is read again (its inode is in the cache key)', async () => {
  const s = await setup();
  assert.equal((await texts(s))['a.md'], 'alpha text\n');
  const outside = tempDir();
  writeFileSync(join(outside, 'a.md'), 'ALPHA TEXT\n');
  const when = new Date(Date.now() - 60_000);
  utimesSync(join(s.dir, 'a.md'), when, when);
  s.advance();
  await texts(s); // cached with the old file's time
  utimesSync(join(outside, 'a.md'), when, when);
  renameSync(join(outside, 'a.md'), join(s.dir, 'a.md'));
  s.advance();
  assert.equal((await texts(s))['a.md'], 'ALPHA TEXT\n');
});

test('with symlinks "within-root", a link to a document inside the root is searched through its target', async () => {
  const s = await setup();
  symlinkSync(join(s.dir, 'sub/b.md'), join(s.dir, 'alias.md'));
  const c: Confinement = { ...s.c, symlinks: 'within-root' };
  const snap = await snapshotOf(s.corpus, { ...s.options, confinement: c });
  const alias = snap.files.find((f) => f.path.rel === 'alias.md');
  assert.ok(alias, 'the link is listed');
  assert.equal(await s.corpus.text(c, alias), 'beta text\n');
  assert.equal(snap.files.find((f) => f.path.rel === 'link.md'), undefined, 'a link leaving the root is not');
});

test('concurrent reads never mix texts (the shared read buffer has one holder at a time)', async () => {
  const s = await setup();
  const files: Record<string, string> = {};
  for (let i = 0; i < 40; i++) files[`many/f${i}.md`] = `file ${i} `.repeat(50 + i);
  makeTree(files, s.dir);
  s.advance();
  const snap = await snapshotOf(s.corpus, s.options);
  const entries = snap.files.filter((f) => f.path.rel.startsWith('many/'));
  const texts = await Promise.all(entries.map((e) => s.corpus.text(s.c, e)));
  entries.forEach((e, i) => assert.equal(texts[i], files[e.path.rel], e.path.rel));
});

test('`stream()` hands files over in walk order; a walk stopped early leaves no snapshot, a complete one does', async () => {
  const s = await setup();
  const seen: string[] = [];
  await s.corpus.stream(s.options, async (f) => (seen.push(f.path.rel), false));
  assert.deepEqual(seen, ['a.md'], 'stopped after the first file');
  assert.equal(s.corpus.fresh(s.options), null, 'a partial walk is not a snapshot');
  const all: string[] = [];
  await s.corpus.stream(s.options, async (f) => (all.push(f.path.rel), true));
  assert.deepEqual(all, ['a.md', 'sub/b.md']);
  assert.deepEqual(
    s.corpus.fresh(s.options)?.files.map((f) => f.path.rel),
    all,
    'the complete walk became the snapshot',
  );
  writeFileSync(join(s.dir, 'c.md'), 'new\n');
  const again: string[] = [];
  await s.corpus.stream(s.options, async (f) => (again.push(f.path.rel), true));
  assert.deepEqual(again, all, 'within its lifetime the snapshot serves, in the same order');
  s.advance();
  assert.equal(s.corpus.fresh(s.options), null);
  assert.deepEqual((await snapshotOf(s.corpus, s.options)).files.map((f) => f.path.rel), ['a.md', 'c.md', 'sub/b.md']);
});

test('`rankMemo()` belongs to the cached text: none for an uncached one, a new one once the file changed', async () => {
  const s = await setup();
  const entry = (await snapshotOf(s.corpus, s.options)).files.find((f) => f.path.rel === 'a.md')!;
  assert.equal(s.corpus.rankMemo(entry, 'alpha text\n'), null, 'not read yet');
  const text = (await s.corpus.text(s.c, entry))!;
  const memo = s.corpus.rankMemo(entry, text)!;
  memo.counts.set('alpha', 1);
  assert.equal(s.corpus.rankMemo(entry, text), memo, 'the same text keeps its memo');
  assert.equal(s.corpus.rankMemo(entry, 'another text'), null, 'a different text never gets it');
  writeFileSync(join(s.dir, 'a.md'), 'alpha changed and longer\n');
  s.advance();
  const changed = (await snapshotOf(s.corpus, s.options)).files.find((f) => f.path.rel === 'a.md')!;
  const newText = (await s.corpus.text(s.c, changed))!;
  assert.equal(s.corpus.rankMemo(changed, newText)?.counts.size, 0, 'a changed file starts a fresh memo');
});

/** The real Node host, counting the calls that list folders, stat entries and open files. */
function countingHost() {
  const host = createNodeHost();
  const calls = { readdir: 0, lstat: 0, openRead: 0 };
  const counted: typeof host = {
    ...host,
    readdir: (...a) => (calls.readdir++, host.readdir(...a)),
    lstat: (p) => (calls.lstat++, host.lstat(p)),
    openRead: (p) => (calls.openRead++, host.openRead(p)),
  };
  return { host: counted, calls };
}

/** Sets every folder's and file's times a minute back: none was changed "just now". */
function settle(dir: string, rels: readonly string[]): void {
  const then = new Date(Date.now() - 60_000);
  for (const rel of ['', ...rels]) utimesSync(join(dir, rel), then, then);
}

test('an expired snapshot is rechecked by stat and lstat alone while nothing changed; any change walks again', async () => {
  const s = await setup();
  settle(s.dir, ['sub', 'a.md', 'sub/b.md']);
  const { host, calls } = countingHost();
  const c: Confinement = { ...s.c, host };
  const o = { ...s.options, confinement: c };
  const read = async () => {
    const out: Record<string, string | null> = {};
    for (const f of (await snapshotOf(s.corpus, o)).files) out[f.path.rel] = await s.corpus.text(c, f);
    return out;
  };
  assert.deepEqual(await read(), { 'a.md': 'alpha text\n', 'sub/b.md': 'beta text\n' });
  const walked = { ...calls };
  assert.equal(walked.readdir, 2, 'the first snapshot lists the root and sub/');
  s.advance();
  assert.deepEqual(await read(), { 'a.md': 'alpha text\n', 'sub/b.md': 'beta text\n' });
  assert.deepEqual(calls, { readdir: 2, lstat: walked.lstat + 2, openRead: walked.openRead }, 'one lstat per file');
  writeFileSync(join(s.dir, 'a.md'), 'alpha edited in place\n'); // the folder's entries stay the same
  s.advance();
  assert.deepEqual(await read(), { 'a.md': 'alpha edited in place\n', 'sub/b.md': 'beta text\n' });
  assert.deepEqual([calls.readdir, calls.openRead], [4, walked.openRead + 1], 'walked again; only the edit is read');
  writeFileSync(join(s.dir, 'sub/c.md'), 'gamma\n'); // a new entry changes the folder
  s.advance();
  assert.equal((await read())['sub/c.md'], 'gamma\n');
  assert.equal(calls.readdir, 6, 'a changed folder: the root is walked again');
});

test('a rechecked snapshot leaves out a file that gained a hard link, as a walk would', async () => {
  const s = await setup();
  settle(s.dir, ['sub', 'a.md', 'sub/b.md']);
  await snapshotOf(s.corpus, s.options);
  const elsewhere = tempDir();
  linkSync(join(s.dir, 'a.md'), join(elsewhere, 'a-link.md')); // a link from outside: the root's folders are unchanged
  s.advance();
  assert.deepEqual((await snapshotOf(s.corpus, s.options)).files.map((f) => f.path.rel), ['sub/b.md']);
});

test('`headings()` splits and scans a text a slice at a time: a tick at least every 4,096 lines', async () => {
  const s = await setup();
  const entry = (await snapshotOf(s.corpus, s.options)).files.find((f) => f.path.rel === 'a.md')!;
  const text = `# Top\n${'\n'.repeat(100_000)}## Last\n`;
  let ticks = 0;
  const headings = await s.corpus.headings(entry, text, async () => void ticks++);
  assert.deepEqual(headings.map((h) => [h.title, h.line]), [['Top', 1], ['Last', 100_002]]);
  assert.ok(ticks >= 2 * Math.floor(100_000 / 4096), `${ticks} ticks for 100,000 lines split and scanned`);
});

// An outside attack planted 100 files of 1 MB whose heading chains defeat sharing: their section indexes, kept
// with the cached texts but not counted, took one words search to 1.1 GB. They count against the cap now.
test('headings and section indexes count against the cache cap: the oldest texts go, a huge index is not kept', async () => {
  const chain = (k: number) =>
    Array.from({ length: 1500 }, (_, i) => `${'#'.repeat(1 + (i % 6))} t${k} h${i}`).join('\n');
  const files = Object.fromEntries(Array.from({ length: 10 }, (_, k) => [`f${k}.md`, chain(k)]));
  const { c, options } = await confined(makeTree({ ...files, 'huge.md': chain(99).repeat(3) }));
  const probe = createSearchCorpus(1 << 30, () => 0, createDocumentCache(1 << 20));
  const first = (await snapshotOf(probe, options)).files[1]!;
  const firstText = (await probe.text(c, first))!;
  const one = firstText.length + (await probe.sections(first, firstText, () => Promise.resolve())).bytes;
  assert.ok(probe.held() > one, 'its headings are charged too');
  const cap = 12 * one; // ten such files are more than it holds; one is less than an eighth of it
  const corpus = createSearchCorpus(cap, () => 0, createDocumentCache(1 << 20));
  const entries = (await snapshotOf(corpus, options)).files;
  for (const f of entries) {
    const text = (await corpus.text(c, f))!;
    assert.ok(corpus.rankMemo(f, text), `${f.path.rel}: its text alone is kept`);
    await corpus.sections(f, text, () => Promise.resolve());
    if (f.path.rel === 'huge.md')
      assert.equal(corpus.rankMemo(f, text), null, 'its index is over an eighth of the cap');
    assert.ok(corpus.held() <= cap, `${corpus.held()} held, cap ${cap}`);
  }
  const kept = entries.filter((f) => f.path.rel !== 'huge.md' && corpus.cached(f) !== null);
  assert.ok(kept.length > 0 && kept.length < 10, `${kept.length} of 10 indexed texts kept`);
  assert.ok(kept.every((f) => f.path.rel >= `f${10 - kept.length}.md`), 'the newest are kept, the oldest went first');
});
