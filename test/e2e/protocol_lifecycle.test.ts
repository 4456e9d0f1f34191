// The handshake-era lifecycle through the real bundle: version negotiation, what each negotiated version
// lets the server emit, the before-initialize rules, method lookup, logging, client roots (narrowing
// only) and one audit record per request. Every test also checks that stdout never carries "id": null.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { makeTree } from '../helpers/fixtures.ts';
import { type Client, type Json, type Message, RUNTIME, startServer } from '../helpers/harness.ts';
import { assertCleanWire, auditRequestCounts, pingBarrier, responsesTo } from '../helpers/wire.ts';

const VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'] as const;
const LATEST = '2025-11-25';
const TOOLS = ['list_docs', 'read_doc', 'search_docs', 'find_docs', 'outline_doc', 'doc_info'];

const docs = () =>
  makeTree({
    'guide/install.md': '# Install\n\nRun the installer.\n\n## Verify\n\nCheck the version.\n',
    'guide/usage.md': '# Usage\n\nStart the server.\n',
    'README.md': '# Readme\n\nTop level.\n',
  });

function initParams(protocolVersion: unknown, capabilities: Json = {}): Json {
  return { protocolVersion, capabilities, clientInfo: { name: 'e2e', version: '1' } };
}

function errorOf(m: Message): { code: number; message: string } {
  assert.ok(m.error, `expected a JSON-RPC error, got ${JSON.stringify(m).slice(0, 300)}`);
  assert.equal(m.result, undefined);
  return m.error;
}

function resultOf(m: Message): Json {
  assert.ok(m.result, `expected a result, got ${JSON.stringify(m).slice(0, 300)}`);
  return m.result;
}

describe(`protocol version negotiation (${RUNTIME})`, () => {
  for (const version of ['2099-01-01', '1.0']) {
    test(`initialize with unknown version ${JSON.stringify(version)} is answered with the latest, ${LATEST}`, async () => {
      const c = await startServer({ roots: [docs()] });
      try {
        const r = resultOf(await c.request('initialize', initParams(version)));
        assert.equal(r['protocolVersion'], LATEST);
        c.notify('notifications/initialized');
        assert.ok(Array.isArray(resultOf(await c.request('tools/list'))['tools']));
        assertCleanWire(c);
      } finally {
        await c.close();
      }
    });
  }

  test('initialize without a protocolVersion, or with a non-string one, is -32602 and a valid one still works after', async () => {
    const c = await startServer({ roots: [docs()] });
    try {
      const missing = await c.request('initialize', { capabilities: {}, clientInfo: { name: 'e2e', version: '1' } });
      assert.equal(errorOf(missing).code, -32602);
      for (const bad of [20250618, null, ['2025-06-18'], { v: '2025-06-18' }]) {
        const r = await c.request('initialize', initParams(bad));
        assert.equal(errorOf(r).code, -32602, `protocolVersion ${JSON.stringify(bad)}`);
      }
      const ok = resultOf(await c.request('initialize', initParams('2025-06-18')));
      assert.equal(ok['protocolVersion'], '2025-06-18');
      assertCleanWire(c);
    } finally {
      await c.close();
    }
  });
});

describe(`before initialize (${RUNTIME})`, () => {
  let c: Client;
  before(async () => {
    c = await startServer({ roots: [docs()] });
  });
  after(async () => {
    await c.close();
  });

  test('ping is answered with exactly {} before initialize', async () => {
    const r = await c.request('ping');
    assert.deepEqual(r.result, {});
    assertCleanWire(c);
  });

  test('other requests before initialize get a JSON-RPC error that keeps their id (not -32002)', async () => {
    for (const method of ['tools/list', 'resources/list', 'tools/call', 'logging/setLevel']) {
      const id = `early-${method}`;
      c.send({ jsonrpc: '2.0', id, method, params: {} });
      const r = await c.waitFor((m) => m.id === id && m.method === undefined);
      const e = errorOf(r);
      assert.notEqual(e.code, -32002, '-32002 means "resource not found", not "not initialized"');
    }
    assertCleanWire(c);
  });

  test('notifications before initialize get no reply and do not start the session', async () => {
    const before = c.messages.length;
    c.notify('notifications/initialized');
    c.notify('notifications/cancelled', { requestId: 'early-tools/list' });
    c.notify('notifications/whatever', { x: 1 });
    c.notify('notifications/roots/list_changed');
    await pingBarrier(c, 'notes');
    const fresh = c.messages.slice(before);
    assert.equal(fresh.length, 1, `only the ping reply expected, got ${JSON.stringify(fresh)}`);
    const r = await c.request('tools/list');
    errorOf(r); // still not initialized
    assertCleanWire(c);
  });

  test('initialize then works, and a second initialize is an error keeping its id', async () => {
    const first = resultOf(await c.request('initialize', initParams('2025-06-18')));
    assert.equal(first['protocolVersion'], '2025-06-18');
    c.notify('notifications/initialized');
    const second = await c.request('initialize', initParams('2025-11-25'));
    errorOf(second);
    // The session keeps the first negotiation: 2025-06-18 reports bad arguments as -32602, not isError.
    const bad = await c.request('tools/call', { name: 'read_doc', arguments: { path: 5 } });
    assert.equal(errorOf(bad).code, -32602);
    assertCleanWire(c);
  });
});

