// The session's services (src/mcp/services.ts) on real files: consent through elicitation/create (only
// when the client declared it, a yes remembered for that exact file size, no answer in time is a refusal,
// each answer recorded), client roots that narrow what is served (at most one roots/list outstanding,
// a failed answer keeps the configured roots), and the warm-up that reads only what a search may read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { visibleRoots } from '../../src/policy/client_roots.ts';
import { createNotifier } from '../../src/mcp/notifier.ts';
import { createServices } from '../../src/mcp/services.ts';
import { featuresOf } from '../../src/mcp/versions.ts';
import { type Json, partsFor, servicesOf } from '../helpers/in_process.ts';

const FILES = { 'a.md': 'alpha\n', 'sub/b.md': 'beta\n', 'private/c.md': 'gated\n' };
const DOC = { tool: 'read_doc', root: 'docs', path: 'a.md', size: 6 };
const NEW = featuresOf('2025-11-25');

/** Services whose timers fire only when `fire()` is called (the consent and roots waits). */
async function session(settings: Json = {}) {
  const p = await partsFor(FILES, settings);
  const sent: Json[] = [];
  const timers: (() => void)[] = [];
  const setTimer = (_ms: number, fn: () => void) => {
    timers.push(fn);
    return () => void (timers.includes(fn) && timers.splice(timers.indexOf(fn), 1));
  };
  const host = { ...p.host, setTimer };
  const notifier = createNotifier((m) => sent.push(m as Json), 'debug', host.now);
  notifier.enable();
  const s = createServices(host, p.config, notifier, (m) => sent.push(m as Json), p.audit);
  const last = (method: string) => [...sent].reverse().find((m) => m['method'] === method);
  return { p, s, sent, last, fire: () => timers.splice(0).forEach((f) => f()) };
}

test('consent is "unsupported" unless the client declared elicitation and the version has it', async () => {
  const { s, sent } = await session();
  assert.equal(await s.askConsent(DOC, NEW), 'unsupported');
  s.setClient({ elicitation: {} });
  assert.equal(await s.askConsent(DOC, featuresOf('2025-03-26')), 'unsupported');
  assert.equal(sent.length, 0);
});

test('a yes is remembered for the same file and size; a changed size asks again', async () => {
  const { s, last, sent, p } = await session();
  s.setClient({ elicitation: {} });
  const answer = s.askConsent(DOC, NEW);
  const asked = last('elicitation/create');
  assert.equal((asked?.['params'] as Json)['mode'], 'form');
  s.onResponse(String(asked?.['id']), { action: 'accept', content: { allow: true } }, undefined);
  assert.equal(await answer, 'accepted');
  assert.equal(await s.askConsent(DOC, NEW), 'accepted');
  assert.equal(sent.length, 1, 'not asked twice');
  const grown = s.askConsent({ ...DOC, size: 7 }, featuresOf('2025-06-18'));
  const again = last('elicitation/create');
  assert.equal((again?.['params'] as Json)['mode'], undefined, 'no mode field before 2025-11-25');
  s.onResponse(String(again?.['id']), undefined, { code: -1, message: 'no' });
  assert.equal(await grown, 'cancelled', 'an error answer is no yes');
  const reasons = p.records().filter((r) => r['event'] === 'consent').map((r) => r['reason']);
  assert.deepEqual(reasons, ['accepted', 'cancelled']);
});

test('no answer in time is a refusal, and a late answer is ignored', async () => {
  const { s, last, fire } = await session();
  s.setClient({ elicitation: {} });
  const answer = s.askConsent(DOC, NEW);
  const id = String(last('elicitation/create')?.['id']);
  fire();
  assert.equal(await answer, 'timeout');
  s.onResponse(id, { action: 'accept', content: { allow: true } }, undefined);
  s.onResponse('docwarden-999', {}, undefined);
  const again = s.askConsent(DOC, NEW);
  fire();
  assert.equal(await again, 'timeout', 'the late yes was not remembered');
});

test('client roots narrow the served roots; a flood of list_changed folds into one more roots/list', async () => {
  const { s, sent, last, p } = await session();
  s.setClient({ roots: {} });
  s.clientReady();
  for (let i = 0; i < 50; i++) s.rootsChanged();
  const rootsLists = () => sent.filter((m) => m['method'] === 'roots/list');
  assert.equal(rootsLists().length, 1);
  s.onResponse(String(last('roots/list')?.['id']), { roots: [{ uri: `file://${p.dir}/sub` }] }, undefined);
  await s.rootsSettled();
  assert.equal(rootsLists().length, 2, 'one more fetch for all the changes meanwhile');
  s.onResponse(String(last('roots/list')?.['id']), { roots: [{ uri: 'file:///elsewhere' }] }, undefined);
  await s.rootsSettled();
  assert.equal(visibleRoots(p.config.roots, s.narrowing()).length, 0);
  const warned = sent.filter((m) => m['method'] === 'notifications/message').map((m) => JSON.stringify(m['params']));
  assert.ok(warned.some((w) => w.includes('exclude every configured documentation root')), warned.join('\n'));
});

test('a roots/list error or silence keeps the configured roots, with a warning', async () => {
  const { s, last, sent, fire } = await session();
  s.setClient({ roots: {} });
  s.rootsChanged();
  s.onResponse(String(last('roots/list')?.['id']), undefined, { code: -32601, message: 'no' });
  await s.rootsSettled();
  assert.equal(s.narrowing(), null);
  s.rootsChanged();
  fire();
  await s.rootsSettled();
  assert.equal(s.narrowing(), null);
  const logs = sent.filter((m) => m['method'] === 'notifications/message').map((m) => JSON.stringify(m['params']));
  assert.equal(logs.length, 2);
  assert.match(logs[0] ?? '', /answered roots\/list with an error/);
  assert.match(logs[1] ?? '', /did not answer roots\/list in time/);
});

test('the warm-up reads what a search may read, never a consent-gated file, and records it once', async () => {
  const p = await partsFor(FILES, { confirm: { paths: ['private'] } });
  const s = servicesOf(p);
  s.clientReady();
  for (let i = 0; i < 2000 && !p.records().some((r) => r['event'] === 'warm_up'); i++) {
    await new Promise((r) => setTimeout(r, 5));
  }
  const warm = p.records().filter((r) => r['event'] === 'warm_up');
  assert.equal(warm.length, 1);
  assert.deepEqual([(warm[0]?.['detail'] as Json)['files'], (warm[0]?.['detail'] as Json)['chars']], [2, 11]);
});

test('production checks folders other users can write; development does not', async () => {
  const prod = servicesOf(await partsFor(FILES, { mode: 'production', files: { writableFolders: ['shared/**'] } }));
  assert.equal(prod.confinement.writable?.allowed('shared/x.md'), true);
  assert.equal(prod.confinement.writable?.allowed('a.md'), false);
  assert.equal(servicesOf(await partsFor(FILES, { mode: 'development' })).confinement.writable, undefined);
});
