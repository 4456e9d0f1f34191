// The root walk behind the start-up census (src/config/census.ts) on real files: what the deny rules hide,
// counted by pattern (a denied folder once, never its contents), never a file name in the line printed;
// the walk stops at limits.walkEntries and says so, stops when aborted, never enters a symlink, and names
// folders other users can write when asked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { formatCensus, secretCensus, walkRoot } from '../../src/config/census.ts';
import { partsFor } from '../helpers/in_process.ts';

const FILES = {
  'a.md': 'a',
  '.env': 'K=v',
  'prod.env.yml': 'x',
  'deploy/.env': 'K=v',
  '.git/config': 'x',
  '.git/objects/1': 'x',
  'keys/server.pem': 'x',
  'keys/client.pem': 'x',
  '.hidden/secret.txt': 'x',
};
const p = await partsFor(FILES);
const root = p.config.roots[0];
assert.ok(root);
const live = () => new AbortController().signal;

test('hidden entries are counted by pattern, a denied folder once, and the line names no file', async () => {
  const c = await secretCensus(p.host, p.config, root, live());
  assert.ok(c);
  assert.deepEqual(c.hidden, [
    { pattern: '*.pem', count: 2 },
    { pattern: '.env', count: 2 },
    { pattern: '*.env.*', count: 1 },
    { pattern: '.git', count: 1 },
  ]);
  assert.equal(c.total, 6);
  assert.equal(c.truncated, false);
  const line = formatCensus(c);
  assert.match(
    line,
    /^root "docs": the deny rules hide 6 entries \(\*\.pem 2, \.env 2, \*\.env\.\* 1, \.git 1\); \d+ entries scanned in \d+ ms$/,
  );
  for (const name of ['server', 'client', 'prod', 'deploy', 'secret']) assert.equal(line.includes(name), false, name);
});

test('the walk stops at limits.walkEntries and says so; an aborted walk returns null', async () => {
  const many = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`n/${i}.md`, 'x']));
  const big = await partsFor(many, { limits: { walkEntries: 100 } });
  const c = await secretCensus(big.host, big.config, big.config.roots[0]!, live());
  assert.deepEqual([c?.truncated, c?.visited], [true, 100]);
  assert.match(formatCensus(c!), /stopped after 100 entries \(limits\.walkEntries\)/);
  const more = Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`m/${i}.md`, 'x']));
  const slow = await partsFor(more);
  const stop = new AbortController();
  stop.abort();
  assert.equal(await secretCensus(slow.host, slow.config, slow.config.roots[0]!, stop.signal), null);
});

test('symlinked folders are not entered; folders others can write are named when asked', async () => {
  const q = await partsFor({ 'a.md': 'a', 'shared/b.md': 'b' });
  mkdirSync(join(q.dir, 'elsewhere-target'));
  symlinkSync(join(q.dir, 'shared'), join(q.dir, 'link'));
  chmodSync(join(q.dir, 'shared'), 0o777);
  const seen: string[] = [];
  const w = await walkRoot(q.host, q.config, q.config.roots[0]!, true, null, (e) => (seen.push(e.rel), true));
  assert.ok(seen.includes('link') && !seen.some((r) => r.startsWith('link/')), seen.join(' '));
  assert.deepEqual(w?.writable, ['shared']);
  const c = await secretCensus(q.host, q.config, q.config.roots[0]!, live(), true);
  assert.deepEqual(c?.writable, { count: 1, first: ['shared'] });
  assert.match(formatCensus(c!), /1 folder\(s\) writable by other users \(shared\): production refuses them/);
});

test('deny rules count as the server reads them: a trailing "/", a leading "./" and `dir/**` name the folder', async () => {
  const tree = { 'docs/internal/x.md': 'x', 'docs/internal/y.md': 'y', 'team/a.md': 'a', 'drafts/b.md': 'b' };
  const q = await partsFor(tree, { files: { deny: ['docs/internal/', './team', 'drafts/**'] } });
  const c = await secretCensus(q.host, q.config, q.config.roots[0] as typeof root, live());
  assert.deepEqual(c?.hidden.map((h) => `${h.pattern} ${h.count}`).sort(), [
    './team 1',
    'docs/internal/ 1',
    'drafts/** 1',
  ]);
});

// Outside attack: 200,000 empty folders planted under a 3.3 KB deep path took the census to 1.2 GB with no call,
// each folder still to list held as two full paths. Now a folder waits as its name and its parent, and a folder whose
// path is longer than a request may name (1,024 characters: nothing in it can be served) is not entered.
test('the walk lists every folder once, in the same order, and does not enter a path longer than 1,024 characters', async () => {
  const seg = 'n'.repeat(240);
  const deep = [seg + '1', seg + '2', seg + '3', seg + '4', seg + '5']; // the fifth ends at 1,204 characters
  const q = await partsFor({ 'a.md': 'a', 'x/y/b.md': 'b', 'x/z/c.md': 'c', [`${deep.join('/')}/d.md`]: 'd' });
  const seen: string[] = [];
  const w = await walkRoot(q.host, q.config, q.config.roots[0]!, false, null, (e) => (seen.push(e.rel), true));
  assert.ok(['a.md', 'x/y/b.md', 'x/z/c.md'].every((r) => seen.includes(r)), seen.join(' '));
  assert.ok(seen.includes(deep.join('/')), 'the long folder itself is listed as an entry of its parent');
  assert.ok(!seen.some((r) => r.endsWith('/d.md')), 'but not entered');
  assert.equal(new Set(seen).size, seen.length, 'each entry once');
  assert.equal(w?.visited, seen.length);
});
