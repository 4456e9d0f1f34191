import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { renameSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../src/config/load.ts';
import type { Root } from '../../src/policy/resolver.ts';
import { Failure } from '../../src/errors/failure.ts';
import { type Confinement, resolvePath } from '../../src/policy/resolver.ts';
import { walk, type WalkEntry, type WalkOptions } from '../../src/policy/walker.ts';
import { createNodeHost } from '../../src/runtime/node_host.ts';
import { makeTree } from '../helpers/fixtures.ts';
import { buildPolicyTree, confinementFor, loadRoot, type PolicyTree } from '../helpers/policy_fixture.ts';

const host = createNodeHost();
let tree: PolicyTree;
let config: Config;
let root: Root;
let strict: Confinement;
let within: Confinement;

before(async () => {
  tree = buildPolicyTree();
  ({ config, root } = await loadRoot(host, tree.rootDir));
  strict = confinementFor(host, config);
  within = confinementFor(host, config, { symlinks: 'within-root' });
});

async function collect(
  c: Confinement,
  from = '',
  opts: Partial<WalkOptions> = {},
): Promise<{ entries: WalkEntry[]; truncated: boolean }> {
  const start = await resolvePath(c, root, from);
  const entries: WalkEntry[] = [];
  const r = await walk(
    c,
    start,
    { maxDepth: 16, maxVisited: 100_000, signal: new AbortController().signal, ...opts },
    (e) => {
      entries.push(e);
      return true;
    },
  );
  return { entries, truncated: r.truncated };
}

const rels = (es: readonly WalkEntry[]) => es.map((e) => e.path.rel);

// Everything the strict policy may show from the fixture tree, in walk order (depth first, byte order).
const STRICT_VISIBLE = [
  'README.md',
  'big.md',
  'empty',
  'guide',
  'guide/deep',
  'guide/deep/more.md',
  'guide/install.md',
  'later-fifo.md',
  'later-hard.md',
  'notes.txt',
  'sub',
  'swap.md',
  'swapdir',
  'swapdir/doc.md',
];

test('`walk()` lists exactly the servable entries, depth first in byte order', async () => {
  const { entries, truncated } = await collect(strict);
  assert.deepEqual(rels(entries), STRICT_VISIBLE);
  assert.equal(truncated, false);
});

test('`walk()` never shows secrets, hidden names, symlinks, hard links, FIFOs or disallowed extensions', async () => {
  for (const c of [strict, within]) {
    const shown = rels((await collect(c)).entries);
    for (
      const bad of [
        '.env',
        '.ENV.md',
        'sub/.git',
        'sub/.git/config',
        'id_rsa',
        'server.pem',
        'credentials.md',
        'secrets.yaml',
        '.hidden.md',
        'image.png',
        'Makefile',
        'hard.md',
        'pipe.md',
        'outlink.md',
        'abslink.md',
        'evil-link.md',
        'outdir',
        'outdir/private.md',
        'dangling.md',
        'loop.md',
        'passwd.md',
        'zero.md',
        'etc',
        'dirlink',
        'dirlink/install.md',
      ]
    ) {
      assert.equal(shown.includes(bad), false, `${bad} must not be listed`);
    }
    assert.equal(shown.some((r) => r.includes('private') || r.includes('passwd')), false);
  }
});

test("`walk()` with symlinks 'within-root' lists in-root file links but does not descend linked folders", async () => {
  const shown = rels((await collect(within)).entries);
  assert.ok(shown.includes('inlink.md'));
  assert.equal(shown.includes('dirlink'), false);
  assert.deepEqual(shown.filter((r) => !['inlink.md', 'envlink.md', 'hiddenlink.md'].includes(r)), STRICT_VISIBLE);
});

test("`walk()` with symlinks 'within-root' hides a link that aliases a secret or hidden file", async () => {
  const shown = rels((await collect(within)).entries);
  assert.equal(shown.includes('envlink.md'), false);
  assert.equal(shown.includes('hiddenlink.md'), false);
});

test('`walk()` reports size, mtime and depth, and confined paths that read back', async () => {
  const { entries } = await collect(strict);
  const readme = entries.find((e) => e.path.rel === 'README.md');
  assert.ok(readme);
  assert.equal(readme.size, 17);
  assert.equal(readme.depth, 1);
  assert.equal(readme.path.abs, join(tree.rootDir, 'README.md'));
  assert.ok(readme.mtimeMs > 0);
  assert.equal(entries.find((e) => e.path.rel === 'guide/deep/more.md')?.depth, 3);
  for (const e of entries) {
    const again = await resolvePath(strict, root, e.path.rel);
    assert.equal(again.kind, e.path.kind, `listed ${e.path.rel} must resolve`);
  }
});

test('`walk()` starts from a subfolder and keeps root-relative paths', async () => {
  assert.deepEqual(rels((await collect(strict, 'guide')).entries), [
    'guide/deep',
    'guide/deep/more.md',
    'guide/install.md',
  ]);
});

test('`walk()` stops descending at maxDepth', async () => {
  const top = rels((await collect(strict, '', { maxDepth: 1 })).entries);
  assert.ok(top.includes('guide'));
  assert.equal(top.some((r) => r.includes('/')), false);
  const two = rels((await collect(strict, '', { maxDepth: 2 })).entries);
  assert.ok(two.includes('guide/install.md'));
  assert.equal(two.includes('guide/deep/more.md'), false);
});

test('`walk()` fails with limit_reached, naming the limit, when it visits more than maxVisited entries', async () => {
  await assert.rejects(collect(strict, '', { maxVisited: 5 }), (err: unknown) => {
    assert.ok(err instanceof Failure);
    assert.equal(err.reason, 'limit_reached');
    assert.match(err.publicMessage, /more than 5 entries/);
    assert.match(err.publicMessage, /walkEntries/);
    return true;
  });
});

test('`walk()` stops with cancelled when the signal is aborted', async () => {
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(
    collect(strict, '', { signal: ac.signal }),
    (err: unknown) => err instanceof Failure && err.reason === 'cancelled',
  );
});

test('`walk()` notices an abort during a long walk of a large folder', async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 3000; i++) files[`f${String(i).padStart(4, '0')}.md`] = '';
  const big = makeTree(files);
  const { root: bigRoot, config: bigConfig } = await loadRoot(host, big);
  const c = confinementFor(host, bigConfig);
  const ac = new AbortController();
  let seen = 0;
  const start = await resolvePath(c, bigRoot, '');
  const p = walk(c, start, { maxDepth: 4, maxVisited: 1_000_000, signal: ac.signal }, () => {
    if (++seen === 10) ac.abort();
    return true;
  });
  await assert.rejects(p, (err: unknown) => err instanceof Failure && err.reason === 'cancelled');
  assert.ok(seen < 3000, `walk went on for ${seen} entries after the abort`);
});

