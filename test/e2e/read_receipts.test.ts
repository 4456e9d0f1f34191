// Read receipts through the real bundle (docs/security.md, "Read receipts"): the audit record of every reply
// that carried document text holds the SHA-256 of the text the client received and, for a reply cut from one
// document, of the document version it was cut from; `verify-log --receipt PID:SEQ --file DOC` confirms an
// unchanged file, names a changed one, and says why a record cannot be checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runSubcommand } from '../helpers/audit_launch.ts';
import { makeTree } from '../helpers/fixtures.ts';
import { type Json, type Message, RUNTIME, startReady } from '../helpers/harness.ts';

const sha256 = (d: string | Uint8Array) => createHash('sha256').update(d).digest('hex');
const HEX = /^[0-9a-f]{64}$/;
const TOKEN = 'ghp_' + 'a1B2c3D4'.repeat(5); // a GitHub token: redacted when served
const GUIDE = '# Guide\n\n## Install\n\nRun it.\n\n## Use\n\n' + 'a line of the guide\n'.repeat(12_000); // pages
const KEYS = `# Keys\n\nThe deploy token is ${TOKEN} (rotate it).\n`;
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8]);

type Receipt = { sent: string; source?: string };

/** The string a reply carried its document text in, as the client received it. */
function carried(m: Message): string {
  const r = m.result as { content?: { text: string }[]; contents?: { text?: string; blob?: string }[] };
  const block = r.content?.[0] ?? r.contents?.[0];
  return (block as { text?: string; blob?: string }).text ?? (block as { blob: string }).blob;
}

async function session() {
  const root = makeTree({ 'guide.md': GUIDE, 'keys.md': KEYS, 'logo.png': PNG });
  const c = await startReady({
    config: { roots: [{ name: 'docs', path: root }], files: { binary: 'blob', extensions: ['md', 'png'] } },
  });
  const call = (name: string, args: Json) => c.request('tools/call', { name, arguments: args });
  const first = await call('read_doc', { path: 'guide.md' });
  const cursor = /cursor "([^"]+)"/.exec(carried(first))?.[1];
  assert.ok(cursor, 'the guide takes more than one page');
  const replies = {
    first,
    second: await call('read_doc', { path: 'guide.md', cursor }),
    section: await call('read_doc', { path: 'guide.md', heading: 'Install', lineNumbers: true }),
    outline: await call('outline_doc', { path: 'guide.md' }),
    search: await call('search_docs', { query: 'Run it', mode: 'literal' }),
    keys: await call('read_doc', { path: 'keys.md' }),
    resource: await c.request('resources/read', { uri: 'docs://docs/guide.md' }),
    blob: await c.request('resources/read', { uri: 'docs://docs/logo.png' }),
    info: await call('doc_info', { path: 'guide.md' }),
    list: await call('list_docs', {}),
    missing: await call('read_doc', { path: 'nowhere.md' }),
  };
  await c.close();
  const records = c.auditRecords().filter((r) => r['event'] === 'request');
  const recordOf = (m: Message) => {
    const found = records.filter((r) => r['id'] === m.id);
    assert.equal(found.length, 1, `one record for request ${m.id}`);
    return found[0] as Json & { receipt?: Receipt; pid: number; seq: number };
  };
  return { root, log: c.auditPath as string, replies, recordOf };
}

test(`a reply of document text is receipted with the SHA-256 of what the client received (${RUNTIME})`, async () => {
  const { replies, recordOf } = await session();
  const guide = sha256(GUIDE);
  const expected: [keyof typeof replies, string | undefined][] = [
    ['first', guide],
    ['second', guide],
    ['section', guide],
    ['outline', guide],
    ['search', undefined],
    ['resource', guide],
    ['blob', sha256(PNG)],
  ];
  for (const [name, source] of expected) {
    const m = replies[name];
    const receipt = recordOf(m).receipt;
    assert.ok(receipt, `${name}: the record has a receipt`);
    assert.equal(receipt.sent, sha256(carried(m)), `${name}: sent is the SHA-256 of the text received`);
    assert.equal(receipt.source, source, `${name}: the document version it was cut from`);
    assert.deepEqual(Object.keys(receipt).sort(), source ? ['sent', 'source'] : ['sent'], `${name}: fixed size`);
    assert.ok(Object.values(receipt).every((d) => HEX.test(d)), `${name}: hex digests, never redacted`);
  }
  assert.notEqual(recordOf(replies.first).receipt?.sent, recordOf(replies.second).receipt?.sent, 'each page its own');
  // The served text of a document with a secret is the redacted one: its digest says nothing about the secret.
  const keys = recordOf(replies.keys).receipt;
  const served = carried(replies.keys);
  assert.ok(!served.includes(TOKEN) && served.includes('[REDACTED:github-token]'), served);
  assert.equal(keys?.sent, sha256(served));
  assert.equal(keys?.source, sha256(KEYS.replace(TOKEN, '[REDACTED:github-token]')));
  assert.notEqual(keys?.source, sha256(KEYS));
  for (const name of ['info', 'list', 'missing'] as const) {
    assert.equal(recordOf(replies[name]).receipt, undefined, `${name}: no document text, no receipt`);
  }
});

test(`verify-log --receipt confirms an unchanged document and names a changed one (${RUNTIME})`, async () => {
  const { root, log, replies, recordOf } = await session();
  const verify = (m: Message, doc: string) => {
    const r = recordOf(m);
    return runSubcommand(['verify-log', log, '--receipt', `${r.pid}:${r.seq}`, '--file', doc], [dirname(log), root]);
  };
  const guide = join(root, 'guide.md');
  for (const m of [replies.second, replies.outline, replies.resource]) {
    const ok = verify(m, guide);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /intact: .*guide\.md is still the version that reply was cut from/);
  }
  const keys = verify(replies.keys, join(root, 'keys.md'));
  assert.equal(keys.code, 0, keys.stdout + keys.stderr);
  assert.match(keys.stdout, /still the version .*\(its text with secrets redacted\)/);
  const blob = verify(replies.blob, join(root, 'logo.png'));
  assert.match(blob.stdout, /still the version .*\(its bytes\)/);
  const other = verify(replies.first, join(root, 'keys.md'));
  assert.equal(other.code, 3, other.stdout);
  assert.match(other.stdout, /CHANGED: .*keys\.md is not the version that reply was cut from/);

  appendFileSync(guide, 'one line more\n');
  const changed = verify(replies.section, guide);
  assert.equal(changed.code, 3, changed.stdout + changed.stderr);
  assert.match(changed.stdout, new RegExp(`read_doc of docs:guide\\.md\\): CHANGED: .*guide\\.md is not the version`));
  assert.match(changed.stdout, /^docwarden verify-log: intact/m, 'the log itself is intact');

  const search = verify(replies.search, guide);
  assert.equal(search.code, 2, search.stdout);
  assert.match(search.stdout, /search_docs\) drew on several documents/);
  const info = verify(replies.info, guide);
  assert.equal(info.code, 2, info.stdout);
  assert.match(info.stdout, /doc_info of docs:guide\.md\) has no read receipt/);
});
