import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { type Config, loadConfig } from '../../src/config/load.ts';
import { Failure, NOT_FOUND_MESSAGE } from '../../src/errors/failure.ts';
import { computeNarrowing, type Narrowing, resolveIn, visibleRoots } from '../../src/policy/client_roots.ts';
import { createNodeHost } from '../../src/runtime/node_host.ts';
import {
  CURSOR_ARG,
  cursorOffset,
  FOLDER_ARG,
  isoTime,
  limitArg,
  pageFrom,
  PATH_ARG,
  pickRoot,
  ROOT_ARG,
} from '../../src/tools/context.ts';
import { encodeCursor } from '../../src/validate/cursor.ts';
import { throwIfStopped } from '../../src/sched/slice.ts';
import type { ToolContext } from '../../src/tools/context.ts';
import { makeTree } from '../helpers/fixtures.ts';
import { confinementFor } from '../helpers/policy_fixture.ts';

const host = createNodeHost();
let base: string;
let config: Config;

before(async () => {
  base = makeTree({
    'guide/a.md': '# A\n',
    'guide/sub/b.md': 'b',
    'api/c.md': 'c',
    'README.md': 'r',
    'second/s.md': 's',
  });
  config = await loadConfig(host, { configPath: null, rootArgs: [base, join(base, 'second')], logPath: null });
});

/** The parts of a ToolContext these helpers read; the document cache and corpus are never touched here. */
function ctx(narrowing: Narrowing | null, signal = new AbortController().signal): ToolContext {
  return {
    confinement: confinementFor(host, config),
    roots: config.roots,
    narrowing,
    limits: config.limits,
    docs: undefined as unknown as ToolContext['docs'],
    corpus: undefined as unknown as ToolContext['corpus'],
    confirmPolicy: { needs: () => false, active: false },
    askConsent: async () => 'unsupported',
    signal,
    progress: () => undefined,
    touched: [],
    servedFrom: () => undefined,
  };
}

function failureOf(fn: () => unknown): Failure {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof Failure, String(err));
    return err;
  }
  assert.fail('expected a Failure');
}

test('the shared argument schemas cap lengths and check root names', () => {
  assert.equal(ROOT_ARG.read('docs-2_x', 'root'), 'docs-2_x');
  for (const bad of ['', '/', '../x', '-x', 'a b', 'x'.repeat(33), '__proto__'])
    assert.throws(() => ROOT_ARG.read(bad, 'root'), /`root`/);
  assert.equal(PATH_ARG.read('a'.repeat(1024), 'path').length, 1024);
  assert.throws(() => PATH_ARG.read('a'.repeat(1025), 'path'), /at most 1024/);
  assert.throws(() => PATH_ARG.read('', 'path'), /must not be empty/);
  assert.equal(FOLDER_ARG.read('', 'path'), '');
  assert.throws(() => CURSOR_ARG.read('c'.repeat(513), 'cursor'), /at most 512/);
  const lim = limitArg(50, 20);
  assert.equal(lim.read(50, 'limit'), 50);
  assert.throws(() => lim.read(51, 'limit'), /from 1 to 50/);
  assert.match(String(lim.json['description']), /default 20/);
});

test('`pickRoot()` defaults to the first root and finds others by name', () => {
  const [first, second] = config.roots;
  assert.equal(pickRoot(ctx(null), undefined), first);
  assert.equal(pickRoot(ctx(null), second?.name), second);
});

test('`pickRoot()` refuses an unknown root name with the list of available names, never host paths', () => {
  const f = failureOf(() => pickRoot(ctx(null), '/etc'));
  assert.equal(f.reason, 'invalid_argument');
  assert.match(f.publicMessage, /Unknown root "\/etc"; available roots: /);
  for (const r of config.roots) assert.match(f.publicMessage, new RegExp(r.name));
  assert.equal(f.publicMessage.includes(base), false);
  const long = failureOf(() => pickRoot(ctx(null), 'x'.repeat(500)));
  assert.ok(long.publicMessage.length < 200);
});

