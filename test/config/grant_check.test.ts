import { test } from 'node:test';
import assert from 'node:assert/strict';
import { posix, win32 } from 'node:path';
import {
  ancestors,
  auditGrants,
  findingLines,
  type Need,
  neededGrants,
  nodePermissionFlag,
  probePlan,
  startupMessage,
  verdict,
} from '../../src/config/grant_check.ts';
import { isContained } from '../../src/policy/resolver.ts';
import { grantReport } from '../../src/cli/check.ts';
import type { Config } from '../../src/config/load.ts';
import type { GrantSnapshot } from '../../src/runtime/permissions.ts';

const NEED: Need = {
  read: ['/srv/docs', '/opt/dw/config.json', '/opt/dw/dist/docwarden.js'],
  write: ['/opt/dw/.docwarden/audit.jsonl'],
};

function config(audit: Partial<Config['audit']> = {}, source: string | null = '/opt/dw/config.json'): Config {
  return {
    mode: 'production',
    source,
    roots: [{ name: 'docs', path: '/data/docs', configured: '/srv/docs', dev: 1n, ino: 1n }],
    audit: { path: '/opt/dw/.docwarden/audit.jsonl', rotateBytes: 0, keep: 8, ...audit },
  } as unknown as Config;
}

/** A sandbox that grants exactly NEED. */
function snapshot(over: Partial<GrantSnapshot> = {}): GrantSnapshot {
  return {
    runtime: 'deno',
    version: '2.9.6',
    sandboxed: true,
    readAll: false,
    writeAll: false,
    read: [],
    write: [],
    capabilities: ['net', 'run', 'ffi', 'env', 'sys', 'import'].map((name) => ({ name, access: 'denied' as const })),
    listed: null,
    inherited: [],
    ...over,
  };
}

const probe = (folder: string) => posix.join(folder, '.docwarden-sandbox-probe');

test('`isContained()`, which judges grants too, uses path.relative: a sibling with the same prefix is not inside', () => {
  assert.equal(isContained(posix, '/srv/docs', '/srv/docs'), true);
  assert.equal(isContained(posix, '/srv/docs', '/srv/docs/a/b.md'), true);
  assert.equal(isContained(posix, '/srv/docs', '/srv/docs-private'), false);
  assert.equal(isContained(posix, '/srv/docs', '/srv'), false);
  assert.equal(isContained(posix, '/srv/docs', '/srv/docs/..foo'), true);
  assert.equal(isContained(win32, 'C:\\Docs', 'C:\\Docs\\guide.md'), true);
  assert.equal(isContained(win32, 'C:\\Docs', 'D:\\Docs\\guide.md'), false);
});

test('`ancestors()` lists every folder above a path up to the file-system root', () => {
  assert.deepEqual(ancestors('/srv/docs/a.md', posix), ['/srv/docs', '/srv', '/']);
  assert.deepEqual(ancestors('/', posix), []);
  assert.deepEqual(ancestors('C:\\Docs\\x', win32), ['C:\\Docs', 'C:\\']);
});

test('`neededGrants()` reads both spellings of a root, the config and the bundle, and writes the log only', () => {
  assert.deepEqual(neededGrants(config(), '/opt/dw/dist/docwarden.js'), {
    read: ['/srv/docs', '/data/docs', '/opt/dw/config.json', '/opt/dw/dist/docwarden.js'],
    write: ['/opt/dw/.docwarden/audit.jsonl'],
  });
  assert.deepEqual(neededGrants(config({ path: 'stderr' }, null), null), {
    read: ['/srv/docs', '/data/docs'],
    write: [],
  });
});

test('`neededGrants()` with rotation reads and writes each rotated name, since a rename needs both', () => {
  const need = neededGrants(config({ rotateBytes: 1000, keep: 2 }), '/b.js');
  const log = '/opt/dw/.docwarden/audit.jsonl';
  assert.deepEqual(need.write, [log, `${log}.1`, `${log}.2`]);
  assert.deepEqual(need.read.slice(-3), [log, `${log}.1`, `${log}.2`]);
});

test('`probePlan()` asks about a name inside each folder above the needed paths, never about what is needed', () => {
  const plan = probePlan(NEED, posix, '/home/op');
  for (const folder of ['/srv', '/', '/opt/dw', '/opt/dw/.docwarden', '/opt/dw/dist', '/opt', '/etc', '/home/op']) {
    assert.ok(plan.read.includes(probe(folder)), `read probe for ${folder}`);
    assert.ok(plan.write.includes(probe(folder)), `write probe for ${folder}`);
  }
  assert.ok(!plan.read.some((x) => x.startsWith('/srv/docs/')), 'nothing inside a root is a read sentinel');
  for (const x of NEED.read)
    assert.ok(plan.write.includes(x), `${x}, needed for reading only, is asked about for write`);
  assert.ok(!plan.write.includes(NEED.write[0] as string), 'the log is not a sentinel');
  assert.equal(new Set(plan.read).size, plan.read.length);
});

