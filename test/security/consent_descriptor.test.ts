// Attacker goal: have the server serve bytes the user was not asked about (docs/security.md, "Consent as
// information flow"). Consent must be decided on the very descriptor that is then read: a server that
// asks about one open and reads through a second one serves whatever was swapped in between (the outside
// attack won 4 in 400 resources/read and 1 outline_doc that way, swapping a small page for a gated one).
// The race is made deterministic here: the client swaps the file while the prompt is open, so a second
// open always sees the swapped-in file. The user approved the read of the bytes the prompt described; only
// those may come back. read_doc, which already held one descriptor, is the control.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTree } from '../helpers/fixtures.ts';
import { type Client, type Json, RUNTIME, startReady } from '../helpers/harness.ts';

const ASKED = `# Asked about\n\n${'ALPHA line of the page the user approved\n'.repeat(40)}`;
const SWAPPED = `# Swapped in\n\n${'BRAVO line that nobody was asked about\n'.repeat(80)}`;
const NAMES = ['read.md', 'outline.md', 'resource.md'];
const root = makeTree(Object.fromEntries(NAMES.map((n) => [n, ASKED])));
const config = { roots: [{ name: 'docs', path: root }], confirm: { largerThan: 1000, timeoutMs: 20_000 } };

const calls: ReadonlyArray<[string, (c: Client) => Promise<string>]> = [
  ['read.md', async (c) => JSON.stringify(await c.call('read_doc', { path: 'read.md' }))],
  ['outline.md', async (c) => JSON.stringify(await c.call('outline_doc', { path: 'outline.md' }))],
  ['resource.md', async (c) => JSON.stringify(await c.request('resources/read', { uri: 'docs://docs/resource.md' }))],
];

describe(`consent and read on one descriptor (${RUNTIME})`, () => {
  for (const [name, read] of calls) {
    test(`${name}: a file swapped while the user is asked is not what gets served`, async () => {
      const c = await startReady({ config }, '2025-11-25', { elicitation: {} });
      let asked: string | null = null;
      c.onServerRequest = (m) => {
        if (m.method !== 'elicitation/create') return { error: { code: -32601, message: 'no' } };
        asked = String((m['params'] as { message: string }).message);
        const tmp = join(root, `.swap-${name}`);
        writeFileSync(tmp, SWAPPED); // an atomic replace, as an editor or a sync tool does it
        renameSync(tmp, join(root, name));
        return { action: 'accept', content: { allow: true } } as Json;
      };
      try {
        const reply = await read(c);
        assert.match(
          String(asked),
          new RegExp(`\\(${Buffer.byteLength(ASKED)} bytes\\)`),
          'the prompt sized the asked file',
        );
        assert.ok(
          reply.includes(name === 'outline.md' ? 'Asked about' : 'ALPHA line'),
          `served: ${reply.slice(0, 300)}`,
        );
        assert.ok(
          !reply.includes('BRAVO') && !reply.includes('Swapped in'),
          `swapped-in bytes served: ${reply.slice(0, 300)}`,
        );
      } finally {
        await c.close();
      }
    });
  }
});
