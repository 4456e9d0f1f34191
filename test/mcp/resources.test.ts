// Documents as resources (src/mcp/resources.ts) on real files through the real services: paged listing
// with a cursor that cannot be forged, a missing and a denied document alike (-32002), a document over
// the reply limit cut at a line with how to read on, binaries refused or sent as a blob, and completion
// one folder level at a time that never suggests a denied name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RpcError } from '../../src/jsonrpc/codes.ts';
import { complete, listResources, listTemplates, readResource } from '../../src/mcp/resources.ts';
import { type Json, partsFor, servicesOf, toolContext } from '../helpers/in_process.ts';

const FILES: Record<string, string | Uint8Array> = {
  'guide/install.md': '# Install\n\nRun it.\n',
  'guide/intro.md': '# Intro\n',
  'api.md': '# API\n',
  '.env': 'TOKEN=x\n',
  'secrets.md': 'hidden\n',
  'logo.svg': '<svg/>',
  'blob.csv': new Uint8Array([0xff, 0xfe, 0x00, 0x01]),
};

async function setup(files = FILES, settings: Json = {}) {
  const p = await partsFor(files, settings);
  const s = servicesOf(p);
  return { p, s, ctx: () => toolContext(s) };
}

async function rpcError(work: Promise<unknown>): Promise<RpcError> {
  try {
    await work;
  } catch (err) {
    assert.ok(err instanceof RpcError, String(err));
    return err;
  }
  assert.fail('expected an RpcError');
}

test('resources/list pages across roots: each document once, in root order, 200 a page', async () => {
  for (const extra of [194, 195, 196]) { // 199, 200 or 201 servable documents in each root
    const many: Record<string, string> = {};
    for (let i = 0; i < extra; i++) many[`n/${String(i).padStart(3, '0')}.md`] = 'x';
    const { s } = await setup({ ...FILES, ...many });
    const [docs] = s.config.roots;
    assert.ok(docs);
    const roots = [docs, { ...docs, name: 'again' }]; // a second root name for the same folder
    const uris: unknown[] = [];
    let cursor: unknown = undefined;
    let pages = 0;
    do {
      const page = await listResources(toolContext(s, { roots }), cursor) as { resources: Json[]; nextCursor?: string };
      assert.ok(page.resources.length <= 200);
      uris.push(...page.resources.map((r) => r['uri']));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== undefined && pages < 10);
    const perRoot = extra + 5;
    assert.equal(pages, Math.ceil((2 * perRoot) / 200), `${perRoot} a root: full pages, no empty one`);
    assert.equal(new Set(uris).size, 2 * perRoot, `${perRoot} a root: each document once`);
    const firstOfAgain = uris.findIndex((u) => String(u).startsWith('docs://again/'));
    assert.equal(firstOfAgain, perRoot, 'the first root whole, then the second');
  }
});

test('resources/list names every servable file once, pages at 200, and refuses a forged cursor', async () => {
  const many: Record<string, string> = {};
  for (let i = 0; i < 205; i++) many[`n/${String(i).padStart(3, '0')}.md`] = 'x';
  const { ctx } = await setup({ ...FILES, ...many });
  const first = await listResources(ctx(), undefined) as { resources: Json[]; nextCursor: string };
  assert.equal(first.resources.length, 200);
  const rest = await listResources(ctx(), first.nextCursor) as { resources: Json[]; nextCursor?: string };
  const uris = [...first.resources, ...rest.resources].map((r) => r['uri']);
  assert.equal(rest.nextCursor, undefined);
  assert.equal(new Set(uris).size, 205 + 5);
  assert.ok(uris.includes('docs://docs/guide/install.md'));
  assert.equal(uris.some((u) => /env|secrets/.test(String(u))), false);
  for (const bad of ['x', 7, first.nextCursor.slice(0, -2)]) {
    assert.equal((await rpcError(listResources(ctx(), bad))).code, -32602);
  }
  for (const bad of [7, 'x'.repeat(513)]) { // what is wrong, and the limit
    assert.match((await rpcError(listResources(ctx(), bad))).message, /string of at most 512 characters/);
  }
});

test('resources/templates/list gives one template per root, titled only when asked', () => {
  const roots = [{ name: 'a', path: '/x', dev: 0n, ino: 0n, configured: '/x' }];
  assert.deepEqual(listTemplates(roots, false), {
    resourceTemplates: [{
      uriTemplate: 'docs://a/{+path}',
      name: 'a documents',
      description: 'A document of the "a" root by its root-relative path',
    }],
  });
  assert.match(JSON.stringify(listTemplates(roots, true)), /"title":"Documents in a"/);
});

