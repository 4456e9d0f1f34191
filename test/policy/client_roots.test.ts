import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Root } from '../../src/policy/resolver.ts';
import { computeNarrowing, fileUriToPath, narrowingAllows, narrowingMayEnter } from '../../src/policy/client_roots.ts';
import { createNodeHost } from '../../src/runtime/node_host.ts';
import { makeTree } from '../helpers/fixtures.ts';
import { loadConfig } from '../../src/config/load.ts';

const host = createNodeHost();
let base: string;
let roots: readonly Root[];

before(async () => {
  base = makeTree({
    'docs/guide/a.md': 'a',
    'docs/guide2/b.md': 'b',
    'docs/api/c.md': 'c',
    'docs/my dir/d.md': 'd',
    'docs-evil/x.md': 'x',
    'other/o.md': 'o',
  });
  symlinkSync(join(base, 'docs/guide'), join(base, 'guide-link'));
  mkdirSync(join(base, 'empty'));
  roots =
    (await loadConfig(host, { configPath: null, rootArgs: [join(base, 'docs'), join(base, 'other')], logPath: null }))
      .roots;
});

const uri = (p: string) => 'file://' + p.split('/').map(encodeURIComponent).join('/');

test('`fileUriToPath()` decodes file URIs and ignores everything else', () => {
  assert.equal(fileUriToPath('file:///srv/docs'), '/srv/docs');
  assert.equal(fileUriToPath('file:///srv/my%20docs'), '/srv/my docs');
  assert.equal(fileUriToPath('file://localhost/srv/docs'), '/srv/docs');
  assert.equal(fileUriToPath('file://evil.example/srv/docs'), null);
  assert.equal(fileUriToPath('https://example.com/'), null);
  assert.equal(fileUriToPath('docs://docs/a.md'), null);
  assert.equal(fileUriToPath('/srv/docs'), null);
  assert.equal(fileUriToPath('file:///srv/%00x'), null);
  assert.equal(fileUriToPath('file:///srv/%E0%A4%A'), null);
  assert.equal(fileUriToPath('FILE:///srv'), null);
});

test('`computeNarrowing()` keeps a whole root when a client root contains it, even "file:///"', async () => {
  const n = await computeNarrowing(host, roots, ['file:///']);
  assert.equal(n.get('docs'), null);
  assert.equal(n.get('other'), null);
  const exact = await computeNarrowing(host, roots, [uri(join(base, 'docs'))]);
  assert.equal(exact.get('docs'), null);
  assert.deepEqual(exact.get('other'), []);
});

test('`computeNarrowing()` narrows a root to the client subfolders inside it', async () => {
  const n = await computeNarrowing(host, roots, [uri(join(base, 'docs/guide')), uri(join(base, 'docs/my dir'))]);
  assert.deepEqual(n.get('docs'), ['guide', 'my dir']);
  assert.deepEqual(n.get('other'), []);
  assert.equal(narrowingAllows(n, 'docs', 'guide/a.md'), true);
  assert.equal(narrowingAllows(n, 'docs', 'guide'), true);
  assert.equal(narrowingAllows(n, 'docs', 'guide2/b.md'), false, 'a name prefix is not a subtree');
  assert.equal(narrowingAllows(n, 'docs', 'api/c.md'), false);
  assert.equal(narrowingAllows(n, 'docs', 'my dir/d.md'), true);
  assert.equal(narrowingAllows(n, 'other', 'o.md'), false);
});

test('`computeNarrowing()` never widens: client roots outside, beside or above nothing grant nothing', async () => {
  const n = await computeNarrowing(host, roots, [
    uri(join(base, 'docs-evil')),
    uri(join(base, 'empty')),
    'file:///etc',
    'file:///nonexistent/x',
  ]);
  assert.deepEqual(n.get('docs'), []);
  assert.deepEqual(n.get('other'), []);
  assert.equal(narrowingAllows(n, 'docs', 'guide/a.md'), false);
  assert.equal(narrowingAllows(n, 'docs', ''), false);
  assert.equal(narrowingAllows(n, 'docs-evil', 'x.md'), false, 'an unknown root name is never allowed');
});

test('`computeNarrowing()` resolves symlinked client roots to their real folder', async () => {
  const n = await computeNarrowing(host, roots, [uri(join(base, 'guide-link'))]);
  assert.deepEqual(n.get('docs'), ['guide']);
});

test('`computeNarrowing()` ignores non-file URIs and at most considers the first 256 roots', async () => {
  const n = await computeNarrowing(host, roots, ['https://example.com/', 'docs://docs/']);
  assert.deepEqual(n.get('docs'), []);
  const many = [...Array(256).fill('file:///nonexistent'), uri(join(base, 'docs'))];
  const capped = await computeNarrowing(host, roots, many);
  assert.deepEqual(capped.get('docs'), []);
});

test('`narrowingAllows()` and `narrowingMayEnter()` allow everything without narrowing', () => {
  assert.equal(narrowingAllows(null, 'docs', 'any/thing.md'), true);
  assert.equal(narrowingMayEnter(null, 'docs', 'any'), true);
});

test('`narrowingMayEnter()` enters the folders on the way to an allowed subtree and inside it only', () => {
  const n = new Map<string, readonly string[] | null>([['docs', ['a/b']], ['whole', null], ['none', []]]);
  assert.equal(narrowingMayEnter(n, 'docs', ''), true);
  assert.equal(narrowingMayEnter(n, 'docs', 'a'), true);
  assert.equal(narrowingMayEnter(n, 'docs', 'a/b'), true);
  assert.equal(narrowingMayEnter(n, 'docs', 'a/b/c'), true);
  assert.equal(narrowingMayEnter(n, 'docs', 'a/bc'), false);
  assert.equal(narrowingMayEnter(n, 'docs', 'x'), false);
  assert.equal(narrowingMayEnter(n, 'whole', 'x'), true);
  assert.equal(narrowingMayEnter(n, 'none', 'x'), false);
  assert.equal(narrowingMayEnter(n, 'missing', ''), false);
  assert.equal(narrowingAllows(n, 'docs', 'a/x.md'), false);
  assert.equal(narrowingAllows(n, 'docs', 'a/b/x.md'), true);
});