test('`visibleRoots()` and `pickRoot()` hide roots the client narrowed away', async () => {
  const n = await computeNarrowing(host, config.roots, ['file://' + join(base, 'second')]);
  const c = ctx(n);
  const names = visibleRoots(c.roots, c.narrowing).map((r) => r.name);
  assert.equal(names.length, 2, 'the first root still holds the second folder');
  const only = await computeNarrowing(host, config.roots, ['file://' + join(base, 'api')]);
  assert.deepEqual(visibleRoots(config.roots, only).map((r) => r.name), [config.roots[0]?.name]);
  assert.equal(failureOf(() => pickRoot(ctx(only), config.roots[1]?.name)).reason, 'invalid_argument');
  const none = await computeNarrowing(host, config.roots, ['file:///nonexistent']);
  const f = failureOf(() => pickRoot(ctx(none), undefined));
  assert.equal(f.reason, 'narrowed_by_client');
  assert.equal(f.publicMessage, NOT_FOUND_MESSAGE);
});

test('`resolveIn()` resolves inside the root and refuses paths outside the client roots', async () => {
  const root = config.roots[0];
  assert.ok(root);
  assert.equal((await resolveIn(ctx(null), root, 'guide/a.md')).rel, 'guide/a.md');
  const n = await computeNarrowing(host, config.roots, ['file://' + join(base, 'guide')]);
  assert.equal((await resolveIn(ctx(n), root, 'guide/sub/b.md')).kind, 'file');
  assert.equal((await resolveIn(ctx(n), root, '')).rel, '', 'the root folder itself stays listable');
  await assert.rejects(
    resolveIn(ctx(n), root, 'api/c.md'),
    (e: unknown) => e instanceof Failure && e.reason === 'narrowed_by_client' && e.publicMessage === NOT_FOUND_MESSAGE,
  );
  await assert.rejects(
    resolveIn(ctx(n), root, 'README.md'),
    (e: unknown) => e instanceof Failure && e.reason === 'narrowed_by_client',
  );
  await assert.rejects(
    resolveIn(ctx(null), root, '../x.md'),
    (e: unknown) => e instanceof Failure && e.reason === 'invalid_path',
  );
});

test('`isoTime()` formats milliseconds as ISO 8601', () => {
  assert.equal(isoTime(0), '1970-01-01T00:00:00.000Z');
  assert.equal(isoTime(1700000000123.9), '2023-11-14T22:13:20.123Z');
});

test('`throwIfStopped()` passes an active signal and throws the abort reason or cancelled', () => {
  throwIfStopped(ctx(null).signal);
  const ac = new AbortController();
  ac.abort();
  assert.equal(failureOf(() => throwIfStopped(ac.signal)).reason, 'cancelled');
  const deadline = new AbortController();
  deadline.abort(new Failure('deadline', 'Cannot finish: deadline'));
  assert.equal(failureOf(() => throwIfStopped(deadline.signal)).reason, 'deadline');
});

test('`pageFrom()` skips, keeps one page and says whether more exist', () => {
  const { page, take } = pageFrom<number>(2, 3);
  const taken = [0, 1, 2, 3, 4, 5, 6].map(take);
  assert.deepEqual(page.items, [2, 3, 4]);
  assert.equal(page.more, true);
  assert.deepEqual(taken, [true, true, true, true, true, false, false]);
  const last = pageFrom<number>(0, 5);
  [1, 2].forEach(last.take);
  assert.deepEqual([last.page.items, last.page.more], [[1, 2], false]);
});

test('`cursorOffset()` resumes only a cursor of the same tool and query, within the bound', () => {
  assert.equal(cursorOffset('find_docs', undefined, 'q1', 'pattern'), 0);
  assert.equal(cursorOffset('find_docs', encodeCursor('find_docs', { q: 'q1', o: 40 }), 'q1', 'pattern'), 40);
  const other = failureOf(() =>
    cursorOffset('find_docs', encodeCursor('find_docs', { q: 'q2', o: 40 }), 'q1', 'pattern')
  );
  assert.equal(other.reason, 'invalid_cursor');
  assert.match(other.publicMessage, /belongs to a different pattern/);
  const tool = failureOf(() =>
    cursorOffset('find_docs', encodeCursor('list_docs', { q: 'q1', o: 40 }), 'q1', 'pattern')
  );
  assert.equal(tool.reason, 'invalid_cursor');
  const far = encodeCursor('find_docs', { q: 'q1', o: 101 });
  assert.equal(failureOf(() => cursorOffset('find_docs', far, 'q1', 'pattern', 100)).reason, 'invalid_cursor');
});
