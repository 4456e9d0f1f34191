import { test } from 'node:test';
import assert from 'node:assert/strict';
import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDocumentCache, lineTable } from '../../src/document/document.ts';
import { redactDocument } from '../../src/audit/redact.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createPathRules } from '../../src/policy/path_rules.ts';
import { type Confinement, openConfined, resolvePath } from '../../src/policy/resolver.ts';
import { createNodeHost } from '../../src/runtime/node_host.ts';
import { Failure } from '../../src/errors/failure.ts';
import { makeTree } from '../helpers/fixtures.ts';

test('`lineTable()` drops one trailing newline and the \\r of CRLF endings', async () => {
  const splitLines = async (text: string) => {
    const t = await lineTable(text, () => Promise.resolve());
    return Array.from({ length: t.length }, (_, k) => t.at(k));
  };
  assert.deepEqual(await splitLines('a\nb\n'), ['a', 'b']);
  assert.deepEqual(await splitLines('a\r\nb'), ['a', 'b']);
  assert.deepEqual(await splitLines(''), ['']);
  assert.deepEqual(await splitLines('a\n\n'), ['a', '']);
  assert.deepEqual(await splitLines('\r\n\r'), ['', '']);
});

test('`lineTable()` finds where each line starts and which line holds an offset, past its first growth', async () => {
  const text = Array.from({ length: 5000 }, (_, k) => `line ${k}`).join('\n');
  let ticks = 0;
  const t = await lineTable(text, async () => void ticks++);
  assert.equal(t.length, 5000);
  assert.equal(t.at(4321), 'line 4321');
  assert.equal(t.start(4321), text.indexOf('line 4321'));
  assert.equal(t.start(5000), text.length, 'past the last line: the end');
  assert.equal(t.lineOf(text.indexOf('line 4321') + 6), 4321);
  assert.equal(t.lineOf(0), 0);
  assert.equal(t.at(5000), '', 'out of range');
  assert.equal(ticks, 1, 'a tick every 4,096 lines');
});

test('`decode()` refuses invalid UTF-8 and NUL bytes, and redacts only when asked to', async () => {
  const { decode } = createDocumentCache(1 << 20);
  assert.equal(await decode(new TextEncoder().encode('héllo')), 'héllo');
  assert.equal(await decode(new Uint8Array([0x61, 0xff, 0x62])), null);
  assert.equal(await decode(new Uint8Array([0x61, 0x00, 0x62])), null);
  const page = 'id AKIAIOSFODNN7EXAMPLE\n-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----\nend\n';
  assert.equal(await decode(new TextEncoder().encode(page)), page);
  const served = await createDocumentCache(1 << 20, undefined, true).decode(new TextEncoder().encode(page));
  assert.equal(served, 'id [REDACTED:aws-access-key-id]\n[REDACTED:private-key]\n\n\nend\n', 'line breaks kept');
});

// Minified JSON: no blank anywhere, a URL and a key id in every record (the old code redacted it in one step).
const RECORD = '{"u":"https://user:pw12345678@example.com/a","k":"AKIAIOSFODNN7EXAMPLE","n":"<b>|{}^`"},';
const LONG_LINE = RECORD.repeat(Math.ceil((1 << 20) / RECORD.length));

test('`decode()` redacts a 1 MiB line without blanks 64 K characters per tick, as the whole would be', async () => {
  let ticks = 0;
  const cache = createDocumentCache(1 << 20, undefined, true);
  const served = await cache.decode(new TextEncoder().encode(LONG_LINE), async () => void ticks++);
  assert.equal(served, redactDocument(LONG_LINE));
  assert.doesNotMatch(served ?? '', /pw12345678|AKIAIOSFODNN7EXAMPLE/);
  assert.ok(ticks >= LONG_LINE.length / (1 << 16), `${ticks} ticks for ${LONG_LINE.length} characters`);
});

test('`servesRaw()` checks binary bytes for secrets a piece per tick, and refuses them when one is there', async () => {
  const cache = createDocumentCache(1 << 20, undefined, true, undefined, 'blob');
  const clean = new TextEncoder().encode(`\0${LONG_LINE.replaceAll(/https:\/\/user:pw12345678@|AKIA/g, '')}`);
  let ticks = 0;
  assert.equal(await cache.servesRaw(clean, async () => void ticks++), true);
  assert.ok(ticks >= clean.length / (1 << 16), `${ticks} ticks for ${clean.length} bytes`);
  assert.equal(await cache.servesRaw(new TextEncoder().encode(`\0${LONG_LINE}`)), false);
  assert.equal(await createDocumentCache(1 << 20, undefined, true, undefined, 'refuse').servesRaw(clean), false);
});

async function setup() {
  const host = createNodeHost();
  const dir = makeTree({ 'a.md': '# Title\n\nfirst\n', 'bin.md': new Uint8Array([0x23, 0x00, 0xff]) });
  const config = await loadConfig(host, { configPath: null, rootArgs: [dir], logPath: null });
  const c: Confinement = {
    host,
    rules: createPathRules(config.files.extensions, config.files.deny, false),
    symlinks: 'deny',
    hardLinks: false,
    maxFileBytes: 1 << 20,
  };
  return { host, dir, root: config.roots[0]!, c };
}

test('`load()` re-reads a document after it changed on disk and parses its headings', async () => {
  const { dir, root, c } = await setup();
  const cache = createDocumentCache(1 << 20);
  const path = await resolvePath(c, root, 'a.md');
  const first = await cache.load(c, path);
  assert.deepEqual(first.headings.map((h) => h.title), ['Title']);
  assert.equal((await cache.load(c, path)).text, first.text, 'served from cache when unchanged');
  writeFileSync(join(dir, 'a.md'), '# Changed\n\nsecond version, longer\n');
  utimesSync(join(dir, 'a.md'), new Date(), new Date(Date.now() + 5000));
  const second = await cache.load(c, path);
  assert.match(second.text, /second version/);
  assert.deepEqual(second.headings.map((h) => h.title), ['Changed']);
});

test('`load()` refuses a binary document with the reason binary', async () => {
  const { root, c } = await setup();
  const cache = createDocumentCache(1 << 20);
  await assert.rejects(
    cache.load(c, await resolvePath(c, root, 'bin.md')),
    (e: unknown) => e instanceof Failure && e.reason === 'binary',
  );
});

test('`text()` redacts a file too large to cache exactly as a cached one, line breaks kept', async () => {
  const { dir, root, c } = await setup();
  const page = `# Big\n\n${
    'filler line\n'.repeat(40)
  }-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----\n`;
  writeFileSync(join(dir, 'big.md'), page);
  const served = async (cacheBytes: number): Promise<string> => {
    const open = await openConfined(c, await resolvePath(c, root, 'big.md'));
    try {
      return await createDocumentCache(cacheBytes, undefined, true).text(open);
    } finally {
      await open.handle.close();
    }
  };
  const uncached = await served(1024); // 600 bytes > 1024 / 4: read whole, not cached
  assert.equal(uncached, await served(1 << 20));
  assert.equal(uncached, page.replace(/-----BEGIN[^]*-----\n/, '[REDACTED:private-key]\n\n\n'));
});
