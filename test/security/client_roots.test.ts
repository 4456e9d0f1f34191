// Roots declared by the client (roots/list) may only narrow the configured roots, never widen them:
// a client answering `file:///` (or the root's parent, or a URI that climbs with "..") gains nothing
// beyond the configured root; one answering a subfolder limits every entry point to it; one answering
// only the `<root>-private` sibling or an outside folder gets nothing at all.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { makeTree, tempDir } from '../helpers/fixtures.ts';
import { type Client, type Json, RUNTIME, startServer } from '../helpers/harness.ts';
import { auditText } from '../helpers/attack_judge.ts';

const token = randomBytes(8).toString('hex');
const CANARY = `QZROOTS${token}`;
const base = tempDir('dw-roots-');
const root = makeTree({
  'a.md': '# A\n\nInside text.\n',
  'guide/x.md': '# X\n\nGuide text.\n',
  'guide/deep/y.md': '# Y\n\nDeep text.\n',
  'sub/ok.md': '# Ok\n',
}, join(base, 'docs'));
const sibling = makeTree({ 'a.md': `${CANARY}\n`, 'guide/x.md': `${CANARY}\n` }, join(base, 'docs-private'));
const outside = makeTree({ 'canary.md': `${CANARY}\n` }, join(base, 'outside'));
makeTree({ 'secret.md': `${CANARY}\n` }, base);
symlinkSync(outside, join(root, 'link-out'));

const ALL = ['a.md', 'guide', 'guide/deep', 'guide/deep/y.md', 'guide/x.md', 'sub', 'sub/ok.md'];
const ESCAPES = [
  '../secret.md',
  '../outside/canary.md',
  '../docs-private/a.md',
  'link-out/canary.md',
  `${outside}/canary.md`,
  '..%2fsecret.md',
  'guide/../../secret.md',
];

async function withClientRoots(uris: readonly string[]): Promise<Client> {
  const c = await startServer({
    config: { roots: [{ name: 'docs', path: root }], limits: { callsPerMinute: 0 } },
    extraRead: [sibling, outside, join(base, 'secret.md')],
  });
  c.onServerRequest = (
    m,
  ) => (m.method === 'roots/list'
    ? { roots: uris.map((uri) => ({ uri, name: 'client root' })) }
    : { error: { code: -32601, message: 'no' } });
  await c.initialize('2025-11-25', { roots: { listChanged: true } });
  return c;
}

async function listing(c: Client): Promise<string[]> {
  const r = await c.call('list_docs', { depth: 16, limit: 500 });
  return r.isError === true ? [] : ((r.structuredContent?.['entries'] ?? []) as Json[]).map((e) => String(e['path']));
}

async function readable(c: Client, path: string): Promise<boolean> {
  const r = await c.call('read_doc', { path });
  return r.isError !== true;
}

/** Nothing outside the configured root, whatever the client said; no canary and no host path on stdout. */
async function assertConfined(c: Client): Promise<void> {
  for (const path of ESCAPES) {
    for (const tool of ['read_doc', 'doc_info', 'outline_doc'])
      assert.equal((await c.call(tool, { path })).isError, true, `${tool} ${path}`);
    if (path.startsWith('/')) continue; // resources/read echoes the URI it was given; the suite scans host paths below
    const r = await c.request('resources/read', { uri: `docs://docs/${path}` });
    assert.ok(r.error !== undefined, `resources/read ${path}: ${JSON.stringify(r).slice(0, 200)}`);
  }
  for (const query of [token, CANARY.slice(2)]) {
    const s = await c.call('search_docs', { query, mode: 'literal' });
    assert.ok(s.isError === true || (s.structuredContent?.['hits'] as unknown[]).length === 0, `search ${query}`);
  }
  const found = await c.call('find_docs', { pattern: '**/*', limit: 500 });
  for (const m of (found.structuredContent?.['matches'] ?? []) as Json[])
    assert.ok(ALL.includes(String(m['path'])), `find_docs matched ${String(m['path'])}`);
  assert.deepEqual((await c.request('ping')).result, {});
  assert.ok(!c.stdout.includes(CANARY), 'a canary reached stdout');
  const at = c.stdout.indexOf(base);
  assert.equal(at, -1, `a host path reached stdout: ${c.stdout.slice(Math.max(0, at - 200), at + 100)}`);
  assert.ok(!auditText(c).includes(CANARY), 'a canary reached the audit log');
}

