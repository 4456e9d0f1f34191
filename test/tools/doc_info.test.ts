// doc_info (src/tools/doc_info.ts) on real files: the facts of a document and a SHA-256 of what is served;
// nothing derived from the bytes of a document that needs consent, of text that is not UTF-8, or of a
// secret the reply redacts (a hash of the file would confirm a guessed secret offline).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Failure } from '../../src/errors/failure.ts';
import { type Json, partsFor, runTool, servicesOf, toolContext } from '../helpers/in_process.ts';

const TOKEN = 'ghp_' + 'aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG5';
const GUIDE = '# Guide\n\n## Install\n\ntext\n';
const p = await partsFor({
  'guide.md': GUIDE,
  'key.md': `token: ${TOKEN}\n`,
  'latin1.md': new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x0a]),
  'private/plan.md': 'gated\n',
  'sub/x.md': 'x',
}, { confirm: { paths: ['private'] } });
const s = servicesOf(p);
const info = async (path: string) => (await runTool(s, 'doc_info', { path })).structured as Json;
const sha256 = (b: string | Uint8Array) => createHash('sha256').update(b).digest('hex');

test('facts of a text document: size, lines, headings, media type, URI and the SHA-256 of its bytes', async () => {
  const ctx = toolContext(s);
  const r = await runTool(s, 'doc_info', { path: 'guide.md' }, ctx);
  const i = r.structured as Json;
  assert.deepEqual(
    [i['size'], i['lines'], i['headings'], i['mediaType'], i['uri'], i['text'], i['needsConsent']],
    [GUIDE.length, 5, 2, 'text/markdown', 'docs://docs/guide.md', true, false],
  );
  assert.equal(i['sha256'], sha256(GUIDE));
  assert.match(String(i['modified']), /^\d{4}-\d\d-\d\dT/);
  assert.match(r.text, new RegExp(`^docs:guide.md\\nsize: ${GUIDE.length} bytes\\n`));
  assert.deepEqual(ctx.touched, ['docs:guide.md']);
});

test('a redacted document is hashed as served, never as the file holding the secret', async () => {
  const i = await info('key.md');
  assert.notEqual(i['sha256'], sha256(`token: ${TOKEN}\n`));
  assert.equal(typeof i['sha256'], 'string');
});

test('text that is not UTF-8 gets no lines, no headings and no hash', async () => {
  const i = await info('latin1.md');
  assert.deepEqual([i['text'], i['lines'], i['headings'], i['sha256']], [false, null, null, null]);
});

test('a document that needs consent shows name, size and date only', async () => {
  const r = await runTool(s, 'doc_info', { path: 'private/plan.md' });
  const i = r.structured as Json;
  assert.deepEqual([i['needsConsent'], i['text'], i['lines'], i['sha256'], i['size']], [true, null, null, null, 6]);
  assert.match(r.text, /needs the user's confirmation/);
});

test('a folder is refused with where to look instead', async () => {
  await assert.rejects(
    runTool(s, 'doc_info', { path: 'sub' }),
    (e: unknown) => e instanceof Failure && e.reason === 'is_a_directory' && /use list_docs/.test(e.publicMessage),
  );
});
