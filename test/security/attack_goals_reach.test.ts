// Attacker goal 2: reach a file the policy withholds through a link or a name variant. Each withheld
// file holds a canary; the attacker asks for it through every entry point (read, info, outline, search,
// find, list, resources, completion) by every alias it can make or spell. Goal met = a canary on stdout,
// or a gated file served without the user's yes. Runs under every runtime the security suite uses.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, symlinkSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { makeTree } from '../helpers/fixtures.ts';
import { type Client, type Json, RUNTIME, startServer } from '../helpers/harness.ts';

const CANARY = 'CANARY-7f3a';
const NARROW = 'NARROWED-5c1e'; // readable, but not by a client whose roots exclude notes/
const root = makeTree({
  'pub/readme.md': '# Pub\n\nopen text\n',
  'notes/open.md': `# Notes\n\n${NARROW} outside the client roots\n`,
  'internal/secret.md': `# Internal\n\n${CANARY} denied by internal/**\n`,
  'private/plan.md': `# Plan\n\n${CANARY} needs consent\n`,
  '.hidden/notes.md': `${CANARY} hidden\n`,
  'raw/data.json': `{"k": "${CANARY} wrong extension"}\n`,
  // Name variants: on a case-insensitive file system each opens the file its folded name denies.
  'ſecrets.md': `${CANARY} U+017F for s\n`,
  'credentialſ.txt': `${CANARY} credentials*\n`,
  'id_rſa.md': `${CANARY} id_rsa*\n`,
  'ſecret-plans/q3.md': `# Q3\n\n${CANARY} gated by secret-plans/**\n`,
  'SECRE~1.MD': `${CANARY} a short name\n`,
  [`${[...'notes'].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join('')}.md`]: `${CANARY} TAG name\n`,
  'tagged.md': `visible\u{e0041}\u{e0042}text\u00ad and \u2062 here\n`,
  // Folding that writes a "/" ("／" U+FF0F, "℅" U+2105): a rule saw only the part after it (outside attack sbe7).
  'credentials／prod.md': `${CANARY} credentials* behind a fullwidth slash\n`,
  'id_rsa℅notes.md': `${CANARY} id_rsa* behind a care-of sign\n`,
  'κωδικός.md': `${CANARY} final sigma: the rule κωδικός* folded to ς, the name to σ\n`,
  // A rule with "/" naming a folder hides what is in it, at any depth.
  'team/internal/x.md': `${CANARY} under the denied folder team/internal\n`,
  'team/internal/sub/y.md': `${CANARY} deeper under team/internal\n`,
  'team/open.md': '# Team\n\nopen\n',
  // Rules spelled with characters that fold to glob syntax ("［" is "["): they were read as a class, a brace and an
  // escape and denied nothing (outside attack sbe17). Each rule is the file's exact name.
  '議事録［社外秘］.md': `${CANARY} a class?\n`,
  '報告｛最終｝.md': `${CANARY} a brace?\n`,
  'a＼b.md': `${CANARY} an escape?\n`,
  'plans［draft］.md': `# Plan\n\n${CANARY} gated by its exact name\n`,
  // Rules that deny every entry of a folder hide the folder too; one that denies part of it does not.
  'vault/a.md': `${CANARY} vault/**/**\n`,
  'sealed/b.md': `${CANARY} sealed/***\n`,
  'boxed/c.md': `${CANARY} {boxed/**,x}\n`,
  'part/d.md': `${CANARY} part/*.md\n`,
  'part/open.txt': 'open\n',
  // A `?` or `[…]` reads a name as written: "ß", "ﬁ", "½" fold to several, "ｶﾞ" to one (outside attack sbe18).
  'Straße/a.md': `${CANARY} Stra?e/**\n`,
  'ﬁle.md': `${CANARY} ?le.md\n`,
  'budget-½.md': `${CANARY} budget-?.md\n`,
  'ｶﾞ.md': `${CANARY} ｶ?.md\n`,
  'xß.md': `${CANARY} x[!y].md\n`,
  'contract-ß.md': `# Plan\n\n${CANARY} gated by contract-?.md\n`,
  'ac.md': 'not a?c.md: open\n',
});
mkdirSync(join(root, 'links'));
symlinkSync('../internal', join(root, 'alias')); // a folder link into a denied folder
symlinkSync('../private/plan.md', join(root, 'pub/latest.md')); // a file link to a gated document
symlinkSync('../private', join(root, 'pub/drafts')); // a folder link into the gated folder
symlinkSync('../notes/open.md', join(root, 'pub/other.md')); // leaves the client's narrowed roots
symlinkSync('../raw/data.json', join(root, 'links/data.md')); // an allowed name for a refused extension
symlinkSync('../.hidden', join(root, 'links/shown')); // a plain name for a hidden folder
const config = {
  roots: [{ name: 'docs', path: root }],
  files: {
    symlinks: 'within-root',
    deny: [
      'internal/**',
      'κωδικός*',
      'team/internal/',
      '議事録［社外秘］.md',
      '報告｛最終｝.md',
      'a＼b.md',
      'vault/**/**',
      'sealed/***',
      '{boxed/**,x}',
      'part/*.md',
      'Stra?e/**',
      '?le.md',
      'budget-?.md',
      'ｶ?.md',
      'x[!y].md',
      'a?c.md',
    ],
  },
  confirm: { paths: ['private/**', 'secret-plans/**', 'plans［draft］.md', 'contract-?.md'], timeoutMs: 1000 },
  limits: { callsPerMinute: 0 },
};

