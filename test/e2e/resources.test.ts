// Documents as MCP resources through the real bundle: paginated resources/list of servable documents
// only, resources/read of every listed URI, one indistinguishable -32002 for missing, denied and
// malformed URIs, the docs://<root>/{+path} template and completion of its path argument.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTree, tempDir } from '../helpers/fixtures.ts';
import { type Client, type Json, type Message, RUNTIME, startReady } from '../helpers/harness.ts';
import { configFor, smallTree, stdoutLines } from '../helpers/e2e_fixtures.ts';

const SECRET = 'RESOURCE-SECRET-CANARY-77e1';
const SECRETS = [
  '.env',
  '.env.local',
  'sub/.git/config',
  'id_rsa',
  'key.pem',
  '.npmrc',
  'credentials.json',
  'credentials.md',
  'sub/.hidden.md',
];
const BULK = 230;
const MIME: Readonly<Record<string, string>> = {
  md: 'text/markdown',
  rst: 'text/x-rst',
  adoc: 'text/asciidoc',
  txt: 'text/plain',
  yaml: 'application/yaml',
  html: 'text/html',
  csv: 'text/csv',
};

type Resource = { uri: string; name: string; mimeType: string; size?: number };

describe(`resources and completion (${RUNTIME})`, () => {
  let root: string;
  let c: Client;
  const servable: string[] = [];

  before(async () => {
    root = smallTree(tempDir());
    const extra: Record<string, string | Uint8Array> = {
      'sub/config.yaml': 'key: value\n',
      'sub/page.html': '<h1>Page</h1>\n',
      'sub/table.csv': 'a,b\n1,2\n',
      'sub/image.png': new Uint8Array([0x89, 0x50, 0x4e, 0x47]),
      'sub/data.bin': 'binary-ish\n',
      'sub/script.sh': 'echo hi\n',
    };
    for (let i = 0; i < BULK; i++) extra[`bulk/page-${String(i).padStart(3, '0')}.md`] = `# Page ${i}\n\nBody ${i}.\n`;
    for (const s of SECRETS) extra[s] = `${SECRET}\n`;
    makeTree(extra, root);
    servable.push(
      'api.md',
      'book.adoc',
      'build.md',
      'changelog.md',
      'empty.md',
      'fs.md',
      'guide/deep/nested.md',
      'guide/install.md',
      'guide/intro.md',
      'manual.rst',
      'notes.txt',
      'os.md',
      'path.md',
      'sub/config.yaml',
      'sub/page.html',
      'sub/table.csv',
      ...Array.from({ length: BULK }, (_, i) => `bulk/page-${String(i).padStart(3, '0')}.md`),
    );
    c = await startReady({ config: configFor({ docs: root }) });
  });
  after(async () => {
    await c.close();
  });

  async function listAll(): Promise<{ resources: Resource[]; pages: number }> {
    const resources: Resource[] = [];
    let cursor: unknown = undefined;
    let pages = 0;
    do {
      const r: Message = await c.request('resources/list', cursor === undefined ? {} : { cursor });
      assert.ok(r.result, JSON.stringify(r.error));
      const res = r.result['resources'] as Resource[];
      assert.ok(res.length <= 200);
      resources.push(...res);
      cursor = r.result['nextCursor'];
      pages++;
    } while (cursor !== undefined && pages < 20);
    return { resources, pages };
  }

  test('resources/list pages through every servable document exactly once, with docs:// URIs', async () => {
    const { resources, pages } = await listAll();
    assert.ok(pages >= 2, 'more than 200 documents need more than one page');
    const names = resources.map((r) => r.name);
    assert.equal(new Set(names).size, names.length, 'no duplicates across pages');
    assert.deepEqual([...names].sort(), [...servable].sort());
    for (const r of resources) {
      assert.equal(r.uri, `docs://docs/${r.name}`);
      assert.equal(r.mimeType, MIME[r.name.slice(r.name.lastIndexOf('.') + 1)]);
      assert.equal(r.size, readFileSync(join(root, r.name)).length);
    }
  });

  test('resources/list with a tampered cursor is a JSON-RPC error', async () => {
    const r = await c.request('resources/list', { cursor: 'not-a-cursor!' });
    assert.equal(r.error?.code, -32602);
  });

  test('resources/read of every listed URI returns its text with the right mimeType', async () => {
    const { resources } = await listAll();
    for (const res of resources) {
      const r = await c.request('resources/read', { uri: res.uri });
      assert.ok(r.result, `${res.uri}: ${JSON.stringify(r.error)}`);
      const contents = r.result['contents'] as Json[];
      assert.equal(contents.length, 1);
      assert.equal(contents[0]?.['uri'], res.uri);
      assert.equal(contents[0]?.['mimeType'], res.mimeType);
      assert.equal(contents[0]?.['text'], readFileSync(join(root, res.name), 'utf8'));
    }
  });

  test('unknown, denied and traversal URIs all give the same -32002 error', async () => {
    const uris = [
      'docs://docs/nope.md',
      'docs://docs/.env',
      'docs://docs/.env.local',
      'docs://docs/id_rsa',
      'docs://docs/key.pem',
      'docs://docs/sub/.git/config',
      'docs://docs/credentials.json',
      'docs://docs/sub/.hidden.md',
      'docs://docs/sub/image.png',
      'docs://docs/sub/script.sh',
      'docs://docs/../x',
      'docs://docs/%2e%2e/x',
      'docs://docs/%2E%2E/%2E%2E/etc/passwd',
      'docs://docs/a%2fb',
      'docs://docs/guide%2fintro.md',
      'docs://docs/guide/../.env',
      'docs://docs/%252e%252e/x',
      'docs://docs//etc/passwd',
      'docs://docs/guide',
      'docs://docs/',
      'docs://nope/fs.md',
      'docs://docs-evil/fs.md',
      'file:///etc/passwd',
      'docs://docs/fs.md%00.txt',
      'docs://docs/%C0%AE%C0%AE/x',
      'docs:///fs.md',
      'http://docs/fs.md',
    ];
    const messages = new Set<string>();
    for (const uri of uris) {
      const r = await c.request('resources/read', { uri });
      assert.equal(r.result, undefined, `${uri} must not be served`);
      assert.equal(r.error?.code, -32002, uri);
      messages.add(r.error?.message ?? '');
    }
    assert.equal(messages.size, 1, `one message for all: ${[...messages].join(' | ')}`);
    assert.match([...messages][0] ?? '', /not found/i);
    assert.ok(stdoutLines(c).every((l) => !l.includes(SECRET) && !l.includes(root)));
  });

  test('resources/templates/list gives docs://<root>/{+path}', async () => {
    const r = await c.request('resources/templates/list');
    const templates = r.result?.['resourceTemplates'] as Json[];
    assert.deepEqual(templates.map((t) => t['uriTemplate']), ['docs://docs/{+path}']);
    assert.equal(typeof templates[0]?.['name'], 'string');
  });

  const complete = async (value: string, uri = 'docs://docs/{+path}'): Promise<Message> =>
    c.request('completion/complete', { ref: { type: 'ref/resource', uri }, argument: { name: 'path', value } });
  const values = (m: Message): string[] =>
    ((m.result?.['completion'] as Json | undefined)?.['values'] ?? []) as string[];

  test('completion/complete suggests folders and files one level at a time', async () => {
    assert.deepEqual(values(await complete('gu')), ['guide/']);
    assert.deepEqual(values(await complete('guide/in')), ['guide/install.md', 'guide/intro.md']);
    assert.deepEqual(values(await complete('guide/')), ['guide/deep/', 'guide/install.md', 'guide/intro.md']);
    assert.deepEqual(values(await complete('GU')), ['guide/']);
    assert.deepEqual(values(await complete('guide/deep/n')), ['guide/deep/nested.md']);
  });

  test('completion/complete caps values at 100 and reports the total', async () => {
    const r = await complete('bulk/');
    const completion = r.result?.['completion'] as Json;
    assert.equal(values(r).length, 100);
    assert.equal(completion['total'], BULK);
    assert.equal(completion['hasMore'], true);
  });

  test('completion/complete suggests nothing outside the root', async () => {
    for (
      const v of [
        '../',
        '../..',
        '/etc',
        '/etc/',
        '//etc',
        '~/',
        '..\\',
        '%2e%2e/',
        'guide/../../',
        'C:\\',
        'file:///etc/',
      ]
    ) {
      assert.deepEqual(values(await complete(v)), [], `value ${JSON.stringify(v)}`);
    }
  });

  test('completion/complete never suggests secret or hidden files', async () => {
    for (const v of ['', '.', '.e', '.env', 'id', 'key', 'cred', '.np', 'sub/', 'sub/.', 'sub/.g', 'sub/.git/']) {
      for (const s of values(await complete(v))) {
        assert.doesNotMatch(
          s,
          /\.env|id_rsa|key\.pem|credentials|\.npmrc|\.git|\.hidden|image\.png|script\.sh/,
          `value ${JSON.stringify(v)} suggested ${s}`,
        );
      }
    }
    assert.deepEqual(values(await complete('sub/')), ['sub/config.yaml', 'sub/page.html', 'sub/table.csv']);
  });

  test('completion/complete of a prompt ref or an unknown template is a JSON-RPC error', async () => {
    const prompt = await c.request('completion/complete', {
      ref: { type: 'ref/prompt', name: 'x' },
      argument: { name: 'path', value: 'gu' },
    });
    assert.equal(prompt.error?.code, -32602);
    const unknown = await complete('gu', 'docs://nope/{+path}');
    assert.equal(unknown.error?.code, -32602);
  });
});
