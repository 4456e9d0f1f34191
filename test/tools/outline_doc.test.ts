// outline_doc (src/tools/outline_doc.ts) on real files: headings with levels, lines and section ends, the
// front matter, control characters in titles escaped, pages of 500 headings with a cursor bound to the
// document, and consent asked before anything is read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Failure } from '../../src/errors/failure.ts';
import { type Json, partsFor, runTool, servicesOf, toolContext } from '../helpers/in_process.ts';

const DOC =
  '---\ntitle: Guide\nowner: docs\n---\n# Guide\n\nintro\n\n## Install\n\nsteps\n\n## Use \u001b[31mred\n\nend\n';
const many = Array.from({ length: 520 }, (_, i) => `## H${i}\n\ntext\n`).join('\n');
const p = await partsFor({ 'guide.md': DOC, 'many.md': many, 'private/x.md': '# X\n' }, {
  confirm: { paths: ['private'] },
});
const s = servicesOf(p);
const outline = async (args: Json) => (await runTool(s, 'outline_doc', args)).structured as Json;

test('headings, their section ends and the front matter', async () => {
  const o = await outline({ path: 'guide.md' });
  assert.deepEqual([o['format'], o['totalLines'], o['truncated'], o['nextCursor']], ['markdown', 15, false, null]);
  assert.deepEqual(o['frontMatter'], { title: 'Guide', owner: 'docs' });
  const hs = o['headings'] as Json[];
  assert.deepEqual(hs.map((h) => [h['level'], h['line'], h['endLine']]), [[1, 5, 15], [2, 9, 12], [2, 13, 15]]);
  assert.equal(hs[2]?.['title'], 'Use \\u001b[31mred', 'control characters escaped');
});

test('500 headings a page; the cursor works for that document only', async () => {
  const first = await outline({ path: 'many.md' });
  assert.equal((first['headings'] as Json[]).length, 500);
  assert.equal(first['truncated'], true);
  const rest = await outline({ path: 'many.md', cursor: first['nextCursor'] });
  assert.deepEqual((rest['headings'] as Json[]).map((h) => h['title']).slice(0, 2), ['H500', 'H501']);
  assert.equal((rest['headings'] as Json[]).length, 20);
  await assert.rejects(
    outline({ path: 'guide.md', cursor: first['nextCursor'] }),
    (e: unknown) => e instanceof Failure && e.reason === 'invalid_cursor',
  );
});

test('a gated document is outlined only after a yes', async () => {
  const asked: Json[] = [];
  const no = toolContext(s, { askConsent: async (r) => (asked.push(r), 'declined') });
  await assert.rejects(
    runTool(s, 'outline_doc', { path: 'private/x.md' }, no),
    (e: unknown) => e instanceof Failure && e.reason === 'consent_refused' && /the user declined/.test(e.publicMessage),
  );
  assert.deepEqual(asked, [{ tool: 'outline_doc', root: 'docs', path: 'private/x.md', size: 4 }]);
  const yes = toolContext(s, { askConsent: async () => 'accepted' });
  const r = await runTool(s, 'outline_doc', { path: 'private/x.md' }, yes);
  assert.equal(((r.structured as Json)['headings'] as Json[]).length, 1);
});
