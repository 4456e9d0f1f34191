// Search inputs that try to exhaust the server: catastrophic-backtracking regexes over long lines,
// 100 KB queries, limit 1e308, huge contextLines, deep nesting, huge alternations and brace globs.
// Each is answered (a backtracking engine would never answer; the server's deadline bounds the rest), either
// with results or with an isError that names the rule or limit it broke, and the server answers ping afterwards.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { makeTree, tempDir } from '../helpers/fixtures.ts';
import { type Client, type Json, RUNTIME, startReady } from '../helpers/harness.ts';
import { brief, CASE_HANG_GUARD_MS, textOf, toolResult } from '../helpers/attack_judge.ts';

const LONG = 'a'.repeat(50_000);

function tree(): string {
  const files: Record<string, string> = {
    'long.md': `# Long\n\n${LONG}\n${LONG}!\n`,
    'mixed.md': `# Mixed\n\n${'ab'.repeat(20_000)}c\n${'x'.repeat(30)}y\n`,
    'words.md': `# Words\n\n${'lorem ipsum dolor '.repeat(3000)}\n`,
  };
  for (let i = 0; i < 200; i++) files[`many/p${i}.md`] = `# Page ${i}\n\n${'aaaa '.repeat(200)}\n`;
  return makeTree(files);
}

/** Either results, or an isError whose text matches `named` (the rule or limit that refused it). */
type Expect = { readonly named: RegExp; readonly mayAnswer: boolean };

const CATASTROPHIC = [
  '(a+)+$',
  '(a|a)*b',
  '(a*)*b',
  '(.*a){20}',
  '^(a|aa)+$',
  '(a|b|ab)*c',
  '(\\w+\\s?)*$',
  '([a-z]+)*[0-9]',
  '(x+x+)+y',
  '(a|a?)+b',
  '(.*)*!',
  '(a?){30}a{30}',
  '^(([a-z])+.)+[A-Z]([a-z])+$',
  '(\\d+)*[a-z]',
  '(a+){100}b',
  '(?:a|a)*?$',
];

const CASES: readonly (readonly [string, Json, Expect])[] = [
  ...CATASTROPHIC.map((query) =>
    [`regex ${query}`, { query, mode: 'regex' }, {
      named: /regex|repeat|quantifier|supported/i,
      mayAnswer: true,
    }] as const
  ),
  ['regex (a{1000}){1000}', { query: '(a{1000}){1000}', mode: 'regex' }, {
    named: /repetition count above \d+/,
    mayAnswer: false,
  }],
  ['regex a{1,100}{1,100}', { query: 'a{1,100}{1,100}', mode: 'regex' }, {
    named: /quantifier|repeat/,
    mayAnswer: false,
  }],
  ['regex with 400 nested groups', { query: '('.repeat(400) + 'a' + ')'.repeat(400), mode: 'regex' }, {
    named: /regex|nest|deep|long/i,
    mayAnswer: true,
  }],
  ['regex with 499 alternatives', { query: Array.from({ length: 499 }, () => 'a').join('|'), mode: 'regex' }, {
    named: /regex|long/i,
    mayAnswer: true,
  }],
  ['regex (.*){1,100} over long lines', { query: '(.*){1,100}!', mode: 'regex' }, {
    named: /regex|repeat/i,
    mayAnswer: true,
  }],
  ...(['words', 'literal', 'regex'] as const).map((mode) =>
    [`100 KB ${mode} query`, { query: 'a'.repeat(100 * 1024), mode }, {
      named: /`query` must be at most 1000 characters/,
      mayAnswer: false,
    }] as const
  ),
  ['1,000-character words query of 200 words', { query: 'lorem ipsum dolor sit amet '.repeat(40).slice(0, 1000) }, {
    named: /./,
    mayAnswer: true,
  }],
  ['limit 1e308', { query: 'a', limit: 1e308 }, { named: /`limit` must be from 1 to \d+/, mayAnswer: false }],
  ['limit -1', { query: 'a', limit: -1 }, { named: /`limit` must be from 1 to \d+/, mayAnswer: false }],
  ['limit 2.5', { query: 'a', limit: 2.5 }, { named: /`limit` must be an integer/, mayAnswer: false }],
  ['contextLines 1e9', { query: 'a', contextLines: 1e9 }, {
    named: /`contextLines` must be from 0 to 5/,
    mayAnswer: false,
  }],
  ['contextLines 1e308', { query: 'a', contextLines: 1e308 }, {
    named: /`contextLines` must be from 0 to 5/,
    mayAnswer: false,
  }],
  ['contextLines -1', { query: 'a', contextLines: -1 }, {
    named: /`contextLines` must be from 0 to 5/,
    mayAnswer: false,
  }],
  [
    'contextLines 5 and limit 50 on 50,000-character lines',
    { query: 'a', mode: 'literal', contextLines: 5, limit: 50 },
    { named: /limits\.responseBytes/, mayAnswer: true },
  ],
  ['glob of 40 nested braces', { query: 'aaaa', mode: 'literal', glob: `{${'{a,'.repeat(40)}b${'}'.repeat(40)}}` }, {
    named: /glob|brace|nest/i,
    mayAnswer: true,
  }],
  ['glob of 60 "**/" segments', { query: 'aaaa', mode: 'literal', glob: '**/'.repeat(60) + '*.md' }, {
    named: /glob|long|at most/i,
    mayAnswer: true,
  }],
  ['glob of 256 stars', { query: 'aaaa', mode: 'literal', glob: '*'.repeat(256) }, { named: /glob/i, mayAnswer: true }],
  ['a garbage cursor', { query: 'a', cursor: 'A'.repeat(512) }, { named: /Invalid cursor/, mayAnswer: false }],
  [
    'a cursor of another tool',
    { query: 'a', cursor: Buffer.from('{"t":"list_docs","o":1e308}').toString('base64url') },
    { named: /Invalid cursor/, mayAnswer: false },
  ],
];

