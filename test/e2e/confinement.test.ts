// Confinement through the real bundle: escapes in many spellings, symlinks and hard links to outside
// canaries, a sibling "<root>-evil" folder, a FIFO, and secret files inside the root. Every hostile call
// is refused (secrets and links with the one generic message), nothing hostile appears in listings,
// globs, search or resources, no stdout line ever carries a canary or the host path, and the server
// keeps answering afterwards.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { linkSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTree, tempDir } from '../helpers/fixtures.ts';
import { type Client, type Json, RUNTIME, startReady } from '../helpers/harness.ts';
import { configFor, sc, stdoutLines, type ToolReply } from '../helpers/e2e_fixtures.ts';

const OUTSIDE = 'qzoutcanary93f0c2';
const EVIL = 'qzsiblingcanary5d77aa';
const SECRET = 'qzsecretcanary1e8b40';
const CANARIES = [OUTSIDE, EVIL, SECRET];
const NOT_FOUND = 'not found or not allowed';

const SECRETS = [
  '.env',
  '.env.local',
  '.ENV',
  'sub/.git/config',
  '.git/config',
  'id_rsa',
  'key.pem',
  'sub/server.key',
  '.npmrc',
  'credentials.json',
  'credentials.md',
  '.netrc',
];
// Requested spellings of the secrets (some only reach them through normalisation a server must not do).
const SECRET_REQUESTS = [...SECRETS, './.env', 'sub/../.env', '.env.md', 'sub/.git', '.git', 'ID_RSA', 'Key.PEM'];
const LINKS = [
  'link.md',
  'rel-link.md',
  'linkdir/canary.md',
  'linkdir',
  'dangling.md',
  'loop.md',
  'etc-link/passwd',
  'passwd.md',
  'hard.md',
  'env-alias.md',
  'env-hard.md',
  'pipe.md',
  'sub/dev-zero.md',
];
const ESCAPES = [
  '../x.md',
  'a/../../x.md',
  'guide/../../x.md',
  '..\\x.md',
  '..\\..\\x.md',
  '%2e%2e/x.md',
  '%2e%2e%2fx.md',
  '..%2fx.md',
  '%252e%252e/x.md',
  '/etc/passwd',
  '~/x.md',
  '~',
  'C:\\x',
  'C:/x.md',
  'c:x.md',
  '\\\\server\\share\\x.md',
  'file:///etc/passwd',
  'a.md::$DATA',
  '．．／x.md',
  '．．/x.md',
  '..／x.md',
  '\u2024\u2024/x.md',
  'a.md\u0000',
  'a.md\u0000.txt',
  'a.md.',
  'a.md ',
  'guide/x.md/',
  '..',
  '../docs-evil/canary.md',
  '../outside/canary.md',
  '../docs/a.md',
  '....//x.md',
  'guide/./../../x.md',
  '\u202e..\u202c/x.md',
  '..\u200b/x.md',
  'a.md\n',
  'CON.md',
  'guide//x.md',
];