test('`probePlan()` skips sentinels inside a root (a root may be a whole folder tree)', () => {
  const plan = probePlan({ read: ['/home', '/home/op/dw.js'], write: [] }, posix, '/home/op');
  assert.ok(!plan.read.includes(probe('/home')));
  assert.ok(!plan.read.includes(probe('/home/op')));
  assert.ok(plan.read.includes(probe('/')));
});

test('`auditGrants()` finds nothing when the grant is exactly the need', () => {
  assert.deepEqual(auditGrants(snapshot(), NEED, posix), []);
  assert.equal(verdict([], 'production'), 'ok');
});

test('`auditGrants()` names -A once when Deno grants everything', () => {
  const all = snapshot({
    readAll: true,
    writeAll: true,
    capabilities: snapshot().capabilities.map((c) => ({ ...c, access: 'granted' as const })),
  });
  const f = auditGrants(all, NEED, posix);
  assert.deepEqual(f.map((x) => x.flag), ['-A']);
  assert.equal(verdict(f, 'production'), 'refuse');
  assert.equal(verdict(f, 'development'), 'warn');
});

test('`auditGrants()` names each capability flag Deno grants, and asks to deny those it cannot see', () => {
  const caps = [{ name: 'net', access: 'granted' as const }, { name: 'run', access: 'prompt' as const }, {
    name: 'ffi',
    access: 'denied' as const,
  }];
  const f = auditGrants(snapshot({ capabilities: caps }), NEED, posix);
  assert.deepEqual(f.map((x) => [x.kind, x.flag]), [['too_broad', '--allow-net'], ['unverified', '--deny-run']]);
  assert.deepEqual(findingLines(f).map((l) => l.split(':')[0]), ['drop --allow-net', 'add --deny-run']);
  assert.equal(
    verdict(f.filter((x) => x.kind === 'unverified'), 'production'),
    'warn',
    'an unseen grant warns, never refuses',
  );
});

test('`auditGrants()` reports global read and write grants with the flag to drop', () => {
  const deno = auditGrants(snapshot({ readAll: true, writeAll: true }), NEED, posix);
  assert.deepEqual(deno.map((x) => x.flag), ['--allow-read', '--allow-write']);
  const node = auditGrants(
    snapshot({
      runtime: 'node',
      version: '24.1.0',
      readAll: true,
      capabilities: [],
      listed: { read: ['*'], write: [], flags: [] },
    }),
    NEED,
    posix,
  );
  assert.deepEqual(node.map((x) => x.flag), ['--allow-fs-read=*']);
});

test('`auditGrants()` reports only the outermost folder a Deno read grant covers', () => {
  const f = auditGrants(snapshot({ read: [probe('/srv'), probe('/'), probe('/etc')] }), NEED, posix);
  assert.equal(f.length, 1);
  assert.equal(f[0]?.flag, '--allow-read');
  assert.match(f[0]?.message ?? '', /covers "\/"/);
});

test('`auditGrants()` reports a write grant on the config file itself', () => {
  const f = auditGrants(snapshot({ write: ['/opt/dw/config.json'] }), NEED, posix);
  assert.deepEqual(f.map((x) => [x.flag, x.message]), [[
    '--allow-write',
    'one of its entries covers "/opt/dw/config.json", more than the audit log',
  ]]);
});

test('`auditGrants()` reports a write grant on a folder, even one the log is in', () => {
  const f = auditGrants(snapshot({ write: [probe('/opt/dw/.docwarden')] }), NEED, posix);
  assert.deepEqual(f.map((x) => x.flag), ['--allow-write']);
  assert.match(f[0]?.message ?? '', /"\/opt\/dw\/\.docwarden", more than the audit log/);
});

test('`auditGrants()` names the exact Node flag for a listed path the config does not need', () => {
  const listed = {
    read: [...NEED.read, '/srv/docs/sub', '/srv', '/home/op/.ssh'],
    write: [...NEED.write, '/opt/dw'],
    flags: [],
  };
  const s = snapshot({
    runtime: 'node',
    version: '24.11.0',
    capabilities: [],
    listed,
    read: [probe('/srv')],
    write: [probe('/opt/dw')],
  });
  const f = auditGrants(s, NEED, posix);
  assert.deepEqual(f.map((x) => x.flag), [
    '--allow-fs-read=/srv',
    '--allow-fs-read=/home/op/.ssh',
    '--allow-fs-write=/opt/dw',
  ], 'a path inside a root is fine; probes explained by a listed flag are not reported twice');
});