describe(`search exhaustion (${RUNTIME})`, () => {
  let c: Client;
  before(async () => {
    c = await startReady({ config: { roots: [{ name: 'docs', path: tree() }], limits: { callsPerMinute: 0 } } });
  });
  after(async () => {
    await c.close();
  });

  for (const [label, args, expect] of CASES) {
    test(`${label}: bounded, ${expect.mayAnswer ? 'answered or refused' : 'refused'} with a clear error`, async () => {
      const m = await c.request('tools/call', { name: 'search_docs', arguments: args }, CASE_HANG_GUARD_MS);
      const r = toolResult(m);
      assert.ok(r !== null, `a JSON-RPC error instead of a tool result: ${brief(m)}`);
      if (r.isError === true) assert.match(textOf(m), expect.named);
      else assert.ok(expect.mayAnswer, `accepted: ${brief(m)}`);
      if (r.isError !== true) assert.ok(Array.isArray(r.structuredContent?.['hits']), brief(m));
      assert.deepEqual((await c.request('ping', undefined, CASE_HANG_GUARD_MS)).result, {});
    });
  }

  test('the same hostile searches pipelined together are all answered', async () => {
    const replies = await Promise.all(
      CATASTROPHIC.map((query) =>
        c.request('tools/call', { name: 'search_docs', arguments: { query, mode: 'regex' } }, CASE_HANG_GUARD_MS)
      ),
    );
    assert.equal(replies.length, CATASTROPHIC.length);
    for (const m of replies)
      assert.ok(toolResult(m) !== null, `a JSON-RPC error instead of a tool result: ${brief(m)}`);
    assert.deepEqual((await c.request('ping')).result, {});
  });
});

test(`a search with 50 hits in a 40 MB document answers and does not starve other calls (${RUNTIME})`, async () => {
  const root = tempDir('dw-bigsearch-');
  const fd = openSync(join(root, 'big.md'), 'w');
  const chunk = '# Chapter\n' +
    'The quick brown fox jumps over the lazy dog, page after page of ordinary words.\n'.repeat(999);
  for (let written = 0; written < 40 * 1024 * 1024;) written += writeSync(fd, chunk);
  closeSync(fd);
  makeTree({ 'small.md': '# Small\n' }, root);
  const c = await startReady({ config: { roots: [{ name: 'docs', path: root }], limits: { callsPerMinute: 0 } } });
  try {
    // Order, not a clock: both requests in one write, the search first. A server that let the 40 MB
    // search hold the loop would answer it before the small doc_info; one that yields answers doc_info first.
    const call = (id: string, name: string, args: Json) =>
      JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });
    c.sendRaw(
      `${call('big', 'search_docs', { query: 'Chapter', mode: 'literal', limit: 50 })}\n${
        call('small', 'doc_info', { path: 'small.md' })
      }\n`,
    );
    const m = await c.waitFor((r) => r.id === 'big' && r.method === undefined, CASE_HANG_GUARD_MS);
    const info = await c.waitFor((r) => r.id === 'small' && r.method === undefined, CASE_HANG_GUARD_MS);
    assert.notEqual(toolResult(info)?.isError, true, brief(info));
    assert.ok(
      c.messages.indexOf(info) < c.messages.indexOf(m),
      'doc_info of a small file was answered after the 40 MB search',
    );
    assert.equal((toolResult(m)?.structuredContent?.['hits'] as unknown[]).length, 50, brief(m));
  } finally {
    c.proc.kill('SIGKILL'); // a starved server would burn a core for the rest of the run
    await c.exit;
  }
});
