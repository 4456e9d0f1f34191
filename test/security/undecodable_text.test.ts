// Attacker goal: learn a secret that redaction withholds, through a document the server does not decode
// (docs/security.md, "Secrets in served text"). Redaction works on decoded text, so raw bytes skip it: a
// text-type document (by extension) that is not valid UTF-8 (a Latin-1 byte, one NUL, UTF-16) must be
// served as text or not at all, never as a raw blob (the outside attack read a private key that way with
// files.binary "blob"), and doc_info must not hash bytes the server does not serve (a hash confirms a
// guessed secret offline). A document of another type that decodes as text is served as redacted text too.
// Two worlds differ only in the secrets' values: every reply must be the same in both, under Node and Deno.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { utimesSync } from 'node:fs';
import { join } from 'node:path';
import { makeTree } from '../helpers/fixtures.ts';
import { type Client, RUNTIME, startReady } from '../helpers/harness.ts';

const KEYS = ['AKIAABCDEFGHIJKLMNOP', 'AKIAQRSTUVWXYZ234567'];
const BLOCKS = ['MIIEsecretALPHAvalue', 'MIIEsecretBRAVOvalue'];
const URIS = ['latin.md', 'withzero.md', 'utf16.txt', 'plain.conf', 'notes.log'];
const latin1 = (s: string) => Uint8Array.from(s, (ch) => ch.charCodeAt(0));
function world(i: number): string {
  const key = KEYS[i] as string;
  const block = `-----BEGIN RSA PRIVATE KEY-----\n${BLOCKS[i]}\n-----END RSA PRIVATE KEY-----\n`;
  const root = makeTree({
    'latin.md': latin1(`# Notes\n\n${key} caf\u00e9\n`),
    'withzero.md': latin1(`${block}\u0000`),
    'utf16.txt': new Uint8Array(Buffer.from(`\ufeff${key}\n`, 'utf16le')),
    'plain.conf': `aws_key = ${key}\n`,
    // A type docwarden does not know (an operator's extra extension) is binary when it does not decode: its raw
    // bytes hold a secret, so they are neither served as a blob nor hashed (the second outside attack, N1).
    'notes.log': latin1(`${key} https://u:SECRETPW99@h caf\u00e9\n`),
  });
  for (const name of URIS) utimesSync(join(root, name), 1_700_000_000, 1_700_000_000); // same dates in both
  return root;
}

async function script(root: string): Promise<{ replies: string[]; stdout: string }> {
  const config = {
    mode: 'development',
    roots: [{ name: 'docs', path: root }],
    files: { binary: 'blob', extensions: ['md', 'txt', 'conf', 'log'] },
  };
  const c: Client = await startReady({ config });
  try {
    const replies: string[] = [];
    const keep = (m: unknown) =>
      replies.push(JSON.stringify(m).replace(/"id":\d+,/, '').replace(/ \[[0-9a-f]{12}\]/g, ''));
    for (const name of URIS) {
      keep(await c.request('resources/read', { uri: `docs://docs/${name}` }));
      keep(await c.call('doc_info', { path: name }));
      keep(await c.call('read_doc', { path: name }));
    }
    return { replies, stdout: c.stdout };
  } finally {
    await c.close();
  }
}

describe(`undecodable text is never served raw (${RUNTIME})`, () => {
  test('two worlds differing only in the secrets get the same replies; no piece of a secret is served', async () => {
    const [a, b] = [await script(world(0)), await script(world(1))];
    for (const secret of [...KEYS, ...BLOCKS]) {
      for (const out of [a.stdout, b.stdout]) {
        assert.ok(!out.includes(secret.slice(4, 14)), secret);
        assert.ok(!out.includes('"blob"'), 'none of these documents is served as raw bytes');
      }
    }
    for (let i = 0; i < a.replies.length; i++) assert.equal(a.replies[i], b.replies[i], `reply ${i} differs`);
    const [latinRead, latinInfo] = a.replies;
    assert.match(String(latinRead), /not valid UTF-8 text.*text\/markdown document is served as text or not at all/);
    assert.match(String(latinInfo), /"sha256":null/);
    assert.match(String(latinInfo), /not UTF-8 text: not served/);
    assert.match(
      String(a.replies[9]),
      /"text":"aws_key = \[REDACTED:aws-access-key-id\]\\n"/,
      'a .conf is redacted text',
    );
  });
});