test('`auditGrants()` accepts exactly the descriptor links `launch` grants Node, nothing wider', () => {
  const withLinks = snapshot({
    runtime: 'node',
    version: '24.11.0',
    capabilities: [],
    listed: { read: [...NEED.read, '/proc/self/fd'], write: [...NEED.write], flags: [] },
  });
  assert.deepEqual(auditGrants(withLinks, NEED, posix), []);
  for (const wider of ['/proc/self', '/proc', '/proc/1/fd']) {
    const s = snapshot({
      runtime: 'node',
      version: '24.11.0',
      capabilities: [],
      listed: { read: [...NEED.read, wider], write: [...NEED.write], flags: [] },
    });
    assert.deepEqual(auditGrants(s, NEED, posix).map((x) => x.flag), [`--allow-fs-read=${wider}`], wider);
  }
});

test('`auditGrants()` still catches a Node grant that no listed flag explains (NODE_OPTIONS)', () => {
  const s = snapshot({
    runtime: 'node',
    version: '24.11.0',
    capabilities: [],
    listed: { read: [...NEED.read], write: [], flags: [] },
    read: [probe('/')],
  });
  assert.deepEqual(auditGrants(s, NEED, posix).map((x) => [x.flag, x.message]), [[
    '--allow-fs-read',
    'one of its entries covers "/", more than docwarden reads',
  ]]);
});

test('`auditGrants()` names the Node capability flags', () => {
  const caps = ['child', 'worker', 'addon', 'wasi', 'inspector', 'net'].map((name) => ({
    name,
    access: 'granted' as const,
  }));
  const f = auditGrants(
    snapshot({ runtime: 'node', version: '24.11.0', capabilities: caps, listed: { read: [], write: [], flags: [] } }),
    NEED,
    posix,
  );
  assert.deepEqual(f.map((x) => x.flag), [
    '--allow-child-process',
    '--allow-worker',
    '--allow-addons',
    '--allow-wasi',
    '--allow-inspector',
    '--allow-net',
  ]);
});

test('`auditGrants()` on Node without the permission model warns in production too, naming the flag to add', () => {
  for (const [version, flag] of [['20.20.2', '--experimental-permission'], ['24.11.0', '--permission']] as const) {
    const s = snapshot({ runtime: 'node', version, sandboxed: false, capabilities: [] });
    const f = auditGrants(s, NEED, posix);
    assert.deepEqual(f.map((x) => [x.kind, x.flag]), [['unsandboxed', flag]]);
    assert.equal(verdict(f, 'production'), 'warn');
    assert.match(
      startupMessage(s, NEED, f, 'warn'),
      /^warning: Node runs docwarden without its permission model\n {2}add --/,
    );
  }
});

test('`nodePermissionFlag()` picks --permission from Node 22.13 and 23.5 on', () => {
  const cases: [string, string][] = [
    ['20.0.0', '--experimental-permission'],
    ['20.20.2', '--experimental-permission'],
    ['22.12.0', '--experimental-permission'],
    ['22.13.0', '--permission'],
    ['23.4.0', '--experimental-permission'],
    ['23.5.0', '--permission'],
    ['v24.21.0', '--permission'],
    ['24', '--permission'],
    ['25.1.0', '--permission'],
  ];
  for (const [v, flag] of cases) assert.equal(nodePermissionFlag(v), flag, v);
});

test('`startupMessage()` refuses in production naming the flag, what is needed and how to get the line', () => {
  const s = snapshot({ capabilities: [{ name: 'net', access: 'granted' }] });
  const need = neededGrants(config({ rotateBytes: 1000, keep: 3 }), '/opt/dw/dist/docwarden.js');
  const f = auditGrants(s, need, posix);
  const m = startupMessage(s, need, f, verdict(f, 'production'));
  assert.match(
    m,
    /^Cannot start in production mode: the deno sandbox grants more than this config needs\n {2}drop --allow-net: network access/,
  );
  assert.match(m, /docwarden launch --config FILE --runtime deno/);
  assert.match(m, /"\/opt\/dw\/\.docwarden\/audit\.jsonl" \(and \.1 to \.3\)/, 'rotated names folded');
  assert.doesNotMatch(m, /audit\.jsonl\.2/);
  assert.match(m, /"mode": "development"/);
});

