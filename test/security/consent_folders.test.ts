// Attacker goal: read a document the operator meant to gate, because the consent rule names its folder
// (docs/security.md, "Consent as information flow"). `private`, `private/` and `./private/**` in
// confirm.paths gated nothing before (a folder name matched no file name): search found PLANSECRET in
// private/plan.md and read_doc served it without asking. A folder rule gates what is under it, as a
// files.deny folder hides it. The user declines every prompt; nothing of the plan may reach stdout.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { makeTree } from '../helpers/fixtures.ts';
import { type Json, RUNTIME, startReady } from '../helpers/harness.ts';

const root = makeTree({ 'pub/a.md': '# Public\n', 'private/plan.md': '# Plan\n\nPLANSECRET 4711\n' });

describe(`a folder in confirm.paths gates the documents under it (${RUNTIME})`, () => {
  for (const rule of ['private', 'private/', './private/**', 'PRIVATE']) {
    test(`confirm.paths ${JSON.stringify(rule)}`, async () => {
      const config = { roots: [{ name: 'docs', path: root }], confirm: { paths: [rule] } };
      const c = await startReady({ config }, '2025-11-25', { elicitation: {} });
      c.onServerRequest = () => ({ action: 'decline' }) as Json;
      try {
        const search = await c.call('search_docs', { query: 'PLANSECRET', mode: 'literal' });
        assert.deepEqual(search.structuredContent?.['hits'], []);
        const read = await c.call('read_doc', { path: 'private/plan.md' });
        assert.equal(read.isError, true);
        assert.match(c.textOf(read), /declined/);
        assert.equal(c.messages.filter((m) => m.method === 'elicitation/create').length, 1, 'the user was asked');
        const info = await c.call('doc_info', { path: 'private/plan.md' });
        assert.equal(info.structuredContent?.['needsConsent'], true);
        assert.equal((await c.call('read_doc', { path: 'pub/a.md' })).isError, undefined, 'others need no consent');
        assert.ok(!c.stdout.includes('PLANSECRET'));
      } finally {
        await c.close();
      }
    });
  }
});

// Attacker goal: get a yes for a gated document by asking under a harmless name. Through a link
// (files.symlinks "within-root") the model picks the name; the prompt named only the link
// ("notes/summary.md"), so the user never saw that private/plan.md would be read (outside attack).
test(`the consent prompt names the gated file a link opens, not only the link (${RUNTIME})`, async () => {
  const linked = makeTree({ 'private/plan.md': '# Plan\n\nPLANSECRET 4711\n', 'notes/x.md': '# x\n' });
  symlinkSync('../private/plan.md', join(linked, 'notes/summary.md'));
  const config = {
    roots: [{ name: 'docs', path: linked }],
    files: { symlinks: 'within-root' },
    confirm: { paths: ['private'] },
  };
  const c = await startReady({ config }, '2025-11-25', { elicitation: {} });
  c.onServerRequest = () => ({ action: 'decline' }) as Json;
  try {
    const read = await c.call('read_doc', { path: 'notes/summary.md' });
    assert.equal(read.isError, true);
    const asked = c.messages.filter((m) => m.method === 'elicitation/create');
    assert.equal(asked.length, 1, 'the user was asked');
    const message = String((asked[0]?.['params'] as Record<string, unknown>)['message']);
    assert.match(message, /the document "docs:private\/plan\.md" through the link "docs:notes\/summary\.md"/);
    assert.ok(!c.stdout.includes('PLANSECRET'));
  } finally {
    await c.close();
  }
});