describe(`confinement of every path-taking entry point (${RUNTIME})`, () => {
  let base: string;
  let root: string;
  let outside: string;
  let c: Client;
  const missing: Record<string, string> = {};

  before(async () => {
    base = tempDir('dw-confine-');
    outside = join(base, 'outside');
    root = join(base, 'docs');
    makeTree(
      { 'canary.md': `# Outside\n${OUTSIDE}\n`, 'x.md': `${OUTSIDE}\n`, 'hard-canary.md': `${OUTSIDE}\n` },
      outside,
    );
    makeTree({ 'canary.md': `# Evil\n${EVIL}\n`, 'a.md': `${EVIL}\n` }, join(base, 'docs-evil'));
    writeFileSync(join(base, 'x.md'), `${OUTSIDE}\n`);
    makeTree({ 'a.md': '# A\n\nInside text.\n', 'guide/x.md': '# X\n\nGuide text.\n', 'sub/ok.md': '# Ok\n' }, root);
    makeTree(Object.fromEntries(SECRETS.map((s) => [s, `${SECRET}\n`])), root);
    symlinkSync(join(outside, 'canary.md'), join(root, 'link.md'));
    symlinkSync('../outside/canary.md', join(root, 'rel-link.md'));
    symlinkSync(outside, join(root, 'linkdir'));
    symlinkSync(join(outside, 'nope.md'), join(root, 'dangling.md'));
    symlinkSync('loop.md', join(root, 'loop.md'));
    symlinkSync('/etc', join(root, 'etc-link'));
    symlinkSync('/etc/passwd', join(root, 'passwd.md'));
    symlinkSync('/dev/zero', join(root, 'sub/dev-zero.md'));
    symlinkSync('.env', join(root, 'env-alias.md'));
    linkSync(join(outside, 'hard-canary.md'), join(root, 'hard.md'));
    linkSync(join(root, '.env'), join(root, 'env-hard.md'));
    mkdirSync(join(root, 'empty-dir'));
    const fifo = spawnSync('mkfifo', [join(root, 'pipe.md')]);
    assert.equal(fifo.status, 0, 'mkfifo works');
    c = await startReady({
      config: configFor({ docs: root }),
      extraRead: [outside, join(base, 'docs-evil'), join(base, 'x.md')],
    });
    for (const tool of ['read_doc', 'doc_info', 'outline_doc'])
      missing[tool] = c.textOf(await c.call(tool, { path: 'no-such-file.md' }));
    missing['list_docs'] = c.textOf(await c.call('list_docs', { path: 'no-such-folder' }));
  });
  after(async () => {
    await c.close();
  });

  const assertClean = (): void => {
    for (const line of stdoutLines(c)) {
      for (const k of CANARIES) assert.ok(!line.includes(k), `a reply carries canary ${k}: ${line.slice(0, 200)}`);
      assert.ok(!line.includes(base), `a reply carries the host path: ${line.slice(0, 200)}`);
    }
  };

  test('sanity: an ordinary document is readable and missing ones give the generic message', async () => {
    assert.equal(sc(await c.call('read_doc', { path: 'a.md' }))['text'], '# A\n\nInside text.');
    for (const m of Object.values(missing)) assert.match(m, new RegExp(NOT_FOUND));
  });

  for (const tool of ['read_doc', 'doc_info', 'outline_doc'] as const) {
    test(`${tool} refuses every escape spelling`, async () => {
      for (const path of [...ESCAPES, join(outside, 'canary.md')]) {
        const r: ToolReply = await c.call(tool, { path });
        assert.equal(r.isError, true, `${tool} ${JSON.stringify(path)}`);
        assert.equal(r.structuredContent, undefined);
      }
      assertClean();
    });

    test(`${tool} refuses symlinks, hard links, the FIFO and secrets with the generic message`, async () => {
      for (const path of [...LINKS, ...SECRET_REQUESTS.filter((p) => !p.startsWith('./') && !p.includes('/../'))]) {
        // A server that opened the FIFO would wait for a writer forever: any answer at all proves it did not.
        const r: ToolReply = await c.call(tool, { path });
        assert.equal(r.isError, true, `${tool} ${path}`);
        assert.equal(c.textOf(r), missing[tool], `${tool} ${path} answers exactly like a missing file`);
      }
      assertClean();
    });
  }

  test('list_docs refuses escapes, linked folders and secret folders as its path', async () => {
    for (
      const path of [...ESCAPES, 'linkdir', 'etc-link', '.git', 'sub/.git', '../docs-evil', '../outside', join(outside)]
    ) {
      const r = await c.call('list_docs', { path });
      assert.equal(r.isError, true, `list_docs ${JSON.stringify(path)}`);
    }
    for (const path of ['linkdir', 'etc-link', '.git', 'sub/.git'])
      assert.equal(c.textOf(await c.call('list_docs', { path })), missing['list_docs'], path);
    assertClean();
  });

  test('root-name variants and the sibling "<root>-evil" are unknown roots', async () => {
    for (const root of ['docs-evil', 'docs ', 'docs"', 'Docs', '../docs', 'docs/..', 'docs\u0000', '']) {
      for (const tool of ['list_docs', 'read_doc']) {
        const r = await c.call(tool, { root, path: 'canary.md' });
        assert.equal(r.isError, true, `${tool} root ${JSON.stringify(root)}`);
      }
    }
    const r = await c.request('resources/read', { uri: 'docs://docs-evil/canary.md' });
    assert.equal(r.error?.code, -32002);
    assertClean();
  });

  test('resources/read refuses every hostile path with the same -32002 message as a missing one', async () => {
    const nope = await c.request('resources/read', { uri: 'docs://docs/no-such-file.md' });
    assert.equal(nope.error?.code, -32002);
    const paths = [...ESCAPES, ...LINKS, ...SECRET_REQUESTS];
    for (const p of paths) {
      for (const uri of [`docs://docs/${p}`, `docs://docs/${p.split('/').map(encodeURIComponent).join('/')}`]) {
        const r = await c.request('resources/read', { uri });
        assert.equal(r.result, undefined, uri);
        assert.equal(r.error?.code, -32002, uri);
        assert.equal(r.error?.message, nope.error?.message, uri);
      }
    }
    assertClean();
  });

  const visible = ['a.md', 'guide/x.md', 'sub/ok.md'];

  test('list_docs shows none of the secrets, links, hard links or the FIFO', async () => {
    const s = sc(await c.call('list_docs', { depth: 16, limit: 500 }));
    const entries = (s['entries'] as Json[]).map((e) => e['path']);
    assert.deepEqual(entries, ['a.md', 'empty-dir', 'guide', 'guide/x.md', 'sub', 'sub/ok.md']);
  });

  test('find_docs matches none of them, whatever the pattern', async () => {
    for (
      const pattern of [
        '**/*',
        '**',
        '**/.*',
        '.env*',
        '**/*.md',
        '**/canary.md',
        'linkdir/**',
        '**/passwd*',
        '*.pem',
        '**/config',
        'id_rsa',
        'pipe.md',
        'hard.md',
      ]
    ) {
      const s = sc(await c.call('find_docs', { pattern, limit: 500 }));
      for (const m of s['matches'] as Json[])
        assert.ok(visible.includes(String(m['path'])), `${pattern} matched ${String(m['path'])}`);
    }
    assert.deepEqual(
      (sc(await c.call('find_docs', { pattern: '**/*' }))['matches'] as Json[]).map((m) => m['path']),
      visible,
    );
  });

  test('search_docs finds no canary in any mode', async () => {
    for (const query of CANARIES) {
      for (const mode of ['literal', 'regex', 'words']) {
        const s = sc(await c.call('search_docs', { query, mode, limit: 50 }));
        assert.deepEqual(s['hits'], [], `${mode} ${query}`);
      }
    }
    const all = sc(await c.call('search_docs', { query: '.', mode: 'regex', limit: 50 }));
    for (const h of all['hits'] as Json[]) assert.ok(visible.includes(String(h['path'])), String(h['path']));
    assertClean();
  });

  test('resources/list lists only the ordinary documents', async () => {
    const r = await c.request('resources/list');
    const names = (r.result?.['resources'] as Json[]).map((x) => x['name']);
    assert.deepEqual(names, visible);
    assert.equal(r.result?.['nextCursor'], undefined);
  });

  test('completion/complete suggests none of them', async () => {
    for (const value of ['', 'l', 'link', 'pi', 'ha', 'etc', '.', 'env', 'sub/', 'linkdir/', 'etc-link/']) {
      const r = await c.request('completion/complete', {
        ref: { type: 'ref/resource', uri: 'docs://docs/{+path}' },
        argument: { name: 'path', value },
      });
      for (const v of ((r.result?.['completion'] as Json)['values'] as string[])) {
        assert.ok(
          ['a.md', 'empty-dir/', 'guide/', 'sub/', 'sub/ok.md'].includes(v),
          `value ${JSON.stringify(value)} suggested ${v}`,
        );
      }
    }
  });

  test('after every hostile call the server still answers ping and no reply leaked anything', async () => {
    const r = await c.request('ping');
    assert.deepEqual(r.result, {});
    assert.equal(sc(await c.call('read_doc', { path: 'guide/x.md' }))['text'], '# X\n\nGuide text.');
    assertClean();
  });
});
