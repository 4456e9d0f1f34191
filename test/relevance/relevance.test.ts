// Relevance floor of the words mode on real documentation: 48 labelled questions over the Node.js API
// docs and the Linux kernel docs (test/relevance/queries.json). A ranking regression fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { corpus, corporaMissing } from '../helpers/corpora.ts';
import { startReady } from '../helpers/harness.ts';

type Labelled = Readonly<Record<string, readonly (readonly [string, string])[] | string>>;
const MRR_FLOOR = 0.85;
const HITS3_FLOOR = 0.9;

const missing = corporaMissing();
test('words search ranks the page a person means first (MRR@10 and hits@3 floors)', { timeout: 120_000, ...(missing ? { skip: missing } : {}) }, async () => {
  const set = JSON.parse(readFileSync('test/relevance/queries.json', 'utf8')) as Labelled;
  const roots = { 'node-api': corpus('node-api'), 'linux-docs': corpus('linux-docs') };
  const c = await startReady({
    config: { roots: Object.entries(roots).map(([name, path]) => ({ name, path })), limits: { callsPerMinute: 0 } },
  });
  try {
    let reciprocal = 0;
    let top3 = 0;
    let n = 0;
    const misses: string[] = [];
    for (const [root, pairs] of Object.entries(set)) {
      if (typeof pairs === 'string') continue;
      for (const [query, wanted] of pairs) {
        const r = await c.call('search_docs', { query, root, limit: 10 }, 60_000);
        const hits = (r.structuredContent?.['hits'] as { path: string }[] | undefined) ?? [];
        const rank = hits.findIndex((h) => h.path === wanted) + 1;
        n++;
        if (rank > 0) reciprocal += 1 / rank;
        if (rank > 0 && rank <= 3) top3++;
        if (rank !== 1) misses.push(`${rank || '-'}: ${query} -> ${hits.slice(0, 3).map((h) => h.path).join(', ')}`);
      }
    }
    const mrr = reciprocal / n;
    const hits3 = top3 / n;
    assert.ok(n >= 40, 'at least 40 labelled queries');
    assert.ok(mrr >= MRR_FLOOR, `MRR@10 ${mrr.toFixed(3)} under ${MRR_FLOOR}; misses:\n${misses.join('\n')}`);
    assert.ok(hits3 >= HITS3_FLOOR, `hits@3 ${hits3.toFixed(3)} under ${HITS3_FLOOR}; misses:\n${misses.join('\n')}`);
  } finally {
    await c.close();
  }
});