describe(`method lookup (${RUNTIME})`, () => {
  let c: Client;
  before(async () => {
    c = await startServer({ roots: [docs()] });
  });
  after(async () => {
    await c.close();
  });

  test('server/discover without the 2026-07-28 _meta is -32602 promptly before initialize', async () => {
    // A dual-era client treats any error but a modern one as "speak initialize" (docs/protocol.md, "Stateless era").
    const r = await c.request('server/discover', {});
    assert.equal(errorOf(r).code, -32602);
    assertCleanWire(c);
  });

  test('server/discover is -32601 promptly after initialize', async () => {
    await c.initialize(LATEST);
    const r = await c.request('server/discover', {
      _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' },
    });
    assert.equal(errorOf(r).code, -32601);
    assertCleanWire(c);
  });

  test('an unknown method is -32601 with its id', async () => {
    for (const method of ['tools/delete', 'resources/write', 'tasks/list', 'prompts/list', 'sampling/createMessage']) {
      const r = await c.request(method, {});
      assert.equal(errorOf(r).code, -32601, method);
    }
    assertCleanWire(c);
  });

  test('prototype-named methods are unknown methods (-32601), not crashes', async () => {
    for (
      const method of [
        '__proto__',
        'constructor',
        'toString',
        'hasOwnProperty',
        'valueOf',
        '__defineGetter__',
        'prototype',
      ]
    ) {
      const r = await c.request(method, {});
      assert.equal(errorOf(r).code, -32601, method);
    }
    assert.deepEqual((await c.request('ping')).result, {});
    assertCleanWire(c);
  });

  test('logging/setLevel with an invalid level is -32602 and with "debug" returns {}', async () => {
    for (const level of ['verbose', 'DEBUG', 5, null]) {
      const r = await c.request('logging/setLevel', { level });
      assert.equal(errorOf(r).code, -32602, JSON.stringify(level));
    }
    assert.equal(errorOf(await c.request('logging/setLevel', {})).code, -32602);
    assert.deepEqual(resultOf(await c.request('logging/setLevel', { level: 'debug' })), {});
    assert.deepEqual(resultOf(await c.request('logging/setLevel', { level: 'emergency' })), {});
    assertCleanWire(c);
  });

  test('a client without the roots capability is never sent roots/list', () => {
    assert.ok(!c.messages.some((m) => m.method === 'roots/list'));
    assertCleanWire(c);
  });
});