test('`grantReport()` says when the grant matches, and what happens at start-up when it does not', () => {
  const report = (
    s: ReturnType<typeof snapshot>,
    findings: ReturnType<typeof auditGrants>,
    v: ReturnType<typeof verdict>,
  ) => grantReport({ snapshot: s, need: NEED, findings, verdict: v, message: '' });
  assert.match(report(snapshot(), [], 'ok'), /nothing to drop$/);
  const f = auditGrants(snapshot({ readAll: true }), NEED, posix);
  assert.match(
    report(snapshot({ readAll: true }), f, verdict(f, 'production')),
    /drop --allow-read: every file is readable[^]*refuses to start/,
  );
});

test('`auditGrants()` sees Node capability flags the API hides (Node 20 --allow-addons), on the command line or in NODE_OPTIONS', () => {
  const denied = ['child', 'worker', 'addon', 'wasi', 'inspector', 'net'].map((name) => ({
    name,
    access: 'denied' as const,
  }));
  const s = snapshot({
    runtime: 'node',
    version: '20.20.2',
    capabilities: denied,
    listed: { read: [...NEED.read], write: [...NEED.write], flags: ['--experimental-permission', '--allow-addons'] },
  });
  assert.deepEqual(auditGrants(s, NEED, posix).map((x) => x.flag), ['--allow-addons']);
});

test('`auditGrants()` refuses a Node grant containing "*": Node reads it as a prefix wildcard', () => {
  const wild = '/srv/d*';
  const s = snapshot({
    runtime: 'node',
    version: '20.20.2',
    capabilities: [],
    listed: { read: [...NEED.read, wild], write: [...NEED.write], flags: [] },
  });
  const f = auditGrants(s, NEED, posix);
  assert.deepEqual(f.map((x) => x.flag), [`--allow-fs-read=${wild}`]);
  assert.match(
    f[0]?.message ?? '',
    /Node reads "\*" as a wildcard, so this grants every path starting with "\/srv\/d"/,
  );
  assert.equal(verdict(f, 'production'), 'refuse');
});

test('`auditGrants()` refuses Deno --allow-import and an inherited folder descriptor, naming them', () => {
  const imp = snapshot({ capabilities: [{ name: 'import', access: 'granted' as const }] });
  assert.deepEqual(auditGrants(imp, NEED, posix).map((x) => x.flag), ['--allow-import']);
  const fd = auditGrants(
    snapshot({
      runtime: 'node',
      version: '24.11.0',
      capabilities: [],
      listed: { read: [...NEED.read], write: [...NEED.write], flags: [] },
      inherited: [7],
    }),
    NEED,
    posix,
  );
  assert.deepEqual(fd.map((x) => [x.flag, x.message]), [[
    'fd 7',
    'a folder inherited from the launching process, reachable as /proc/self/fd/7/…; close it first (exec 7<&-)',
  ]]);
  assert.equal(verdict(fd, 'production'), 'refuse');
});

test('`auditGrants()` refuses Node started with a debugger (command line or NODE_OPTIONS), sandboxed or not', () => {
  const flags = ['--inspect', '--inspect=0.0.0.0:9229', '--inspect-brk=9230', '--inspect-wait', '--inspect-port=0'];
  const more = ['--inspect-brk-node', '"--debug-port=1"', '--input-type=module', '--stack-size=100'];
  const listed = { read: [...NEED.read], write: [...NEED.write], flags: [...flags, ...more] };
  const sandboxed = snapshot({ runtime: 'node', version: '24.11.0', capabilities: [], listed });
  const expected = [...flags, '--inspect-brk-node', '--debug-port=1'];
  const f = auditGrants(sandboxed, NEED, posix);
  assert.deepEqual(f.map((x) => x.flag), expected);
  assert.equal(verdict(f, 'production'), 'refuse');
  assert.match(findingLines(f)[0] ?? '', /^drop --inspect: a debugger port: whoever reaches it runs any code/);
  // Without the permission model the port really opens: production refuses instead of only warning.
  const bare = snapshot({ runtime: 'node', version: '20.20.2', sandboxed: false, capabilities: [], listed });
  const g = auditGrants(bare, NEED, posix);
  assert.deepEqual(g.map((x) => x.flag), ['--experimental-permission', ...expected]);
  assert.equal(verdict(g, 'production'), 'refuse');
  assert.match(
    startupMessage(bare, NEED, g, 'refuse'),
    /^Cannot start in production mode: Node, without its permission model, grants more than this config needs\n/,
  );
  const plain = snapshot({ runtime: 'node', version: '20.20.2', sandboxed: false, capabilities: [], listed: null });
  assert.equal(verdict(auditGrants(plain, NEED, posix), 'production'), 'warn', 'no debugger: a warning as before');
});
