// Attacker goal: learn a secret that files.redactSecrets withholds (docs/security.md, "Secrets in served
// text"). Redaction is done once, on the document text, so no consumer can see the secret: two worlds hold
// the same page with different secrets of the same families and lengths (an AWS key id, one glued to
// letters, a GitHub token, one placed so a snippet cut falls inside it, a private-key block, a password
// in a URL). The same script (literal, regex and words bisection, context lines, line ranges starting
// inside the key block, headings, outline, doc_info, resources/read) runs in both, and every message on
// stdout must be the same apart from ids: a reply that differed would be one bit of a secret learned.
// Runs under every runtime the security suite runs under (Node, Deno), through the real bundle.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { utimesSync } from 'node:fs';
import { join } from 'node:path';
import { makeTree } from '../helpers/fixtures.ts';
import { type Client, type Json, type Message, RUNTIME, startReady } from '../helpers/harness.ts';

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const LOWER = 'abcdefghijklmnopqrstuvwxyz0123456789';
const ALNUM = UPPER + LOWER.slice(0, 26);
const BASE64 = ALNUM + '+/';
/** A deterministic pseudo-random run (a linear congruential generator), different for each seed. */
function run(seed: number, length: number, alphabet: string): string {
  let x = seed;
  let out = '';
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out += alphabet[x % alphabet.length];
  }
  return out;
}

type Secrets = { aws: string; glued: string; gh: string; edge: string; body: string[]; pw: string };
const secretsOf = (seed: number): Secrets => ({
  aws: 'AKIA' + run(seed, 16, UPPER),
  glued: 'ASIA' + run(seed + 1, 16, UPPER),
  gh: 'ghp_' + run(seed + 2, 36, ALNUM),
  edge: 'ghp_' + run(seed + 3, 40, ALNUM),
  body: [1, 2, 3].map((k) => run(seed + 3 + k, 64, BASE64)),
  pw: run(seed + 7, 12, LOWER), // one word to the words tokenizer
});
const A = secretsOf(1000);
const B = secretsOf(2000);
// The key body starts on line 15, the heading after the block is on line 22 (as in the file on disk).
const BODY_LINE = 15;
const page = (s: Secrets): string =>
  `# Deploy\n\nSet the key id:\n\n    aws_access_key_id = ${s.aws}\n\nIn a table: |id=x${s.glued}Yz|\n\n` +
  `## Token\n\nexport GITHUB_TOKEN=${s.gh}\n${'a '.repeat(150)}${s.edge}${' '.repeat(59)}needle${
    ' b'.repeat(150)
  }\n\n` +
  `-----BEGIN RSA PRIVATE KEY-----\n${s.body.join('\n')}\n-----END RSA PRIVATE KEY-----\n\n` +
  `clone https://deploy:${s.pw}@git.example.com/r.git\n\n## After\n\nThe end of the page.\n`;

function world(s: Secrets): string {
  const root = makeTree({ 'deploy.md': page(s), 'public.md': '# Public\n\nHow to deploy: ask for a token.\n' });
  for (const f of ['deploy.md', 'public.md']) utimesSync(join(root, f), 1_700_000_000, 1_700_000_000);
  return root;
}

type Probe = readonly [method: string, params: Json];
const search = (query: string, mode: string, extra: Json = {}): Probe => [
  'tools/call',
  { name: 'search_docs', arguments: { query, mode, ...extra } },
];
const tool = (name: string, args: Json): Probe => ['tools/call', { name, arguments: args }];

/** The probes an attacker who knows world A's secrets (or guesses them) would send. */
const SCRIPT: readonly Probe[] = [
  search(A.aws, 'literal'),
  search(A.aws.slice(0, 6), 'literal', { contextLines: 1 }),
  search(A.gh.slice(4, 14), 'literal'),
  search(A.body[0]!.slice(0, 12), 'literal', { caseSensitive: true }),
  search(A.pw, 'literal'),
  search('AKIA[A-M]', 'regex'),
  search('AKIA[N-Z0-9]', 'regex'),
  search('ASIA[A-Z0-9]{16}', 'regex'),
  search('gh[p]_[A-Za-z0-9]{36}', 'regex', { contextLines: 2 }),
  search('^[A-Za-z0-9+/]{64}$', 'regex', { contextLines: 2 }),
  search('deploy:[A-Za-z0-9]{12}@', 'regex'),
  search('PRIVATE KEY', 'literal', { contextLines: 5 }),
  search('needle', 'literal'),
  search('needle', 'words'),
  search(`${A.aws} ${A.gh}`, 'words'),
  search(A.body[1]!.slice(0, 20), 'words'),
  search('deploy key token', 'words', { contextLines: 3 }),
  tool('read_doc', { path: 'deploy.md' }),
  tool('read_doc', { path: 'deploy.md', startLine: BODY_LINE, endLine: BODY_LINE + 2, lineNumbers: true }),
  tool('read_doc', { path: 'deploy.md', startLine: BODY_LINE + 1 }),
  tool('read_doc', { path: 'deploy.md', heading: 'Token' }),
  tool('outline_doc', { path: 'deploy.md' }),
  tool('doc_info', { path: 'deploy.md' }),
  ['resources/read', { uri: 'docs://docs/deploy.md' }],
];

