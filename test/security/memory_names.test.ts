// The attacker's goal "bloat" through names alone (outside attack sbe12): thousands of EMPTY files whose long names
// are one word per character. The warm-up walks and reads every file a search could read and words mode keeps each
// path's words; kept whole and unbounded, 45,000 such names grew the server past 4 GB and ended it before any call.
// Now a path longer than a request may name is never listed, a path keeps its last 64 words in a memo bounded in
// words, and a root that search refuses (over limits.searchFiles) is not read by the warm-up either.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/fixtures.ts';
import { HANG_GUARD_MS, type Json, RUNTIME, startReady } from '../helpers/harness.ts';
import { peakRssMiB } from '../helpers/proc_status.ts';

const SEGMENT = 'aB_cD-'.repeat(41).slice(0, 240); // ~160 words of one letter each

/** `files` empty .md files in `depth` nested folders of 240-character names; returns the root. */
function plantNames(files: number, depth: number): string {
  const root = tempDir('dw-names-');
  const folder = join(root, ...Array.from({ length: depth }, (_, i) => `${i}${SEGMENT}`));
  mkdirSync(folder, { recursive: true });
  for (let i = 0; i < files; i++) writeFileSync(join(folder, `${SEGMENT.slice(0, 12)}${i}.md`), '');
  return root;
}

async function warmUpRecord(c: Awaited<ReturnType<typeof startReady>>): Promise<Json> {
  const until = Date.now() + HANG_GUARD_MS; // a hang guard, not a speed target
  for (; Date.now() < until; await new Promise((r) => setTimeout(r, 50))) {
    const found = c.auditRecords().find((r) => r['event'] === 'warm_up');
    if (found) return found['detail'] as Json;
  }
  throw new Error('no warm_up record');
}

describe(`planted names do not bloat the server (${RUNTIME})`, () => {
  test('12,000 empty files of 1,000-character names: the warm-up and a words search stay small', {
    timeout: HANG_GUARD_MS,
  }, async (t) => {
    const root = plantNames(12_000, 4); // paths of about 985 characters, ~650 words each
    const c = await startReady({ config: { roots: [{ name: 'docs', path: root }], limits: { deadlineMs: 600_000 } } });
    try {
      assert.equal((await warmUpRecord(c))['files'], 12_000, 'every file was walked and read');
      const r = await c.call('search_docs', { query: 'b c d', mode: 'words' }, HANG_GUARD_MS);
      assert.ok(!r.isError, JSON.stringify(r).slice(0, 300));
      const peak = peakRssMiB(c.proc.pid);
      if (peak === null) return t.diagnostic('peak RSS not measurable here (no /proc)');
      t.diagnostic(`peak RSS ${peak.toFixed(1)} MiB`);
      // Kept whole, the names' ~8 M words alone took over 300 MiB; bounded, the memo holds 512 K.
      assert.ok(peak < (RUNTIME === 'deno' ? 400 : 250), `peak RSS ${peak.toFixed(1)} MiB (${RUNTIME})`);
    } finally {
      c.proc.kill('SIGKILL');
      await c.exit;
    }
  });

  test('a path longer than a request may name (1,024 characters) is not listed, found or searched', {
    timeout: HANG_GUARD_MS,
  }, async () => {
    const root = plantNames(3, 5); // about 1,225 characters
    writeFileSync(join(root, 'short.md'), '# Short\n');
    const c = await startReady({ roots: [root] });
    try {
      const found = JSON.stringify(await c.call('find_docs', { pattern: '**/*.md' }));
      assert.match(found, /short\.md/);
      assert.doesNotMatch(found, /aB_cD-aB_cD-aB_cD-/, 'the long paths are not listed');
      assert.equal((await warmUpRecord(c))['files'], 1, 'only short.md is read');
    } finally {
      c.proc.kill('SIGKILL');
      await c.exit;
    }
  });

  test('the warm-up does not read a root that search would refuse (more files than limits.searchFiles)', {
    timeout: HANG_GUARD_MS,
  }, async () => {
    const root = plantNames(300, 1);
    const c = await startReady({ config: { roots: [{ name: 'docs', path: root }], limits: { searchFiles: 200 } } });
    try {
      assert.equal((await warmUpRecord(c))['files'], 0, 'nothing read');
      const r = await c.call('search_docs', { query: 'b', mode: 'words' });
      assert.ok(r.isError && JSON.stringify(r.content).includes('limits.searchFiles'), JSON.stringify(r).slice(0, 300));
    } finally {
      c.proc.kill('SIGKILL');
      await c.exit;
    }
  });
});