/** Every way to ask for `path`'s bytes or facts, and for names near it. */
async function probe(c: Client, path: string): Promise<{ direct: unknown[]; listed: unknown[] }> {
  const folder = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
  const calls: [string, Json][] = [
    ['read_doc', { path }],
    ['doc_info', { path }],
    ['outline_doc', { path }],
    ['read_doc', { path, heading: 'Plan' }],
    ['list_docs', { path: folder, depth: 3 }],
    ['list_docs', { path, depth: 2 }],
    ['find_docs', { pattern: '**' }],
    ['search_docs', { query: CANARY, mode: 'literal' }],
    ['search_docs', { query: CANARY, mode: 'literal', path: folder }],
    ['search_docs', { query: 'canary 7f3a', mode: 'words' }],
  ];
  const direct: unknown[] = [];
  for (const [name, args] of calls) direct.push(await c.request('tools/call', { name, arguments: args }));
  direct.push(await c.request('resources/read', { uri: `docs://docs/${path}` }));
  // Listings may only name what a read would serve (replies to direct requests may echo the request).
  const listed = [
    await c.request('resources/list', {}),
    await c.request('tools/call', { name: 'find_docs', arguments: { pattern: '**' } }),
    await c.request('tools/call', { name: 'list_docs', arguments: { depth: 5 } }),
    await c.request('completion/complete', {
      ref: { type: 'ref/resource', uri: 'docs://docs/{+path}' },
      argument: { name: 'path', value: `${folder}/` },
    }),
  ];
  return { direct, listed };
}