/** Drops what differs between any two runs (ids, durations, read_doc's random frame tags), keeps the rest. */
function normalise(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/ \[[0-9a-f]{12}\]/g, ' [tag]');
  if (Array.isArray(value)) return value.map(normalise);
  if (typeof value !== 'object' || value === null) return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) if (!['id', 'ms'].includes(k)) out[k] = normalise(v);
  return out;
}

/** Every 8-character piece of every secret of `s` (the prefixes AKIA, ghp_ are not secret). */
const pieces = (s: Secrets): string[] =>
  [s.aws.slice(4), s.glued.slice(4), s.gh.slice(4), s.edge.slice(4), ...s.body, s.pw]
    .flatMap((x) => Array.from({ length: x.length - 7 }, (_, i) => x.slice(i, i + 8)));

async function transcript(root: string, script: readonly Probe[]): Promise<{ messages: unknown[]; c: Client }> {
  const c = await startReady({ config: { roots: [{ name: 'docs', path: root }], limits: { callsPerMinute: 0 } } });
  try {
    for (const [method, params] of script) {
      const r: Message = await c.request(method, params);
      assert.ok(r.result, `${method} ${JSON.stringify(params).slice(0, 80)} answered: ${JSON.stringify(r.error)}`);
    }
    return { messages: c.messages.map(normalise), c };
  } finally {
    await c.close();
  }
}

describe(`attacker goal: learn a redacted secret (${RUNTIME})`, () => {
  test('the same replies whatever secrets the page holds, and no piece of one on stdout', async () => {
    const [a, b] = await Promise.all([transcript(world(A), SCRIPT), transcript(world(B), SCRIPT)]);
    for (const [t, s] of [[a, A], [b, B]] as const) {
      for (const p of pieces(s)) assert.ok(!t.c.stdout.includes(p), `a piece of a secret reached stdout: ${p}`);
    }
    assert.equal(a.messages.length, b.messages.length);
    for (let i = 0; i < a.messages.length; i++) {
      assert.deepEqual(a.messages[i], b.messages[i], `reply ${i} tells the two worlds' secrets apart`);
    }
    // The script did run against served text: the page was found, read and counted.
    const text = JSON.stringify(a.messages);
    assert.match(text, /deploy\.md:\d+:\d+/, 'searches found the page');
    const read = a.messages.find((m) => JSON.stringify(m).includes('deploy.md — lines 1-')) as Json;
    const meta = ((read['result'] as Json)['_meta'] as Json)['io.github.docwarden/redacted'];
    assert.deepEqual(meta, { 'private-key': 1, 'url-credentials': 1, 'aws-access-key-id': 2, 'github-token': 2 });
    const records = a.c.auditRecords().filter((r) => Array.isArray(r['redacted']));
    assert.ok(records.length >= 5, 'each reply carrying a redaction is recorded in the audit log');
  });

  test('a line range inside the key block returns no key material, and lines keep their numbers', async () => {
    const c = await startReady({ config: { roots: [{ name: 'docs', path: world(A) }] } });
    try {
      const range = c.textOf(
        await c.call('read_doc', { path: 'deploy.md', startLine: BODY_LINE + 1, lineNumbers: true }),
      );
      assert.match(range, new RegExp(`\\n${BODY_LINE + 1}\\t\\n`), 'the body lines are served empty');
      assert.match(range, /\n22\t## After\n/, "the file's line numbers still hold after the block");
      for (const line of A.body) assert.ok(!c.stdout.includes(line.slice(0, 16)));
    } finally {
      await c.close();
    }
  });

  test('bisection on one server: a probe matching the secret and one that does not get the same reply', async () => {
    const pairs: readonly (readonly [Probe, Probe])[] = [
      [search(A.aws.slice(0, 7), 'literal'), search(B.aws.slice(0, 7), 'literal')],
      [search(`AKIA${A.aws[4]}`, 'regex'), search('AKIA[^' + A.aws[4] + ']', 'regex')],
      [search(`x${A.glued}`, 'literal'), search(`x${B.glued}`, 'literal')],
      [search(A.pw, 'words'), search(B.pw, 'words')],
      [search(A.body[2]!.slice(0, 9), 'literal'), search(B.body[2]!.slice(0, 9), 'literal')],
    ];
    const { messages } = await transcript(world(A), pairs.flat());
    const results = messages.filter((m) => JSON.stringify(m).includes('files searched'));
    assert.equal(results.length, pairs.length * 2);
    for (let i = 0; i < pairs.length; i++) {
      assert.deepEqual(results[2 * i], results[2 * i + 1], `pair ${i} tells match from no match`);
    }
  });
});
