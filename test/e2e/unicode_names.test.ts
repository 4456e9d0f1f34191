// Names beyond Latin-1 through every opaque value the server hands out and takes back: the cursor of each
// paging tool and of resources/list, and the signed consent state of the 2026-07-28 era (which once
// answered -32603 for 说明.md because `btoa` cannot encode it).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTree } from '../helpers/fixtures.ts';
import { type Client, type Json, type Message, RUNTIME, startServer } from '../helpers/harness.ts';
import { sc, type ToolReply } from '../helpers/e2e_fixtures.ts';

const files: Record<string, string> = {
  '说明.md': '# 说明\n\n机密内容 4417\n',
  '指南/安装.md': Array.from({ length: 520 }, (_, i) => `## 安装步骤 ${i}\n\n运行安装程序 ${'文字'.repeat(40)}\n`).join(
    '\n',
  ),
};
for (let i = 0; i < 210; i++)
  files[`指南/页面-${String(i).padStart(3, '0')}-ünïcødé-😀.md`] = `# 页面 ${i}\n\n安装 ${i}\n`;
const root = makeTree(files);
const config = { roots: [{ name: 'docs', path: root }], confirm: { paths: ['说明.md'], timeoutMs: 30_000 } };
const caps = { elicitation: {} };
const meta = (c: Json = {}): Json => ({
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': c,
});

function result(m: Message): Json {
  assert.ok(m.result, `expected a result, got ${JSON.stringify(m.error)}`);
  return m.result;
}

async function call(c: Client, name: string, args: Json, extra: Json = {}): Promise<Json> {
  const r = result(await c.request('tools/call', { _meta: meta(caps), name, arguments: args, ...extra }));
  assert.notEqual(r['isError'], true, `${name}: ${JSON.stringify(r['content'])}`);
  return r;
}

/** Follows nextCursor to the end; returns how many pages it took and every page's structured result. */
async function pages(c: Client, name: string, args: Json): Promise<Json[]> {
  const out: Json[] = [];
  let cursor: unknown = null;
  do {
    const r = await call(c, name, cursor === null ? args : { ...args, cursor });
    const s = sc(r as ToolReply);
    out.push(s);
    cursor = s['nextCursor'];
  } while (typeof cursor === 'string' && out.length < 50);
  return out;
}

describe(`non-Latin-1 names through cursors and consent state (${RUNTIME})`, () => {
  test('a consent-gated read of 说明.md completes through requestState', async () => {
    const c = await startServer({ config });
    try {
      const first = result(
        await c.request('tools/call', { _meta: meta(caps), name: 'read_doc', arguments: { path: '说明.md' } }),
      );
      assert.equal(first['resultType'], 'input_required', JSON.stringify(first));
      const key = Object.keys(first['inputRequests'] as Json)[0]!;
      const answer = { [key]: { action: 'accept', content: { allow: true } } };
      const ok = await call(c, 'read_doc', { path: '说明.md' }, {
        requestState: first['requestState'],
        inputResponses: answer,
      });
      assert.match(JSON.stringify(ok['content']), /机密内容 4417/);
      const codes = c.auditRecords().filter((a) => a['event'] === 'request').map((a) => a['code']);
      assert.ok(!codes.includes(-32603), 'no internal error on the way');
    } finally {
      await c.close();
    }
  });

  test('every paging tool and resources/list walk their pages with Unicode names in the cursor', async () => {
    const c = await startServer({ config });
    try {
      const listed = await pages(c, 'list_docs', { path: '指南', limit: 100 });
      assert.ok(listed.length >= 3, `list_docs paged ${listed.length} times`);
      const found = await pages(c, 'find_docs', { pattern: '指南/页面-*-ünïcødé-😀.md', limit: 100 });
      assert.deepEqual(found.map((p) => (p['matches'] as unknown[]).length), [100, 100, 10]);
      const hits = await pages(c, 'search_docs', { query: '安装', mode: 'literal', path: '指南', limit: 50 });
      assert.ok(hits.length >= 3, `search_docs paged ${hits.length} times`);
      const outline = await pages(c, 'outline_doc', { path: '指南/安装.md' });
      assert.equal(outline.reduce((n, p) => n + (p['headings'] as unknown[]).length, 0), 520);
      const read = await pages(c, 'read_doc', { path: '指南/安装.md' });
      assert.ok(read.length >= 2, `read_doc paged ${read.length} times`);
      assert.equal(read.map((p) => p['text']).join('\n'), files['指南/安装.md']!.replace(/\n$/, ''));

      const uris: string[] = [];
      let cursor: unknown;
      do {
        const r = result(await c.request('resources/list', { _meta: meta(), ...(cursor ? { cursor } : {}) }));
        uris.push(...(r['resources'] as Json[]).map((x) => x['uri'] as string));
        cursor = r['nextCursor'];
      } while (typeof cursor === 'string');
      assert.equal(uris.length, 212);
      assert.ok(uris.includes(`docs://docs/${encodeURIComponent('说明.md')}`));
    } finally {
      await c.close();
    }
  });
});
