// MCP logging: notifications/message honour logging/setLevel and never carry host paths or arguments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTree } from '../helpers/fixtures.ts';
import { RUNTIME, startReady } from '../helpers/harness.ts';

test(`log notifications follow logging/setLevel and leak no paths (${RUNTIME})`, async () => {
  const root = makeTree({ 'a.md': '# A\n', '.env': 'TOKEN=abc' });
  const c = await startReady({ roots: [root] });
  try {
    await c.call('read_doc', { path: 'a.md' });
    await c.request('ping');
    const early = c.messages.filter((m) => m.method === 'notifications/message');
    assert.equal(early.length, 0, `default level warning: no debug/notice messages, got ${JSON.stringify(early)}`);
    assert.deepEqual((await c.request('logging/setLevel', { level: 'debug' })).result, {});
    await c.call('read_doc', { path: 'a.md' });
    await c.call('read_doc', { path: '.env' });
    const denialNotice = await c.waitFor((m) =>
      m.method === 'notifications/message' && (m['params'] as { level: string }).level === 'notice'
    );
    const debug = c.messages.filter((m) =>
      m.method === 'notifications/message' && (m['params'] as { level: string }).level === 'debug'
    );
    assert.ok(debug.length >= 1);
    assert.match(JSON.stringify(denialNotice['params']), /refused by the access policy/);
    for (const m of c.messages.filter((x) => x.method === 'notifications/message')) {
      const text = JSON.stringify(m);
      assert.ok(!text.includes(root), 'no host path in a log message');
      assert.ok(!text.includes('.env') && !text.includes('TOKEN'), 'no requested path or content in a log message');
    }
    await c.request('logging/setLevel', { level: 'error' });
    await c.request('ping'); // every message about earlier requests has arrived
    const before = c.messages.length;
    await c.call('read_doc', { path: '.env' });
    await c.request('ping');
    assert.equal(c.messages.slice(before).filter((m) => m.method === 'notifications/message').length, 0);
  } finally {
    await c.close();
  }
});