describe(`client roots narrow, never widen (${RUNTIME})`, () => {
  for (
    const [label, uris] of [
      ['file:///', ['file:///']],
      ["the root's parent folder", [`file://${base}`]],
      ['a URI that climbs out of a subfolder with ".."', [`file://${root}/guide/../..`]],
      ['file:///, the sibling and an outside folder at once', ['file:///', `file://${sibling}`, `file://${outside}`]],
    ] as const
  ) {
    test(`a client answering ${label} gets exactly the configured root`, async () => {
      const c = await withClientRoots(uris);
      try {
        assert.deepEqual(await listing(c), ALL);
        assert.equal(await readable(c, 'a.md'), true);
        await assertConfined(c);
        const templates = await c.request('resources/templates/list');
        assert.deepEqual((templates.result?.['resourceTemplates'] as Json[]).map((t) => t['uriTemplate']), [
          'docs://docs/{+path}',
        ]);
      } finally {
        await c.close();
      }
    });
  }

  test('a client answering a subfolder narrows every entry point to it', async () => {
    const c = await withClientRoots([`file://${root}/guide`]);
    try {
      assert.deepEqual(await listing(c), ['guide', 'guide/deep', 'guide/deep/y.md', 'guide/x.md']);
      assert.equal(await readable(c, 'guide/x.md'), true);
      assert.equal(await readable(c, 'guide/deep/y.md'), true);
      for (const path of ['a.md', 'sub/ok.md']) {
        const r = await c.call('read_doc', { path });
        assert.equal(r.isError, true, path);
        assert.match(c.textOf(r), /not found or not allowed/, `${path} refused like a missing file`);
        assert.ok(
          (await c.request('resources/read', { uri: `docs://docs/${path}` })).error !== undefined,
          `resources/read ${path}`,
        );
      }
      assert.equal((await c.call('list_docs', { path: 'sub' })).isError, true, 'list_docs outside the client root');
      const found = (await c.call('find_docs', { pattern: '**/*.md' })).structuredContent?.['matches'] as Json[];
      assert.deepEqual(found.map((m) => m['path']), ['guide/deep/y.md', 'guide/x.md']);
      const hits = (await c.call('search_docs', { query: 'text', mode: 'literal' })).structuredContent
        ?.['hits'] as Json[];
      assert.deepEqual([...new Set(hits.map((h) => h['path']))].sort(), ['guide/deep/y.md', 'guide/x.md']);
      const resources = (await c.request('resources/list')).result?.['resources'] as Json[];
      assert.deepEqual(resources.map((r) => r['name']), ['guide/deep/y.md', 'guide/x.md']);
      const completion = await c.request('completion/complete', {
        ref: { type: 'ref/resource', uri: 'docs://docs/{+path}' },
        argument: { name: 'path', value: '' },
      });
      assert.deepEqual((completion.result?.['completion'] as Json)['values'], ['guide/']);
      await assertConfined(c);
    } finally {
      await c.close();
    }
  });

  for (
    const [label, uris] of [
      ['only the "<root>-private" sibling', [`file://${sibling}`]],
      ['only an outside folder', [`file://${outside}`]],
      ['only a symlink inside the root that leads outside', [`file://${root}/link-out`]],
      ['only non-file URIs', ['http://127.0.0.1/', 'docs://docs/', 'file:relative/path', `file://${root}%00`]],
    ] as const
  ) {
    test(`a client answering ${label} gets nothing at all`, async () => {
      const c = await withClientRoots(uris);
      try {
        assert.deepEqual(await listing(c), []);
        assert.equal(await readable(c, 'a.md'), false);
        assert.deepEqual((await c.request('resources/list')).result?.['resources'], []);
        await assertConfined(c);
      } finally {
        await c.close();
      }
    });
  }

  test('roots/list_changed re-asks: widening from a subfolder to file:/// gives the configured root, no more', async () => {
    let uris = [`file://${root}/sub`];
    const c = await startServer({
      config: { roots: [{ name: 'docs', path: root }], limits: { callsPerMinute: 0 } },
      extraRead: [sibling, outside, join(base, 'secret.md')],
    });
    try {
      c.onServerRequest = (
        m,
      ) => (m.method === 'roots/list'
        ? { roots: uris.map((uri) => ({ uri })) }
        : { error: { code: -32601, message: 'no' } });
      await c.initialize('2025-11-25', { roots: { listChanged: true } });
      assert.deepEqual(await listing(c), ['sub', 'sub/ok.md']);
      uris = ['file:///'];
      const asked = c.messages.filter((m) => m.method === 'roots/list').length;
      c.notify('notifications/roots/list_changed');
      await c.waitFor((m) =>
        m.method === 'roots/list' && c.messages.filter((x) => x.method === 'roots/list').length > asked
      );
      let seen: string[] = [];
      for (let i = 0; i < 50 && seen.length !== ALL.length; i++) seen = await listing(c);
      assert.deepEqual(seen, ALL);
      await assertConfined(c);
    } finally {
      await c.close();
    }
  });
});