test('resources/read serves text and answers a missing, denied or malformed URI with the same -32002', async () => {
  const { ctx } = await setup();
  const c = ctx();
  const read = await readResource(c, 'docs://docs/guide/install.md', 'refuse', 100_000);
  assert.deepEqual(read['contents'], [{
    uri: 'docs://docs/guide/install.md',
    mimeType: 'text/markdown',
    text: '# Install\n\nRun it.\n',
  }]);
  assert.deepEqual(c.touched, ['docs:guide/install.md']);
  const refusals = [
    'docs://docs/nope.md',
    'docs://docs/.env',
    'docs://docs/secrets.md',
    'docs://other/a.md',
    'http://x',
  ];
  for (const uri of [...refusals, 'docs://docs/guide']) {
    const e = await rpcError(readResource(ctx(), uri, 'refuse', 100_000));
    assert.deepEqual([e.code, e.message], [-32002, 'Resource not found or not allowed'], uri);
  }
  assert.equal((await rpcError(readResource(ctx(), 5, 'refuse', 100_000))).code, -32602);
});

test('a document over the reply limit comes as its first lines, with where to read on', async () => {
  const lines = Array.from({ length: 2000 }, (_, i) => `line ${i} ${'é'.repeat(20)}`).join('\n');
  const { ctx } = await setup({ 'long.md': lines });
  const r = await readResource(ctx(), 'docs://docs/long.md', 'refuse', 8192);
  const [c] = r['contents'] as Json[];
  const text = String(c?.['text']);
  assert.ok(Buffer.byteLength(JSON.stringify(r)) <= 8192);
  assert.match(text, /^\[docwarden: first part only; how to read on is at the end\]\nline 0 /);
  const next = (c?.['_meta'] as Json)['docwarden/part'] as Json;
  assert.match(text, new RegExp(`"startLine":${next['nextLine']}\\}`));
  const shown = text.split('\n').filter((l) => l.startsWith('line ')).length;
  assert.equal(next['nextLine'], shown + 1, 'reading on starts at the first line not shown');
});

test('binary bytes: refused by default, a base64 blob with files.binary "blob", never as text', async () => {
  const { ctx } = await setup();
  const refused = await rpcError(readResource(ctx(), 'docs://docs/blob.csv', 'refuse', 100_000));
  assert.match(refused.message, /not valid UTF-8 text, and a text\/csv document is served as text or not at all/);
  const svgBytes = new Uint8Array([0x3c, 0xff, 0x00]);
  const { ctx: c2 } = await setup({ 'pic.png': svgBytes }, { files: { extensions: ['png'], binary: 'blob' } });
  const blob = await readResource(c2(), 'docs://docs/pic.png', 'blob', 100_000);
  assert.deepEqual((blob['contents'] as Json[])[0]?.['blob'], 'PP8A');
  const refusedBlob = await rpcError(readResource(c2(), 'docs://docs/pic.png', 'refuse', 100_000));
  assert.match(refusedBlob.message, /binary documents are not served \(files.binary is "refuse"\)/);
});

test('completion suggests one folder level by prefix, folders with "/", never denied names', async () => {
  const { ctx } = await setup();
  const ask = (value: string, uri = 'docs://docs/{+path}', name = 'path') =>
    complete(ctx(), { ref: { type: 'ref/resource', uri }, argument: { name, value } }) as Promise<
      { completion: { values: string[]; total: number; hasMore: boolean } }
    >;
  assert.deepEqual((await ask('gu')).completion, { values: ['guide/'], total: 1, hasMore: false });
  assert.deepEqual((await ask('guide/IN')).completion.values.sort(), ['guide/install.md', 'guide/intro.md']);
  assert.deepEqual((await ask('')).completion.values.sort(), ['api.md', 'blob.csv', 'guide/', 'logo.svg']);
  assert.deepEqual((await ask('.e')).completion.values, []);
  assert.deepEqual((await ask('../')).completion.values, []);
  assert.deepEqual((await ask('x', undefined, 'other')).completion.total, 0);
  const unknown = await rpcError(ask('', 'docs://nope/{+path}'));
  assert.equal(unknown.reason, 'unknown_template');
  const prompt = await rpcError(complete(ctx(), { ref: { type: 'ref/prompt' }, argument: {} }));
  assert.match(prompt.message, /only resource templates/);
});
