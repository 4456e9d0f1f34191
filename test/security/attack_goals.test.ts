// Attacker goals, not attacker inputs. Goal 1: learn the bytes of a document the user never agreed to
// show (confirm.paths / confirm.largerThan). Two worlds differ ONLY in the withheld bytes (same names,
// sizes and dates); the same scripted extraction (literal, regex and words bisection, paging, doc_info,
// outline, headings, resources, completion, find, list, with logging and progress on) runs in both,
// and every message on stdout must be the same apart from ids and request states. A reply that
// differed would be one bit learned. Runs in the handshake era (with and without elicitation) and the
// stateless era, under every runtime the security suite runs under (Node, Deno).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { utimesSync } from 'node:fs';
import { join } from 'node:path';
import { makeTree } from '../helpers/fixtures.ts';
import { type Client, type Json, type Message, RUNTIME, startServer } from '../helpers/harness.ts';

const SECRET = 'The launch code is K7Q2-ALPHA.';
const PLAN = `---\ntitle: Plan\nowner: ops\n---\n# Plan\n\n## Launch\n\n${SECRET}\n\n` +
  '## Budget\n\nlaunch code budget 4711\n';
const BIG = `# Big\n\n${'launch code filler line\n'.repeat(60)}${SECRET}\n`;
/** The same number of bytes, none of the words, no headings, one line fewer: what the other world holds. */
const blank = (text: string) => 'q'.repeat(text.length - 2) + '\n\n';

function world(withSecret: boolean): string {
  const root = makeTree({
    'public.md': '# Public\n\nThe launch is public. A code of conduct applies.\n\n## Launch code\n\nAsk ops.\n',
    'guide/intro.md': '# Intro\n\nlaunch code words for the public ranking\n',
    'private/plan.md': withSecret ? PLAN : blank(PLAN),
    'big.md': withSecret ? BIG : blank(BIG),
  });
  for (const f of ['public.md', 'guide/intro.md', 'private/plan.md', 'big.md', 'guide', 'private']) {
    utimesSync(join(root, f), 1_700_000_000, 1_700_000_000);
  }
  return root;
}

const configFor = (root: string): Json => ({
  roots: [{ name: 'docs', path: root }],
  confirm: { paths: ['private/**'], largerThan: 1000, timeoutMs: 1000 },
  limits: { callsPerMinute: 0 },
});

type Probe = readonly [method: string, params: Json];
const search = (
  query: string,
  mode: string,
  extra: Json = {},
): Probe => ['tools/call', { name: 'search_docs', arguments: { query, mode, ...extra } }];
const tool = (name: string, args: Json): Probe => ['tools/call', { name, arguments: args }];

/** The extraction script: what an attacker would try to rebuild SECRET with. */
const SCRIPT: readonly Probe[] = [
  search('K7Q2', 'literal'),
  search('K7Q2', 'literal', { caseSensitive: true, contextLines: 2 }),
  search('launch code', 'literal'),
  search('launch code', 'literal', { limit: 1 }),
  search('code is [A-M]', 'regex'),
  search('code is [N-Z]', 'regex'),
  search('code is K7Q[0-4]', 'regex', { contextLines: 1 }),
  search('e', 'literal', { limit: 2 }),
  search('launch code K7Q2 alpha', 'words'),
  search('budget owner plan', 'words'),
  search('launch', 'words', { limit: 1 }),
  search('launch', 'literal', { path: 'private' }),
  search('K7Q2', 'literal', { glob: 'private/**' }),
  search('launch', 'words', { glob: '**/*.md', limit: 1 }),
  tool('doc_info', { path: 'private/plan.md' }),
  tool('doc_info', { path: 'big.md' }),
  tool('outline_doc', { path: 'private/plan.md' }),
  tool('read_doc', { path: 'private/plan.md', heading: 'Launch' }),
  tool('read_doc', { path: 'big.md', startLine: 62 }),
  tool('find_docs', { pattern: '**' }),
  tool('list_docs', { depth: 3 }),
  ['resources/list', {}],
  ['resources/read', { uri: 'docs://docs/private/plan.md' }],
  ['completion/complete', {
    ref: { type: 'ref/resource', uri: 'docs://docs/{+path}' },
    argument: { name: 'path', value: 'private/' },
  }],
];

