// The attacker's goal "stall" through the steps of a whole-file call that used to run in one turn: reading
// the file (one read of up to 64 MiB), redacting a long line without blanks (minified JSON: one piece of
// 8 MiB), checking raw bytes for secrets before serving them (files.binary "blob"), hashing for doc_info,
// and search's heading scan. Each now goes a slice at a time: a chain of pings and a small doc_info sent
// after the heavy call are answered before it, and a short deadline ends it with the deadline error
// (docs/security.md, "Time"). Time is asserted by order of replies, never by wall-clock thresholds.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { makeTree } from '../helpers/fixtures.ts';
import { type Client, type Message, RUNTIME, startReady } from '../helpers/harness.ts';

const HANG_GUARD_MS = 120_000;
// A chain of pings sees a stall only where too few turns of the loop follow it: on the old code the loads'
// stall came after reading and decoding (sliced), so a loaded machine can pass this chain there; the unit
// tests counting ticks (test/document/document.test.ts, test/search/corpus.test.ts) fail there always.
const CHAIN = 5;
const MIB = 1 << 20;
// One line of 8 MiB of JSON with a URL scheme and a key prefix in every record (redaction has work in
// every piece), no blank anywhere, and one real credential at its end that must still be redacted.
const RECORD = '{"u":"https://example.com/a","k":"AKIA"},';
const SECRET = '{"db":"https://user:hunter2hunter2@example.com/x"}';
const LINE = `[${RECORD.repeat(Math.floor((8 * MIB) / RECORD.length))}${SECRET}]`;
const SERVED_LINE = LINE.replace('user:hunter2hunter2', '[REDACTED:url-credentials]');
// The same records made binary by a NUL, without the credential: served raw under files.binary "blob" once
// every piece was checked for secrets (a cost paid before in one step, now a piece at a time).
const BLOB = new TextEncoder().encode(`\0${RECORD.repeat(Math.floor((8 * MIB) / RECORD.length))}`);
// A Markdown file whose two first lines match and whose 3.5 M lines are scanned for headings after that.
const HEADINGS_LINES = 3_500_000;

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

function tree(): string {
  return makeTree({
    'line.txt': LINE,
    'blob.bin': BLOB,
    'hits.md': `# End\n# End\n${'\n'.repeat(HEADINGS_LINES)}`,
    'small.md': '# Small\n',
  });
}

async function start(root: string, deadlineMs: number): Promise<Client> {
  return await startReady({
    config: {
      roots: [{ name: 'docs', path: root }],
      files: { binary: 'blob', extensions: ['md', 'txt', 'bin'] },
      limits: { callsPerMinute: 0, deadlineMs },
    },
  });
}

type Reply = { isError?: boolean; content: { text: string }[]; structuredContent?: Record<string, unknown> };

/** Sends `heavy`, then chained pings and a small doc_info; asserts the heavy call was answered last. */
async function raceAgainst(c: Client, method: string, params: Record<string, unknown>) {
  const order: string[] = [];
  const track = (label: string, p: Promise<Message>) => p.then((m) => (order.push(label), m));
  const slow = track('heavy', c.request(method, params, HANG_GUARD_MS));
  for (let k = 1; k <= CHAIN; k++) await track(`ping${k}`, c.request('ping', undefined, HANG_GUARD_MS));
  const small = { name: 'doc_info', arguments: { path: 'small.md' } };
  await track('doc_info', c.request('tools/call', small, HANG_GUARD_MS));
  const heavy = await slow;
  assert.equal(order.indexOf('heavy'), order.length - 1, `reply order ${order.join(', ')}`);
  return heavy;
}

const call = async (c: Client, name: string, args: Record<string, unknown>) =>
  (await raceAgainst(c, 'tools/call', { name, arguments: args })).result as Reply;

describe(`whole-file steps do not stall the server (${RUNTIME})`, () => {
  let root: string;
  let c: Client;
  before(async () => {
    root = tree();
    c = await start(root, 600_000);
  });
  after(async () => {
    c.proc.kill('SIGKILL');
    await c.exit;
  });

  test('doc_info of an 8 MiB line without blanks: pings first, then the hash of the redacted text', async () => {
    const r = await call(c, 'doc_info', { path: 'line.txt' });
    assert.equal(r.isError, undefined, r.content[0]?.text);
    assert.equal(r.structuredContent?.['lines'], 1);
    assert.equal(r.structuredContent?.['sha256'], sha256(SERVED_LINE), 'the credential at the end is redacted');
  });

  test('resources/read of the same line: pings first, then its first part, redacted like the rest', async () => {
    const m = await raceAgainst(c, 'resources/read', { uri: 'docs://docs/line.txt' });
    const text = JSON.stringify(m.result);
    assert.match(text, /first part only/);
    assert.doesNotMatch(text, /hunter2/);
  });

  test('doc_info of an 8 MiB binary file served raw: pings first, then the hash of its bytes', async () => {
    const r = await call(c, 'doc_info', { path: 'blob.bin' });
    assert.equal(r.isError, undefined, r.content[0]?.text);
    assert.equal(r.structuredContent?.['sha256'], sha256(BLOB));
  });

  test('search_docs whose hits need the headings of 3.5 M lines: pings first, then the hit and its heading', async () => {
    const r = await call(c, 'search_docs', { query: 'End', mode: 'literal', limit: 1 });
    assert.equal(r.isError, undefined, r.content[0]?.text);
    assert.match(r.content[0]?.text ?? '', /hits\.md/);
    assert.deepEqual((r.structuredContent?.['hits'] as { heading: string }[])[0]?.heading, 'End');
  });
});

describe(`whole-file steps end at the deadline (${RUNTIME})`, () => {
  let c: Client;
  before(async () => (c = await start(tree(), 100)));
  after(async () => {
    c.proc.kill('SIGKILL');
    await c.exit;
  });

  for (const path of ['line.txt', 'blob.bin']) {
    test(`doc_info of ${path} with deadlineMs 100 ends with the deadline error`, async () => {
      const r = await c.call('doc_info', { path }, HANG_GUARD_MS);
      assert.equal(r.isError, true, c.textOf(r));
      assert.match(c.textOf(r), /ran past the 100 ms deadline \(limits\.deadlineMs\)/);
    });
  }
});
