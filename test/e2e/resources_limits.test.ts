// Resources under production limits, through the real bundle: every document resources/list advertises is
// readable (a document over the reply limit comes as a marked first part that names how to read on with
// read_doc), and reading past the rate limit answers the documented -32005 with a retry hint, never -32603.
// A full read_doc page under the same limits is mostly document: its text is sent once.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTree } from '../helpers/fixtures.ts';
import { type Client, type Json, type Message, RUNTIME, startReady } from '../helpers/harness.ts';
import { extractNodeApi, sc } from '../helpers/e2e_fixtures.ts';

const PROD = JSON.parse(readFileSync('config.prod.json', 'utf8')) as {
  limits: Json & { responseBytes: number; burst: number };
  files: Json;
};
const LIMIT_REACHED = -32005;

// Beside the node-api pages (8 of them over 100 KB): a page whose JSON escaping doubles it, one line of
// 300 KB of multi-byte text with no newline, and a CRLF page just over the limit.
const EXTRA: Readonly<Record<string, string>> = {
  'zz-quotes.md': '"\\"\\\\"\n'.repeat(20_000),
  'zz-oneline.txt': 'é€😀'.repeat(30_000),
  'zz-crlf.md': '# CRLF\r\n'.repeat(13_000),
};

async function listAll(c: Client): Promise<Json[]> {
  const all: Json[] = [];
  let cursor: unknown;
  do {
    const r = await c.request('resources/list', cursor === undefined ? {} : { cursor });
    assert.ok(r.result, JSON.stringify(r.error));
    all.push(...(r.result['resources'] as Json[]));
    cursor = r.result['nextCursor'];
  } while (cursor !== undefined);
  return all;
}

/** A client that honours the retry hint: on -32005 it waits data.retryAfterMs and asks again. */
async function readHonouringHint(c: Client, uri: string): Promise<{ reply: Message; waits: number }> {
  for (let waits = 0;; waits++) {
    const reply = await c.request('resources/read', { uri });
    const hint = (reply.error?.data as Json | undefined)?.['retryAfterMs'];
    if (reply.error?.code !== LIMIT_REACHED || typeof hint !== 'number' || waits > 20) return { reply, waits };
    await new Promise((r) => setTimeout(r, hint));
  }
}