for (const version of VERSIONS) {
  const at = (v: string) => version >= v;
  describe(`negotiated ${version}: what the server emits (${RUNTIME})`, () => {
    let c: Client;
    let init: Json;
    before(async () => {
      c = await startServer({ roots: [docs()] });
      init = resultOf(await c.request('initialize', initParams(version)));
      c.notify('notifications/initialized');
    });
    after(async () => {
      await c.close();
    });

    test(`initialize with ${version} answers ${version}`, () => {
      assert.equal(init['protocolVersion'], version);
    });

    test(`serverInfo has name and version${at('2025-06-18') ? ', title' : ', no title'}${version === LATEST ? ' and description' : ', no description'}`, () => {
      const info = init['serverInfo'] as Json;
      assert.equal(info['name'], 'docwarden');
      assert.equal(typeof info['version'], 'string');
      assert.ok((info['version'] as string).length > 0);
      assert.equal(typeof info['title'] === 'string' && (info['title'] as string).length > 0, at('2025-06-18'));
      if (!at('2025-06-18')) assert.ok(!('title' in info));
      assert.equal(
        typeof info['description'] === 'string' && (info['description'] as string).length > 0,
        version === LATEST,
      );
      if (version !== LATEST) assert.ok(!('description' in info));
    });

    test(`capabilities ${at('2025-03-26') ? 'include' : 'omit'} completions; instructions is a non-empty string`, () => {
      const caps = init['capabilities'] as Json;
      assert.ok(caps['tools'] && caps['resources'] && caps['logging'], JSON.stringify(caps));
      assert.equal('completions' in caps, at('2025-03-26'));
      assert.equal(typeof init['instructions'], 'string');
      assert.ok((init['instructions'] as string).trim().length > 0);
    });

    test(`tools/list: ${at('2025-03-26') ? 'read-only annotations' : 'no annotations'}, ${at('2025-06-18') ? 'title and outputSchema' : 'no title or outputSchema'}, closed input schemas`, async () => {
      const tools = resultOf(await c.request('tools/list'))['tools'] as Json[];
      assert.deepEqual(tools.map((t) => t['name']).sort(), [...TOOLS].sort());
      for (const t of tools) {
        const name = String(t['name']);
        assert.equal(typeof t['description'], 'string', name);
        const input = t['inputSchema'] as Json;
        assert.equal(input['type'], 'object', name);
        assert.equal(input['additionalProperties'], false, `${name}: inputSchema.additionalProperties`);
        if (at('2025-03-26')) {
          const a = t['annotations'] as Json | undefined;
          assert.ok(a, `${name} has annotations`);
          assert.equal(a['readOnlyHint'], true, name);
          assert.equal(a['openWorldHint'], false, name);
        } else {
          assert.ok(!('annotations' in t), `${name}: no annotations in 2024-11-05`);
        }
        assert.equal('title' in t, at('2025-06-18'), `${name}: title`);
        assert.equal('outputSchema' in t, at('2025-06-18') && name !== 'read_doc', `${name}: outputSchema`);
      }
      assertCleanWire(c);
    });

    test(`tools/call results ${at('2025-06-18') ? 'carry' : 'never carry'} structuredContent and resource_link blocks`, async () => {
      for (
        const [name, args] of [['read_doc', { path: 'guide/install.md' }], ['doc_info', { path: 'README.md' }], [
          'search_docs',
          { query: 'installer', mode: 'literal' },
        ]] as const
      ) {
        const r = await c.call(name, args);
        assert.notEqual(r.isError, true, `${name}: ${JSON.stringify(r).slice(0, 300)}`);
        assert.equal('structuredContent' in r, at('2025-06-18') && name !== 'read_doc', `${name}: structuredContent`);
        const links = r.content.filter((b) => b['type'] === 'resource_link');
        if (at('2025-06-18')) {
          assert.ok(links.length > 0, `${name}: a resource_link block`);
          for (const l of links) {
            assert.match(String(l['uri']), /^docs:\/\//);
            assert.equal(typeof l['name'], 'string');
          }
        } else {
          assert.equal(links.length, 0, `${name}: no resource_link before 2025-06-18`);
        }
        assert.ok(r.content.every((b) => b['type'] === 'text' || b['type'] === 'resource_link'));
        assert.ok(r.content.some((b) => b['type'] === 'text'));
      }
      assertCleanWire(c);
    });

    test(`bad tool arguments are ${version === LATEST ? 'an isError result' : 'JSON-RPC -32602'}`, async () => {
      for (const args of [{ path: 5 }, { path: 'README.md', bogus: 1 }, {}]) {
        const r = await c.request('tools/call', { name: 'read_doc', arguments: args });
        if (version === LATEST) {
          const res = resultOf(r);
          assert.equal(res['isError'], true, JSON.stringify(args));
          const text = (res['content'] as Json[]).map((b) => b['text']).join('\n');
          assert.ok(text.length > 0);
        } else {
          assert.equal(errorOf(r).code, -32602, JSON.stringify(args));
        }
      }
      assertCleanWire(c);
    });

    test('an unknown tool (write_file) is JSON-RPC -32602', async () => {
      for (const name of ['write_file', 'READ_DOC', '__proto__']) {
        const r = await c.request('tools/call', { name, arguments: { path: 'x.md', content: 'x' } });
        assert.equal(errorOf(r).code, -32602, name);
      }
      assertCleanWire(c);
    });
  });
}

describe(`client roots narrow, never widen (${RUNTIME})`, () => {
  let root: string;
  let outside: string;
  before(() => {
    root = makeTree({
      'sub/inner.md': '# Inner\n\ninner text\n',
      'sub/deeper/more.md': '# More\n',
      'other/b.md': '# Other\n\nother text\n',
      'top.md': '# Top\n\ntop text\n',
    });
    outside = makeTree({ 'secret.md': 'OUTSIDE-CONTENT\n' });
  });

  function rootsAnswer(uris: readonly string[]): Client['onServerRequest'] {
    return (
      m,
    ) => (m.method === 'roots/list'
      ? { roots: uris.map((uri) => ({ uri, name: 'r' })) }
      : { error: { code: -32601, message: 'not supported' } });
  }

  test('a client declaring roots receives roots/list after notifications/initialized', async () => {
    const c = await startServer({ roots: [root] });
    try {
      c.onServerRequest = rootsAnswer(['file:///']);
      const r = resultOf(await c.request('initialize', initParams(LATEST, { roots: { listChanged: true } })));
      assert.equal(r['protocolVersion'], LATEST);
      await pingBarrier(c, 'before-initialized');
      assert.ok(
        !c.messages.some((m) => m.method === 'roots/list'),
        'roots/list must wait for notifications/initialized',
      );
      c.notify('notifications/initialized');
      const ask = await c.waitFor((m) => m.method === 'roots/list');
      assert.ok(typeof ask.id === 'string' || typeof ask.id === 'number');
      assertCleanWire(c);
    } finally {
      await c.close();
    }
  });

  // Under Deno the server may read only the roots, so realpath("/") fails; the client root is then
  // compared lexically, which can grant the configured root but never more.
  test('answering file:/// gives the whole configured root and nothing outside it', async () => {
    const c = await startServer({ roots: [root] });
    try {
      c.onServerRequest = rootsAnswer(['file:///']);
      await c.initialize(LATEST, { roots: { listChanged: true } });
      await c.waitFor((m) => m.method === 'roots/list');
      assert.match(c.textOf(await c.call('read_doc', { path: 'top.md' })), /top text/);
      assert.match(c.textOf(await c.call('read_doc', { path: 'sub/inner.md' })), /inner text/);
      const outsideName = outside.split('/').pop() as string;
      for (const path of ['../x', `../${outsideName}/secret.md`, `${outside}/secret.md`, '/etc/passwd']) {
        const r = await c.call('read_doc', { path });
        assert.equal(r.isError, true, path);
        assert.doesNotMatch(JSON.stringify(r), /OUTSIDE-CONTENT|root:x:0/, path);
      }
      assertCleanWire(c);
    } finally {
      await c.close();
    }
  });

  test('answering a subfolder narrows to it, and roots/list_changed makes the server ask again and apply the new answer', async () => {
    const c = await startServer({ roots: [root] });
    try {
      c.onServerRequest = rootsAnswer([pathToFileURL(`${root}/sub`).href]);
      await c.initialize(LATEST, { roots: { listChanged: true } });
      await c.waitFor((m) => m.method === 'roots/list');
      assert.match(c.textOf(await c.call('read_doc', { path: 'sub/inner.md' })), /inner text/);
      const top = await c.call('read_doc', { path: 'top.md' });
      assert.equal(top.isError, true);
      assert.match(c.textOf(top), /not found or not allowed/);
      const listed = await c.call('list_docs', { depth: 3 });
      const paths = ((listed.structuredContent?.['entries'] ?? []) as Json[]).map((e) => String(e['path']));
      assert.ok(paths.includes('sub/inner.md'), JSON.stringify(paths));
      assert.ok(
        paths.every((p) => p === 'sub' || p.startsWith('sub/')),
        `only sub/ may be listed: ${JSON.stringify(paths)}`,
      );

      c.onServerRequest = rootsAnswer([pathToFileURL(`${root}/other`).href]);
      const asked = c.messages.filter((m) => m.method === 'roots/list').length;
      c.notify('notifications/roots/list_changed');
      await c.waitFor((m) =>
        m.method === 'roots/list' && c.messages.filter((x) => x.method === 'roots/list').length > asked
      );
      assert.match(c.textOf(await c.call('read_doc', { path: 'other/b.md' })), /other text/);
      const old = await c.call('read_doc', { path: 'sub/inner.md' });
      assert.equal(old.isError, true);
      assert.match(c.textOf(old), /not found or not allowed/);
      assertCleanWire(c);
    } finally {
      await c.close();
    }
  });
});

test(`every request gets exactly one audit record with its id (${RUNTIME})`, async () => {
  const c = await startServer({ roots: [docs()] });
  const ids: (string | number)[] = [];
  const ask = async (method: string, params?: Json): Promise<Message> => {
    const r = await c.request(method, params);
    ids.push(r.id as number);
    return r;
  };
  await ask('ping');
  await ask('tools/list');
  await ask('initialize', { capabilities: {} });
  await ask('initialize', initParams(LATEST));
  c.notify('notifications/initialized');
  await ask('initialize', initParams(LATEST));
  await ask('server/discover');
  await ask('no/such/method');
  await ask('__proto__');
  await ask('tools/list');
  await ask('tools/call', { name: 'read_doc', arguments: { path: 'README.md' } });
  await ask('tools/call', { name: 'read_doc', arguments: { path: 5 } });
  await ask('tools/call', { name: 'read_doc', arguments: { path: 'missing.md' } });
  await ask('tools/call', { name: 'write_file', arguments: {} });
  await ask('logging/setLevel', { level: 'nope' });
  await ask('resources/read', { uri: 'docs://nowhere/x.md' });
  const exit = await c.close();
  assert.equal(exit.code, 0);
  const counts = auditRequestCounts(c);
  for (const id of ids) assert.equal(counts.get(id), 1, `audit records for id ${id}: ${counts.get(id) ?? 0}`);
  for (const id of ids) assert.equal(responsesTo(c, id).length, 1, `responses to id ${id}`);
  assertCleanWire(c);
});
