// Attacker goal: read a consent-gated document through a second name (docs/security.md, "Consent as information flow").
// Rules judge names, and a hard link is the same file under another name that no rule names: with
// files.hardLinks true, `pub/copy.md` linked to a gated `private/plan.md` was searched and served without
// a prompt. Nothing on a file tells its other names, so every file with more than one link is gated.
// The user declines every prompt; nothing of the plan may reach stdout. Under Node and Deno.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { linkSync } from 'node:fs';
import { join } from 'node:path';
import { makeTree } from '../helpers/fixtures.ts';
import { type Json, RUNTIME, startReady } from '../helpers/harness.ts';

const root = makeTree({ 'pub/a.md': '# Public\n', 'private/plan.md': '# Plan\n\nPLANSECRET 4711\n' });
linkSync(join(root, 'private/plan.md'), join(root, 'pub/copy.md'));

describe(`with files.hardLinks a multi-link file is gated (${RUNTIME})`, () => {
  test('a hard link to a gated document is not searched, read, outlined or hashed without consent', async () => {
    const config = {
      mode: 'development',
      roots: [{ name: 'docs', path: root }],
      files: { hardLinks: true },
      confirm: { paths: ['private/**'] },
    };
    const c = await startReady({ config }, '2025-11-25', { elicitation: {} });
    c.onServerRequest = () => ({ action: 'decline' }) as Json;
    try {
      for (const mode of ['literal', 'words']) {
        const search = await c.call('search_docs', { query: 'PLANSECRET', mode });
        assert.deepEqual(search.structuredContent?.['hits'], [], mode);
      }
      for (const tool of ['read_doc', 'outline_doc']) {
        const r = await c.call(tool, { path: 'pub/copy.md' });
        assert.equal(r.isError, true, tool);
        assert.match(c.textOf(r), /declined/);
      }
      const res = await c.request('resources/read', { uri: 'docs://docs/pub/copy.md' });
      assert.match(String(res.error?.message), /declined/);
      const info = await c.call('doc_info', { path: 'pub/copy.md' });
      assert.equal(info.structuredContent?.['needsConsent'], true);
      assert.equal(info.structuredContent?.['sha256'], null);
      assert.equal((await c.call('read_doc', { path: 'pub/a.md' })).isError, undefined, 'one-link files need none');
      assert.ok(!c.stdout.includes('PLANSECRET'));
    } finally {
      await c.close();
    }
  });
});
