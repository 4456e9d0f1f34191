// The warm-up after the handshake (issue 13, part 4): while the client settles in, the server reads
// into its search cache exactly what a search may read, stands aside while any request runs, and says
// what it read in one `warm_up` audit record; the start-up census waits for it. Asserted by counts and
// order, never by time.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runSubcommand } from '../helpers/audit_launch.ts';
import { makeTree } from '../helpers/fixtures.ts';
import { type Client, HANG_GUARD_MS, type Json, RUNTIME, startReady, startServer } from '../helpers/harness.ts';
import { SNAPSHOT_TTL_MS } from '../../src/search/corpus.ts';

const PUBLIC = 'public page about search\n';
const GATED = 'GATED-CANARY private numbers\n';

/** Waits (hang guard only) until the audit log holds an `event` record, and returns every record. */
async function untilEvent(c: Client, event: string): Promise<Json[]> {
  const until = Date.now() + HANG_GUARD_MS;
  for (;;) {
    const records = c.auditRecords();
    if (records.some((r) => r['event'] === event)) return records;
    if (Date.now() > until) throw new Error(`no ${event} record`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const untilWarm = (c: Client) => untilEvent(c, 'warm_up');

const warmOf = (records: Json[]) => records.find((r) => r['event'] === 'warm_up')?.['detail'] as Json;
const line = (m: Json) => JSON.stringify(m) + '\n';
const initialize = (caps: Json) =>
  line({
    jsonrpc: '2.0',
    id: 'init',
    method: 'initialize',
    params: { protocolVersion: '2025-11-25', capabilities: caps, clientInfo: { name: 'e2e', version: '1' } },
  }) + line({ jsonrpc: '2.0', method: 'notifications/initialized' });

describe(`warm-up after the handshake (${RUNTIME})`, () => {
  const files: Record<string, string> = { 'private/plan.md': GATED, '.env': 'DENIED=1\n', 'big.md': 'x'.repeat(5000) };
  for (let i = 0; i < 40; i++) files[`docs/page${i}.md`] = PUBLIC;
  const root = makeTree(files);
  const config = {
    roots: [{ name: 'docs', path: root }],
    confirm: { paths: ['private/**'], largerThan: 4000, timeoutMs: HANG_GUARD_MS },
  };

  test('reads every file a search may read and nothing else: no consent-gated, large-gated or denied file', async () => {
    const c = await startServer({ config });
    try {
      c.sendRaw(initialize({}));
      const warm = warmOf(await untilWarm(c));
      assert.deepEqual(
        { files: warm['files'], chars: warm['chars'], indexed: warm['indexed'] },
        { files: 40, chars: 40 * PUBLIC.length, indexed: 40 },
        'each text read is also indexed for words mode',
      );
      assert.equal(warm['stoodAside'], 0, 'no request ran meanwhile');
    } finally {
      await c.close();
    }
  });

  test('a request in flight holds the warm-up back; pings are answered meanwhile', async () => {
    const c = await startServer({ config });
    let ask: (m: Json) => void = () => undefined;
    const asked = new Promise<Json>((r) => (ask = r));
    c.onServerRequest = (m) => (ask(m), null); // answered below, once the pings are through
    try {
      // One write: the read that waits for consent is running before the warm-up takes its first step.
      const read = { name: 'read_doc', arguments: { root: 'docs', path: 'private/plan.md' } };
      c.sendRaw(
        initialize({ elicitation: {} }) + line({ jsonrpc: '2.0', id: 'read', method: 'tools/call', params: read }),
      );
      assert.equal((await asked)['method'], 'elicitation/create');
      for (let i = 0; i < 3; i++) assert.deepEqual((await c.request('ping')).result, {});
      await new Promise((r) => setTimeout(r, 1000)); // past the census's 500 ms delay (not a timing bound)
      const early = c.auditRecords().map((r) => r['event']);
      assert.ok(!early.includes('warm_up'), 'no warm-up while the read waits');
      assert.ok(!early.includes('census'), 'nor the census: it waits for the warm-up');
      c.send({ jsonrpc: '2.0', id: (await asked)['id'], result: { action: 'accept', content: { allow: true } } });
      const reply = await c.waitFor((m) => m.id === 'read');
      assert.ok(JSON.stringify(reply.result).includes('GATED-CANARY'), 'the consented read is served');
      await untilWarm(c);
      const records = await untilEvent(c, 'census');
      const warm = warmOf(records);
      assert.ok(
        (warm['stoodAside'] as number) >= 1,
        JSON.stringify(records.map((r) => [r['event'], r['tool'], r['detail']])),
      );
      assert.equal(warm['files'], 40, 'the consented file is still not warmed: consent is for the read, not search');
      const seq = (pred: (r: Json) => boolean) => records.findIndex(pred);
      assert.ok(seq((r) => r['tool'] === 'read_doc') < seq((r) => r['event'] === 'warm_up'), 'the read finished first');
      assert.ok(seq((r) => r['event'] === 'warm_up') < seq((r) => r['event'] === 'census'), 'then the warm-up');
    } finally {
      await c.close();
    }
  });

  test('a stop while the warm-up waits ends it, its record written before "stop"; the log verifies', async () => {
    const c = await startServer({ config });
    let ask: (m: Json) => void = () => undefined;
    const asked = new Promise<Json>((r) => (ask = r));
    c.onServerRequest = (m) => (ask(m), null); // never answered: the read waits, the warm-up with it
    const read = { name: 'read_doc', arguments: { root: 'docs', path: 'private/plan.md' } };
    c.sendRaw(
      initialize({ elicitation: {} }) + line({ jsonrpc: '2.0', id: 'read', method: 'tools/call', params: read }),
    );
    await asked;
    assert.equal((await c.close()).code, 0);
    const events = c.auditRecords().map((r) => r['event']).filter((e) => e === 'warm_up' || e === 'stop');
    assert.deepEqual(events, ['warm_up', 'stop'], 'the warm-up says what it did, before the stop record');
    assert.equal(warmOf(c.auditRecords())['stopped'], true);
    const log = c.auditPath as string;
    assert.equal(runSubcommand(['verify-log', log], [dirname(log)]).code, 0, 'verify-log finds the chain intact');
  });

  test('a file edited after the warm-up is searched in its new version, in every mode', async () => {
    const tree = makeTree({ 'guide/a.md': '# Setup\nold wording here\n', 'guide/b.md': '# Other\nunrelated\n' });
    const then = new Date(Date.now() - 60_000); // folders not changed "just now": the snapshot is only rechecked
    for (const rel of ['', 'guide', 'guide/a.md', 'guide/b.md']) utimesSync(join(tree, rel), then, then);
    const c = await startReady({ config: { roots: [{ name: 'docs', path: tree }] } });
    try {
      await untilWarm(c);
      const hits = async (query: string, mode: string) => {
        const r = await c.call('search_docs', { query, mode });
        return (r.structuredContent?.['hits'] as Json[]).map((h) => `${h['path']}:${h['snippet']}`);
      };
      assert.deepEqual(await hits('wording', 'literal'), ['guide/a.md:old wording here']);
      writeFileSync(join(tree, 'guide/a.md'), '# Setup\nnew phrasing here\n'); // in place: its folder is unchanged
      await new Promise((r) => setTimeout(r, SNAPSHOT_TTL_MS + 100)); // past the snapshot's lifetime (not a timing bound)
      assert.deepEqual(await hits('phrasing', 'literal'), ['guide/a.md:new phrasing here']);
      assert.deepEqual(await hits('wording', 'literal'), []);
      assert.deepEqual(await hits('phras.ng', 'regex'), ['guide/a.md:new phrasing here']);
      assert.deepEqual(await hits('new phrasing', 'words'), ['guide/a.md:new phrasing here']);
    } finally {
      await c.close();
    }
  });
});
