// The attacker's goal "stall": one request must not freeze the server. Heavy work is time-sliced, so a
// ping sent after a heavy search is answered before the search ends, and a call ends at its deadline
// with the deadline error, never late and never as a silent success (docs/security.md, "Time").
// Time is asserted by order of replies, never by wall-clock thresholds.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTree } from '../helpers/fixtures.ts';
import { type Client, type Message, RUNTIME, startReady } from '../helpers/harness.ts';

const HANG_GUARD_MS = 120_000;
const DEADLINE_MS = 1500;
// Pings in the chain sent while a heavy call runs, one after another.
const CHAIN = 5;
// 825 states (under the 1,000-state budget): about 10 µs per character, some 10 s for the 1 MB line.
const HEAVY_REGEX = '(a{0,20}){0,20}(c|d)';
// The outside attack: a words search over one huge line. Six frequent terms over 60 MB is seconds of
// work on any machine (decoding, counting per section), so the search always meets its deadline.
const WORDS = 'install server option config alpha beta ';
// Paths of some 500 characters: a `**/` x 85 glob costs milliseconds per path, seconds for 2,000 of them.
const LONG = `${'x'.repeat(240)}/${'y'.repeat(240)}`;

function tree(): string {
  const files: Record<string, string> = { 'big/oneline.md': 'a'.repeat(1024 * 1024), 'small.md': '# Small\n' };
  files['huge/oneline.md'] = `# ${WORDS.repeat(Math.ceil(60e6 / WORDS.length))}`;
  for (let i = 0; i < 2000; i++) files[`many/d${i % 30}/${LONG}${i}.md`] = `# Page ${i}\n`;
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
   * Sends `heavy`, then a chain of pings (each sent once the previous one is answered) and a small call;
   * returns the replies in arrival order. A server that stops reading for a while answers nothing until
   * the work ends, so the chain stalls and the search reply comes before its end: order shows whether
   * the work yielded, and no time is measured. A first call leaves a fresh snapshot of the root, so the
   * heavy call goes straight to its work.
   */
  async function raceAgainst(
    heavy: { name: string; arguments: Record<string, unknown> },
  ): Promise<{ order: string[]; heavy: Message }> {
    await c.call('search_docs', { query: 'nothing', mode: 'literal', path: 'big' }, HANG_GUARD_MS);
    const order: string[] = [];
    const track = (label: string, p: Promise<Message>) => p.then((m) => (order.push(label), m));
    const slow = track('heavy', c.request('tools/call', heavy, HANG_GUARD_MS));
    for (let k = 1; k <= CHAIN; k++) await track(`ping${k}`, c.request('ping', undefined, HANG_GUARD_MS));
    const info = { name: 'doc_info', arguments: { path: 'small.md' } };
    await track('doc_info', c.request('tools/call', info, HANG_GUARD_MS));
    return { order, heavy: await slow };
  }

  function assertDeadline(order: readonly string[], heavy: Message): void {
    assert.equal(order.indexOf('heavy'), order.length - 1, `reply order ${order.join(', ')}`);
    const r = heavy.result as { isError?: boolean; content: { text: string }[] };
    assert.equal(r.isError, true, JSON.stringify(heavy).slice(0, 300));
    assert.match(
      r.content[0]?.text ?? '',
      new RegExp(`ran past the ${DEADLINE_MS} ms deadline \\(limits\\.deadlineMs\\)`),
    );
  }

  test('a regex over a 1 MB one-line file: pings and doc_info answered first, then the deadline error', async () => {
    const { order, heavy } = await raceAgainst({
      name: 'search_docs',
      arguments: { query: HEAVY_REGEX, mode: 'regex', path: 'big' },
    });
    assertDeadline(order, heavy);
  });

  test('words over a 60 MB one-line file: pings and doc_info answered first, then the deadline error', async () => {
    const { order, heavy } = await raceAgainst({ name: 'search_docs', arguments: { query: WORDS, path: 'huge' } });
    assertDeadline(order, heavy);
  });

  test('the deadline call is audited as refused with reason deadline, not as a success', async () => {
    await new Promise((r) => setTimeout(r, 200));
    const heavy = (x: Record<string, unknown>) => (x['args'] as { query?: string } | undefined)?.query !== 'nothing';
    const rec = c.auditRecords().filter((x) => x['tool'] === 'search_docs' && heavy(x));
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

  test('a costly glob over 2,000 long paths in words mode: pings, doc_info, then the deadline error', async () => {
    // With a fresh snapshot the search goes straight to filtering the cached paths: seconds of matching.
    const { order, heavy } = await raceAgainst({
      name: 'search_docs',
      arguments: { query: 'page', glob: '**/'.repeat(85) },
    });
    assertDeadline(order, heavy);
  });
});