/** Drops what differs between any two runs (ids, signed request states, durations), keeps everything else. */
function normalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalise);
  if (typeof value !== 'object' || value === null) return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) if (!['id', 'requestState', 'ms'].includes(k)) out[k] = normalise(v);
  return out;
}

type Era = { readonly name: string; readonly version: string; readonly caps: Json };
const ERAS: readonly Era[] = [
  { name: 'handshake 2025-11-25, user declines', version: '2025-11-25', caps: { elicitation: {} } },
  { name: 'handshake 2025-03-26', version: '2025-03-26', caps: {} },
  { name: 'stateless 2026-07-28', version: '2026-07-28', caps: { elicitation: {} } },
];

async function transcript(root: string, era: Era, script: readonly Probe[]): Promise<unknown[]> {
  const c: Client = await startServer({ config: configFor(root) });
  c.onServerRequest = (
    m: Message,
  ) => (m.method === 'elicitation/create' ? { action: 'decline' } : { error: { code: -32601, message: 'no' } });
  const stateless = era.version === '2026-07-28';
  const meta = (token: number): Json => ({
    progressToken: token,
    ...(stateless
      ? {
        'io.modelcontextprotocol/protocolVersion': era.version,
        'io.modelcontextprotocol/clientCapabilities': era.caps,
      }
      : {}),
  });
  try {
    if (!stateless) {
      await c.initialize(era.version, era.caps);
      // Policy notices on; debug would also hit the 20/s log rate limit, a timing effect.
      await c.request('logging/setLevel', { level: 'notice' });
    }
    for (const [i, [method, params]] of script.entries()) {
      const r = await c.request(method, { ...params, _meta: meta(i) });
      assert.ok(r.result ?? r.error, `${method} answered`);
    }
    await c.request('ping', stateless ? { _meta: meta(-1) } : {});
    assert.ok(!c.stdout.includes('K7Q2'), 'the secret never appears on stdout');
    return c.messages.map(normalise);
  } finally {
    await c.close();
  }
}

const withSecret = world(true);
const without = world(false);

describe(`attacker goal: learn withheld bytes (${RUNTIME})`, () => {
  for (const era of ERAS) {
    test(`${era.name}: the same replies whether or not gated documents hold the secret`, async () => {
      const [a, b] = await Promise.all([transcript(withSecret, era, SCRIPT), transcript(without, era, SCRIPT)]);
      const shape = (t: unknown[]) => t.map((m) => JSON.stringify(m).slice(0, 160)).join('\n');
      assert.equal(a.length, b.length, `as many messages in both worlds:\n${shape(a)}\n---\n${shape(b)}`);
      for (let i = 0; i < a.length; i++) assert.deepEqual(a[i], b[i], `message ${i} differs between the worlds`);
      const searches = a.filter((m) => JSON.stringify(m).includes('files searched'));
      assert.ok(searches.length >= 10, 'the searches ran and answered (not all refused)');
      assert.ok(JSON.stringify(a).includes('public.md'), 'public documents are still found');
    });
  }

  test('bisection on one server: probes that match the secret and probes that do not get the same reply', async () => {
    // Each pair: the first matches the gated text, the second does not. Apart from ids, equal replies.
    const pairs: readonly (readonly [Probe, Probe])[] = [
      [search('K7Q2', 'literal'), search('Z9X1', 'literal')],
      [search('code is [A-M]', 'regex'), search('code is [N-Z]', 'regex')],
      [search('K7Q2 alpha', 'words'), search('Z9X1 omega', 'words')],
      [search('budget 4711', 'literal', { limit: 1 }), search('budget 4712', 'literal', { limit: 1 })],
    ];
    const replies = await transcript(withSecret, ERAS[0] as Era, pairs.flat());
    const results = replies.filter((m) =>
      (m as Json)['result'] !== undefined && JSON.stringify(m).includes('files searched')
    );
    assert.equal(results.length, pairs.length * 2);
    for (let i = 0; i < pairs.length; i++) {
      assert.deepEqual(results[2 * i], results[2 * i + 1], `pair ${i} tells match from no match`);
    }
  });
});
