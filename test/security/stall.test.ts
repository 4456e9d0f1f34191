// The attacker's goal "stall": one request must not freeze the server. Heavy work is time-sliced, so a
// ping sent after a heavy search is answered before the search ends, and a call ends at its deadline
// with the deadline error, never late and never as a silent success (docs/security.md, "Time").
// Time is asserted by order of replies, never by wall-clock thresholds.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTree } from '../helpers/fixtures.ts';
import { type Client, type Message, RUNTIME, startReady } from '../helpers/harness.ts';

const HANG_GUARD_MS = 120_000;
const DEADLINE_MS = 1000;
// 825 states (under the 1,000-state budget): about 10 µs per character, some 10 s for the 1 MB line.
const HEAVY_REGEX = '(a{0,20}){0,20}(c|d)';

function tree(): string {
  const files: Record<string, string> = { 'big/oneline.md': 'a'.repeat(1024 * 1024), 'small.md': '# Small\n' };
  for (let i = 0; i < 2000; i++) files[`many/d${i % 30}/p${i}.md`] = `# Page ${i}\n`;
  return makeTree(files);
}

describe(`no request stalls the server (${RUNTIME})`, () => {
  let c: Client;
  before(async () => {
    c = await startReady({
      config: { roots: [{ name: 'docs', path: tree() }], limits: { callsPerMinute: 0, deadlineMs: DEADLINE_MS } },
    });
  });
  after(async () => {
    c.proc.kill('SIGKILL');
    await c.exit;
  });

  /**
   * Sends `heavy`, then (once it is under way) a ping and a small call; returns the replies in arrival
   * order. The pause only makes the order meaningful; nothing is asserted about time.
   */
  async function raceAgainst(
    heavy: { name: string; arguments: Record<string, unknown> },
  ): Promise<{ order: string[]; heavy: Message }> {
    const order: string[] = [];
    const track = (label: string, p: Promise<Message>) => p.then((m) => (order.push(label), m));
    const slow = track('heavy', c.request('tools/call', heavy, HANG_GUARD_MS));
    await new Promise((r) => setTimeout(r, 200));
    const ping = track('ping', c.request('ping', undefined, HANG_GUARD_MS));
    const info = track(
      'doc_info',
      c.request('tools/call', { name: 'doc_info', arguments: { path: 'small.md' } }, HANG_GUARD_MS),
    );
    const [m] = await Promise.all([slow, ping, info]);
    return { order, heavy: m };
  }

  test('a regex over a 1 MB one-line file: ping and doc_info answered first, the search ends with the deadline error', async () => {
    const { order, heavy } = await raceAgainst({
      name: 'search_docs',
      arguments: { query: HEAVY_REGEX, mode: 'regex', path: 'big' },
    });
    assert.equal(order.indexOf('heavy'), 2, `reply order ${order.join(', ')}`);
    const r = heavy.result as { isError?: boolean; content: { text: string }[] };
    assert.equal(r.isError, true, JSON.stringify(heavy).slice(0, 300));
    assert.match(
      r.content[0]?.text ?? '',
      new RegExp(`(exceeded|ran past) the ${DEADLINE_MS} ms deadline \\(limits\\.deadlineMs\\)`),
    );
  });

  test('the deadline call is audited as refused with reason deadline, not as a success', async () => {
    await new Promise((r) => setTimeout(r, 200));
    const rec = c.auditRecords().filter((x) => x['tool'] === 'search_docs');
    assert.ok(
      rec.length > 0 && rec.every((x) => x['outcome'] === 'refused' && x['reason'] === 'deadline'),
      JSON.stringify(rec),
    );
  });

  test('nested counted repetitions over the cost budget are refused with an error naming the limit', async () => {
    const r = await c.call('search_docs', { query: '(a{0,99}){0,99}x', mode: 'regex' }, HANG_GUARD_MS);
    assert.equal(r.isError, true);
    assert.match(c.textOf(r), /pattern too large: over 1000 states, the cost limit of 1000 steps per character/);
  });

  // Skipped: on an idle machine this filtering ends in ~0.3 s, before the ping is read, so the order is not
  // deterministic; it needs a workload sized so the search must yield (closing note, issue 11).
  test('a costly glob filtering 2,000 paths in words mode: ping and doc_info answered first', {
    skip: 'order not deterministic on an idle machine: the filtering can end before the ping is read',
  }, async () => {
    // A literal search that reads one file but walks the whole root leaves a fresh snapshot, so the
    // next search goes straight to filtering the cached path list (9.6 s for 20,000 paths before).
    await c.call('search_docs', { query: 'nothing', mode: 'literal', path: 'big' }, HANG_GUARD_MS);
    const { order, heavy } = await raceAgainst({
      name: 'search_docs',
      arguments: { query: 'page', glob: '**/'.repeat(85) },
    });
    assert.equal(order.indexOf('heavy'), 2, `reply order ${order.join(', ')}`);
    assert.ok(heavy.result !== undefined, JSON.stringify(heavy).slice(0, 300));
  });
});