test('`walk()` returns truncated when the visitor stops early', async () => {
  const start = await resolvePath(strict, root, '');
  const seen: string[] = [];
  const r = await walk(strict, start, { maxDepth: 16, maxVisited: 1000, signal: new AbortController().signal }, (e) => {
    seen.push(e.path.rel);
    return seen.length < 3;
  });
  assert.equal(r.truncated, true);
  assert.deepEqual(seen, STRICT_VISIBLE.slice(0, 3));
});

test('`walk()` honours enterDir and keep filters', async () => {
  const noGuide = rels((await collect(strict, '', { enterDir: (rel) => rel !== 'guide' })).entries);
  assert.equal(noGuide.some((r) => r === 'guide' || r.startsWith('guide/')), false);
  const filesOnly = rels((await collect(strict, '', { keep: (p) => p.kind === 'file' })).entries);
  assert.ok(filesOnly.includes('guide/install.md'), 'folders are still descended when not kept');
  assert.equal(filesOnly.includes('guide'), false);
});

test('`walk()` skips entries matching whole-path deny globs', async () => {
  const c = confinementFor(host, {
    ...config,
    files: { ...config.files, deny: [...config.files.deny, 'guide/deep/**', 'guide/deep'] },
  });
  const shown = rels((await collect(c)).entries);
  assert.ok(shown.includes('guide/install.md'));
  assert.equal(shown.some((r) => r.startsWith('guide/deep')), false);
});

test('`walk()` stats only links, entries of unknown type and the entries it keeps', async () => {
  const statted: string[] = [];
  const counting = { ...host, lstat: (p: string) => (statted.push(p.slice(tree.rootDir.length + 1)), host.lstat(p)) };
  const c = confinementFor(counting, config);
  const kept = rels((await collect(c, '', { keep: (p) => p.rel === 'guide/install.md' })).entries);
  assert.deepEqual(kept, ['guide/install.md']);
  assert.ok(statted.includes('guide/install.md'));
  for (
    const plain of ['README.md', 'big.md', 'guide', 'guide/deep', 'guide/deep/more.md', 'notes.txt', 'swapdir/doc.md']
  ) {
    assert.equal(statted.includes(plain), false, `${plain} is neither kept nor a link: no lstat`);
  }
  assert.ok(statted.includes('outlink.md'), 'a symlink is still examined');
});

test('`walk()` keeps a hard link out even when only the hard link is kept', async () => {
  const keep = (p: { rel: string }) => p.rel === 'hard.md' || p.rel === 'README.md';
  const shown = rels((await collect(strict, '', { keep })).entries);
  assert.deepEqual(shown, ['README.md']);
});

test('`walk()` leaves out an entry whose type changed between the folder listing and its lstat', async () => {
  // The listing says README.md is a folder; lstat says file: the walk trusts neither and skips it.
  const lying = {
    ...host,
    readdir: async (p: string) =>
      (await host.readdir(p)).map((d) => (d.name === 'README.md' ? { ...d, kind: 'dir' as const } : d)),
  };
  const shown = rels((await collect(confinementFor(lying, config))).entries);
  assert.equal(shown.includes('README.md'), false);
  assert.ok(shown.includes('big.md'));
});

test('`walk()` lists nothing more once the root folder is swapped during the walk (checked after each listing)', async () => {
  const parent = makeTree({ 'docs/a/one.md': '1', 'docs/b/two.md': '2', 'other/b/outside-name.md': 'x' });
  const { config: cfg, root: docs } = await loadRoot(host, join(parent, 'docs'));
  const c = confinementFor(host, cfg);
  const seen: string[] = [];
  await walk(
    c,
    await resolvePath(c, docs, ''),
    { maxDepth: 8, maxVisited: 1000, signal: new AbortController().signal },
    (e) => {
      seen.push(e.path.rel);
      if (e.path.rel === 'a/one.md') { // mid-walk: someone who can rename entries of the root's parent swaps it
        renameSync(join(parent, 'docs'), join(parent, 'docs.old'));
        symlinkSync(join(parent, 'other'), join(parent, 'docs'));
      }
      return true;
    },
  );
  assert.ok(!seen.includes('b/outside-name.md'), `the swapped-in folder was listed: ${seen.join(' ')}`);
  assert.ok(seen.includes('a/one.md'));
});