describe(`resources under production limits (${RUNTIME})`, () => {
  let docs: string;
  let c: Client;
  before(async () => {
    docs = extractNodeApi();
    makeTree(EXTRA, docs);
    c = await startReady({ config: { roots: [{ name: 'api', path: docs }], limits: PROD.limits, files: PROD.files } });
  });
  after(async () => {
    await c.close();
  });

  test('every advertised document is readable: whole, or a marked first part within the reply limit', async () => {
    const listed = await listAll(c);
    assert.ok(
      listed.length > PROD.limits.burst,
      `more documents (${listed.length}) than the burst: read in a row they may meet the rate limit`,
    );
    let parts = 0;
    for (const res of listed) {
      const name = String(res['name']);
      const file = readFileSync(join(docs, name));
      assert.equal(res['size'], file.length, `${name}: size in the list`);
      const { reply } = await readHonouringHint(c, String(res['uri']));
      assert.ok(reply.result, `${name}: ${JSON.stringify(reply.error)}`);
      const item = (reply.result['contents'] as Json[])[0] as Json;
      const text = String(item['text']);
      assert.ok(
        Buffer.byteLength(JSON.stringify(reply)) <= PROD.limits.responseBytes,
        `${name}: reply within the limit`,
      );
      const fits = Buffer.byteLength(JSON.stringify(file.toString('utf8'))) <= PROD.limits.responseBytes - 2048;
      assert.equal(item['_meta'] === undefined, fits, `${name}: a part exactly when the whole does not fit`);
      // Served text is the file's own, but for the secrets the server redacts in what it serves.
      const redacted = (s: string) => s.includes('[REDACTED:');
      if (fits) {
        if (redacted(text)) assert.ok(text.length > file.length * 0.9, `${name}: served whole, a secret redacted`);
        else assert.equal(text, file.toString('utf8'), `${name}: served whole`);
        continue;
      }
      parts++;
      const part = (item['_meta'] as Json)['docwarden/part'] as Json;
      assert.equal(part['size'], file.length);
      const lines = text.split('\n');
      assert.match(lines[0] as string, /^\[docwarden: first part only/, `${name}: marked at the top`);
      const note = lines[lines.length - 2] as string;
      assert.match(
        note,
        /cut at the reply limit \(limits\.responseBytes = 102400\)\. Read on with the read_doc tool: /,
      );
      const head = lines.slice(1, -2).join('\n');
      assert.ok(head.length > 40_000, `${name}: a real first part (${head.length} chars)`);
      if (!redacted(head))
        assert.ok(file.toString('utf8').startsWith(head), `${name}: the part is the document's first text`);
      // The pointer works: read_doc from the named line continues exactly where the part stopped.
      const args = JSON.parse((/read_doc tool: (\{.*\}), then/.exec(note) as RegExpExecArray)[1] as string) as Json;
      assert.equal(args['startLine'], part['nextLine']);
      const more = await c.call('read_doc', { ...args, endLine: Number(args['startLine']) });
      assert.notEqual(more.isError, true, JSON.stringify(more).slice(0, 300));
      const wholeLines = file.toString('utf8').split('\n');
      assert.ok(
        String(more.content[0]?.['text']).includes(
          wholeLines[Number(args['startLine']) - 1]?.replace(/\r$/, '').slice(0, 200) ?? '?',
        ),
      );
    }
    assert.ok(parts >= 8 + 3, `the large node-api pages and the extra pages came as parts (${parts})`);
  });

  test('a full read_doc page of fs.md is at least 85% document text, paging through it rebuilds the file', async () => {
    const fsText = readFileSync(join(docs, 'fs.md'), 'utf8');
    const pages: string[] = [];
    let cursor: unknown;
    do {
      const reply = await c.request('tools/call', {
        name: 'read_doc',
        arguments: { path: 'fs.md', ...(cursor ? { cursor } : {}) },
      });
      const wire = Buffer.byteLength(JSON.stringify(reply));
      assert.ok(wire <= PROD.limits.responseBytes, `a page of ${wire} bytes`);
      const page = sc(reply.result as never);
      const text = String(page['text']);
      if (pages.length === 0) {
        const share = Buffer.byteLength(text) / wire;
        assert.ok(share >= 0.85, `document text is ${(share * 100).toFixed(1)}% of the ${wire}-byte first page`);
        assert.ok(wire > PROD.limits.responseBytes * 0.9, 'the first page is full');
      }
      pages.push(text);
      cursor = page['nextCursor'];
    } while (typeof cursor === 'string' && pages.length < 50);
    assert.equal(pages.join('\n'), fsText.replace(/\n$/, ''));
  });

  test(`reading more than the burst in a row: the rest get ${LIMIT_REACHED} with limits.callsPerMinute and retryAfterMs`, async () => {
    const slow = await startReady({
      config: {
        roots: [{ name: 'api', path: docs }],
        limits: { ...PROD.limits, callsPerMinute: 1 },
        files: PROD.files,
      },
    });
    try {
      const uri = 'docs://api/path.md';
      const replies = await Promise.all(
        Array.from({ length: PROD.limits.burst + 15 }, () => slow.request('resources/read', { uri })),
      );
      const ok = replies.filter((r) => r.result !== undefined).length;
      // One more token may refill while the burst is read (1 per minute): never more.
      assert.ok(ok === PROD.limits.burst || ok === PROD.limits.burst + 1, `${ok} reads served`);
      for (const r of replies.filter((x) => x.error !== undefined)) {
        assert.equal(r.error?.code, LIMIT_REACHED);
        assert.match(
          r.error?.message ?? '',
          /^Rate limit reached for resources\/read: 1 calls per minute, burst 60 \(limits\.callsPerMinute\); retry in \d+ s$/,
        );
        const data = r.error?.data as Json;
        assert.equal(data['limit'], 'limits.callsPerMinute');
        assert.ok(
          typeof data['retryAfterMs'] === 'number' && data['retryAfterMs'] > 0 && data['retryAfterMs'] <= 60_000,
        );
      }
      const tools = await slow.call('list_docs', {});
      assert.notEqual(tools.isError, true, 'tools keep their own buckets');
    } finally {
      await slow.close();
    }
  });
});
