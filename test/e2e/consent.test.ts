// Explicit user confirmation for risky reads (handshake era): elicitation/create with one boolean,
// and every answer but an explicit yes refuses the read without disclosing any of the document.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTree } from '../helpers/fixtures.ts';
import { type Client, type Json, type Message, RUNTIME, startReady } from '../helpers/harness.ts';

const SECRET_LINE = 'quarterly numbers 4711';
const root = makeTree({
  'public.md': '# Public\n\nnothing special\n',
  'private/plan.md': `# Plan\n\n${SECRET_LINE}\n`,
  'big.md': `# Big\n\n${'filler line\n'.repeat(200)}`,
});
const config = {
  roots: [{ name: 'docs', path: root }],
  confirm: { paths: ['private/**'], largerThan: 1000, timeoutMs: 1500 },
};

function answering(answer: Json | null): (m: Message) => Json | null {
  return (
    m,
  ) => (m.method === 'elicitation/create' ? answer : { error: { code: -32601, message: 'no' } } as unknown as Json);
}

async function withClient(
  answer: Json | null,
  fn: (c: Client) => Promise<void>,
  version = '2025-11-25',
  caps: Json = { elicitation: {} },
): Promise<void> {
  const c = await startReady({ config }, version, caps);
  c.onServerRequest = answering(answer);
  try {
    await fn(c);
    assert.ok(!c.stdout.includes(root), 'no host path on stdout');
  } finally {
    await c.close();
  }
}

describe(`consent before risky reads (${RUNTIME})`, () => {
  test('an accepted confirmation serves the document; the prompt names it and its size', async () => {
    await withClient({ action: 'accept', content: { allow: true } }, async (c) => {
      const r = await c.call('read_doc', { path: 'private/plan.md' });
      assert.equal(r.isError, undefined);
      assert.match(c.textOf(r), new RegExp(SECRET_LINE));
      const ask = c.messages.find((m) => m.method === 'elicitation/create');
      const params = ask?.['params'] as {
        message: string;
        mode?: string;
        requestedSchema: { properties: Record<string, { type: string }> };
      };
      assert.match(params.message, /docs:private\/plan\.md/);
      assert.match(params.message, /\d+ bytes/);
      assert.equal(params.mode, 'form');
      assert.deepEqual(Object.values(params.requestedSchema.properties).map((p) => p.type), ['boolean']);
      const again = await c.call('read_doc', { path: 'private/plan.md' });
      assert.equal(again.isError, undefined);
      assert.equal(
        c.messages.filter((m) => m.method === 'elicitation/create').length,
        1,
        'a yes is remembered for the session',
      );
      const audit = c.auditRecords().filter((a) => a['event'] === 'consent');
      assert.equal(audit.length, 1);
      assert.equal(audit[0]?.['reason'], 'accepted');
    });
  });

  for (
    const [name, answer, pattern] of [
      ['declined', { action: 'decline' }, /declined/],
      ['cancelled', { action: 'cancel' }, /cancelled/],
      ['accepted with false', { action: 'accept', content: { allow: false } }, /declined/],
      ['never answered', null, /did not answer in time/],
    ] as const
  ) {
    test(`a confirmation ${name} refuses the read and discloses nothing`, async () => {
      await withClient(answer as Json | null, async (c) => {
        const r = await c.call('read_doc', { path: 'private/plan.md' });
        assert.equal(r.isError, true);
        assert.match(c.textOf(r), pattern);
        assert.match(c.textOf(r), /nothing was read/);
        assert.ok(!c.stdout.includes(SECRET_LINE));
        const audit = c.auditRecords().filter((a) => a['event'] === 'consent');
        assert.equal(audit.length, 1);
      });
    });
  }

  test('without the elicitation capability the read is refused with a clear reason', async () => {
    await withClient(
      null,
      async (c) => {
        const r = await c.call('read_doc', { path: 'private/plan.md' });
        assert.equal(r.isError, true);
        assert.match(c.textOf(r), /does not support elicitation/);
        assert.equal(c.messages.filter((m) => m.method === 'elicitation/create').length, 0);
      },
      '2025-11-25',
      {},
    );
  });

  test('under 2025-03-26 (no elicitation in that version) the read is refused without asking', async () => {
    await withClient({ action: 'accept', content: { allow: true } }, async (c) => {
      const r = await c.call('read_doc', { path: 'private/plan.md' });
      assert.equal(r.isError, true);
      assert.equal(c.messages.filter((m) => m.method === 'elicitation/create').length, 0);
    }, '2025-03-26');
  });

  test('the size rule, outline_doc, resources/read and search snippets all respect consent', async () => {
    await withClient({ action: 'decline' }, async (c) => {
      assert.equal((await c.call('read_doc', { path: 'big.md' })).isError, true, 'larger than confirm.largerThan');
      assert.equal(
        (await c.call('read_doc', { path: 'public.md' })).isError,
        undefined,
        'small public files need no consent',
      );
      assert.equal((await c.call('outline_doc', { path: 'private/plan.md' })).isError, true);
      const res = await c.request('resources/read', { uri: 'docs://docs/private/plan.md' });
      assert.ok(res.error);
      assert.match(res.error.message, /declined/);
      // Search leaves gated documents out (no masked hit: its position alone was a bit of the text)
      // and says so whatever the query; doc_info shows name, size and date only.
      const s = await c.call('search_docs', { query: 'quarterly', mode: 'literal' });
      assert.deepEqual(s.structuredContent?.['hits'], []);
      assert.match(String(s.structuredContent?.['notSearched']), /need the user's confirmation/);
      const info = (await c.call('doc_info', { path: 'private/plan.md' })).structuredContent ?? {};
      const withheld = [info['needsConsent'], info['sha256'], info['lines'], info['headings'], info['text']];
      assert.deepEqual(withheld, [true, null, null, null, null]);
      assert.equal(info['size'], `# Plan\n\n${SECRET_LINE}\n`.length);
      assert.ok(!c.stdout.includes(SECRET_LINE));
    });
  });
});