describe(`attacker goal: reach a withheld file through a link or a name variant (${RUNTIME})`, () => {
  let c: Client;
  let narrowed: Client;
  before(async () => {
    c = await startServer({ config });
    c.onServerRequest = (
      m,
    ) => (m.method === 'elicitation/create' ? { action: 'decline' } : { error: { code: -32601, message: 'no' } });
    await c.initialize('2025-11-25', { elicitation: {} });
    narrowed = await startServer({ config });
    narrowed.onServerRequest = (
      m,
    ) => (m.method === 'roots/list'
      ? { roots: [{ uri: `file://${root}/pub`, name: 'pub' }] }
      : { error: { code: -32601, message: 'no' } });
    await narrowed.initialize('2025-11-25', { roots: { listChanged: false } });
    await narrowed.waitFor((m) => m.method === 'roots/list');
  });
  after(async () => {
    await c.close();
    await narrowed.close();
  });

  const aliases = [
    'alias/secret.md',
    'links/data.md',
    'links/shown/notes.md',
    'internal',
    'alias',
    'ſecrets.md',
    'credentialſ.txt',
    'id_rſa.md',
    'ſecret-plans/q3.md',
    'SECRE~1.MD',
    'ſecret-plans',
    'credentials／prod.md',
    'id_rsa℅notes.md',
    'κωδικός.md',
    'team/internal/x.md',
    'team/internal/sub/y.md',
    'team/internal/sub',
    '議事録［社外秘］.md',
    '報告｛最終｝.md',
    'a＼b.md',
    'plans［draft］.md',
    'vault/a.md',
    'sealed/b.md',
    'boxed/c.md',
    'part/d.md',
    'Straße/a.md',
    'Straße',
    'ﬁle.md',
    'budget-½.md',
    'ｶﾞ.md',
    'xß.md',
    'contract-ß.md',
  ];
  for (const path of aliases) {
    test(`"${path}": no entry point serves the withheld bytes or names them`, async () => {
      const { direct, listed } = await probe(c, path);
      const replies = JSON.stringify(direct) + JSON.stringify(listed);
      assert.ok(!replies.includes(CANARY), `a canary reached the client through ${path}`);
      const withheld = new RegExp(
        'alias/secret|links/shown/notes|links/data\\.md|internal/secret|ſecrets|credentialſ|id_rſa|' +
          'SECRE~1|credentials／|id_rsa℅|κωδικός|team/internal|社外秘|最終|a＼b|vault|sealed|boxed|part/d|' +
          'Straße|ﬁle|budget-½|ｶﾞ|xß',
      );
      assert.ok(!withheld.test(JSON.stringify(listed)), 'a withheld file is listed');
    });
  }

  test('a rule denying every entry of a folder covers the folder itself: not listed, not listable', async () => {
    const top = await c.call('list_docs', {});
    assert.equal(top.isError, undefined, c.textOf(top));
    assert.match(c.textOf(top), /pub\//);
    assert.match(c.textOf(top), /part\//, 'a folder a rule denies only in part is listed');
    for (const folder of ['internal', 'vault', 'sealed', 'boxed']) {
      assert.ok(!c.textOf(top).includes(folder), `the denied folder ${folder} is listed`);
      assert.equal((await c.call('list_docs', { path: folder })).isError, true, folder);
    }
    assert.match(c.textOf(await c.call('list_docs', { path: 'part' })), /open\.txt/);
    assert.match(c.textOf(await c.call('read_doc', { path: 'team/open.md' })), /open/, 'next to a denied folder');
    assert.match(c.textOf(await c.call('read_doc', { path: 'ac.md' })), /open/, 'a?c.md: "?" is one character');
  });

  test('a link to a gated document is gated: it asks, and a decline serves nothing', async () => {
    for (const path of ['pub/latest.md', 'pub/drafts/plan.md']) {
      const asked = c.messages.filter((m) => m.method === 'elicitation/create').length;
      const r = await c.call('read_doc', { path });
      assert.equal(r.isError, true, `${path} was served without consent`);
      assert.match(c.textOf(r), /declined/);
      assert.equal(c.messages.filter((m) => m.method === 'elicitation/create').length, asked + 1, 'the user was asked');
      const info = await c.call('doc_info', { path });
      assert.equal(info.structuredContent?.['sha256'], null, 'doc_info through a link gave the hash of a gated file');
    }
    const s = await c.call('search_docs', { query: CANARY, mode: 'literal' });
    assert.deepEqual(s.structuredContent?.['hits'], []);
    assert.ok(!c.stdout.includes(CANARY));
  });

  test('invisible characters: a TAG-character name is never listed; TAG characters in text are escaped', async () => {
    const all = JSON.stringify(await c.request('resources/list', {})) +
      c.textOf(await c.call('find_docs', { pattern: '**' }));
    assert.ok(!/[\u{e0000}-\u{e007f}]/u.test(all), 'a TAG-character name is listed');
    const r = await c.call('read_doc', { path: 'tagged.md' });
    const text = JSON.stringify(r);
    assert.ok(!/[\u{e0000}-\u{e007f}\u00ad\u2062]/u.test(text), 'invisible characters reach the client raw');
    assert.match(c.textOf(r), /visible.*text/);
  });

  test('client roots narrowed to pub/: a link inside pub/ to a file outside it is not served', async () => {
    assert.match(narrowed.textOf(await narrowed.call('read_doc', { path: 'pub/readme.md' })), /open text/);
    assert.match(
      c.textOf(await c.call('read_doc', { path: 'pub/other.md' })),
      new RegExp(NARROW),
      'the link works when not narrowed',
    );
    const { direct, listed } = await probe(narrowed, 'pub/other.md');
    assert.ok(!JSON.stringify(direct).includes(NARROW), 'the link carried bytes from outside the client roots');
    assert.ok(
      !JSON.stringify(listed).includes('pub/other.md'),
      'the link is listed though its target is outside the client roots',
    );
    assert.ok(JSON.stringify(listed).includes('pub/readme.md'), 'the narrowed listing still shows pub/');
  });
});

test(`a root folder replaced by a link or another folder after start-up lists and serves none of it (${RUNTIME})`, async () => {
  const parent = makeTree({
    'docs/a.md': '# A\n',
    'elsewhere/outside-name.md': `${CANARY} outside the root\n`,
    'elsewhere/sub/deep-name.md': `${CANARY} deeper\n`,
    'moved/sub/moved-name.md': `${CANARY} a real folder moved into the root's place\n`,
  });
  const server = await startServer({ config: { roots: [{ name: 'docs', path: join(parent, 'docs') }] } });
  const ask = () =>
    Promise.all([
      server.call('list_docs', {}),
      server.call('list_docs', { path: 'sub' }),
      server.call('find_docs', { pattern: '**' }),
      server.call('search_docs', { query: 'outside', mode: 'literal' }),
      server.call('search_docs', { query: 'deeper', mode: 'literal', path: 'sub' }),
      server.call('search_docs', { query: 'outside root', mode: 'words' }),
      server.call('read_doc', { path: 'outside-name.md' }),
      server.call('read_doc', { path: 'sub/moved-name.md' }),
      server.call('doc_info', { path: 'sub/deep-name.md' }),
      server.request('resources/list', {}),
      server.request('completion/complete', {
        ref: { type: 'ref/resource', uri: 'docs://docs/{+path}' },
        argument: { name: 'path', value: 'sub/' },
      }),
    ]).then((r) => JSON.stringify(r));
  try {
    await server.initialize();
    renameSync(join(parent, 'docs'), join(parent, 'docs.old'));
    symlinkSync(join(parent, 'elsewhere'), join(parent, 'docs')); // needs write access to the root's parent
    const viaLink = await ask();
    assert.ok(!/outside-name|deep-name|CANARY/.test(viaLink), viaLink.slice(0, 600));
    unlinkSync(join(parent, 'docs'));
    renameSync(join(parent, 'moved'), join(parent, 'docs'));
    const viaFolder = await ask();
    assert.ok(!/moved-name|CANARY/.test(viaFolder), viaFolder.slice(0, 600));
  } finally {
    await server.close();
  }
});
