// Start-up guard rails (src/config/guard_rails.ts) on real files and modes: a config or audit-log location
// other users can write is refused in production and warned about in development, a group-writable one is a
// warning, a sticky config folder is fine, a log that does not exist yet is judged by the nearest folder
// that does, a log inside a root is a warning, and a log others can read is a warning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { checkLocations, checkOpenLog } from '../../src/config/guard_rails.ts';
import type { Root } from '../../src/policy/resolver.ts';
import { type Json, partsFor } from '../helpers/in_process.ts';

async function findings(settings: Json, modes: (base: string, config: string) => void = () => undefined) {
  const p = await partsFor({ 'a.md': 'a' }, settings);
  const source = p.config.source;
  assert.ok(source);
  modes(dirname(source), source);
  return { p, base: dirname(source), found: await checkLocations(p.host, p.config) };
}
const levels = (f: readonly { level: string }[]) => f.map((x) => x.level);

test('safe locations give no finding', async () => {
  assert.deepEqual((await findings({ mode: 'production' })).found, []);
});

test('a config file others can write: refused in production with the fix, warned in development', async () => {
  const prod = await findings({ mode: 'production' }, (_, config) => chmodSync(config, 0o646));
  assert.deepEqual(levels(prod.found), ['refuse']);
  assert.match(
    prod.found[0]?.message ?? '',
    /^the config file ".*config.json" is writable by other users \(mode 0646\): .*; fix: chmod o-w/,
  );
  const dev = await findings({ mode: 'development' }, (_, config) => chmodSync(config, 0o646));
  assert.deepEqual(levels(dev.found), ['warn']);
});

test('group-writable is a warning; a sticky world-writable config folder is accepted', async () => {
  const group = await findings({ mode: 'production' }, (_, config) => chmodSync(config, 0o664));
  assert.deepEqual(levels(group.found), ['warn']);
  assert.match(group.found[0]?.message ?? '', /writable by its group \(mode 0664\): if other people are in that group/);
  const sticky = await findings({ mode: 'production' }, (base) => chmodSync(base, 0o1777));
  assert.deepEqual(
    sticky.found.map((f) => f.message.replace(/"[^"]*"/g, 'X')),
    ['the audit log folder X is writable by other users (mode 01777): anyone could replace, pre-create or remove the audit log; fix: chmod o-w X'],
    "the sticky bit protects the config, not the log's name",
  );
});

test('a log to be created is judged by the nearest existing folder; a log inside a root is a warning', async () => {
  const p = await partsFor({ 'a.md': 'a' }, { mode: 'production' });
  const open = join(dirname(p.config.source ?? ''), 'open');
  mkdirSync(open, { mode: 0o777 });
  chmodSync(open, 0o777);
  const later = { ...p.config, audit: { ...p.config.audit, path: join(open, 'not', 'yet', 'audit.jsonl') } };
  const found = await checkLocations(p.host, later);
  assert.deepEqual(levels(found), ['refuse']);
  assert.match(found[0]?.message ?? '', /^the folder that will hold the audit log folder ".*\/open"/);
  const inside = { ...p.config, audit: { ...p.config.audit, path: join(p.dir, 'audit.jsonl') } };
  const warned = await checkLocations(p.host, inside);
  assert.match(warned.map((f) => f.message).join('\n'), /is inside root "docs": a client could read it/);
  mkdirSync(join(p.dir, '..logs')); // a subfolder whose name starts with "..", not the parent folder
  const dotted = { ...p.config, audit: { ...p.config.audit, path: join(p.dir, '..logs', 'audit.jsonl') } };
  const dottedWarned = await checkLocations(p.host, dotted);
  assert.match(dottedWarned.map((f) => f.message).join('\n'), /is inside root "docs"/);
  assert.deepEqual(
    await checkLocations(p.host, { ...p.config, source: null, audit: { ...p.config.audit, path: 'stderr' } }),
    [],
  );
});

test('the open log: others writing is refused in production, others reading is a warning', async () => {
  const { p } = await findings({ mode: 'production' });
  assert.deepEqual(checkOpenLog(p.config, 0o600), []);
  assert.deepEqual(checkOpenLog(p.config, null), [], 'logging to stderr');
  assert.deepEqual(levels(checkOpenLog(p.config, 0o602)), ['refuse']);
  const read = checkOpenLog(p.config, 0o644);
  assert.deepEqual(levels(read), ['warn']);
  assert.match(read[0]?.message ?? '', /readable by other users \(mode 0644\); .*fix: chmod 600/);
  assert.deepEqual(levels(checkOpenLog({ ...p.config, mode: 'development' }, 0o666)), ['warn']);
});

test('a folder above a root that others can write is refused in production (a root swapped during a read); sticky is fine', async () => {
  const p = await partsFor({ 'a.md': 'a' }, { mode: 'production' });
  const [grand, parent] = [join(p.dir, 'g'), join(p.dir, 'g', 'p')]; // all inside the test's own folder
  mkdirSync(join(parent, 'docs'), { recursive: true });
  const config = { ...p.config, roots: [{ ...(p.config.roots[0] as Root), path: join(parent, 'docs') }] };
  const aboutRoot = async () => (await checkLocations(p.host, config)).filter((f) => f.message.includes('root "docs"'));
  assert.deepEqual(await aboutRoot(), []);
  chmodSync(parent, 0o777);
  const found = await aboutRoot();
  assert.deepEqual(levels(found), ['refuse']);
  assert.match(
    found[0]?.message ?? '',
    /^a folder above root "docs" .*\/g\/p" is writable by other users .*swap the root/,
  );
  chmodSync(parent, 0o1777);
  assert.deepEqual(await aboutRoot(), [], 'a sticky folder (like /tmp) lets no one rename the root');
  chmodSync(parent, 0o755);
  chmodSync(grand, 0o777); // any folder above: whoever renames `p` in it swaps the root with it
  assert.deepEqual(levels(await aboutRoot()), ['refuse']);
  chmodSync(grand, 0o755);
});
