// Least privilege on both runtimes, end to end: every line `docwarden launch` prints (each runtime,
// each client's snippet) starts a working server whose self-audit finds nothing to drop, and a grant
// broader than the config needs makes production refuse (exit 2, naming the flag) and development warn.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { makeTree, tempDir } from '../helpers/fixtures.ts';
import { BUNDLE, Client, DENO, NODE24, node24Version, RUNTIME } from '../helpers/harness.ts';

// This file starts each runtime itself, so it runs once, in the plain Node pass.
const skip = (RUNTIME !== 'node' && 'starts its own runtimes') ||
  (!existsSync(NODE24) && 'no Node 24 in test/runtimes: npm test installs it');
const ENV = { PATH: process.env['PATH'] ?? '' };

type Mode = 'production' | 'development';
type Flavour = { readonly name: string; readonly flags: readonly string[] };

// The printed lines under test: Deno, this Node (by default the running binary and version), Node 24.
const FLAVOURS: readonly Flavour[] = [
  { name: 'deno', flags: ['--runtime', 'deno', '--command', DENO] },
  { name: `node ${process.versions.node}`, flags: ['--runtime', 'node'] },
  {
    name: 'node 24',
    flags: ['--runtime', 'node', '--node-version', existsSync(NODE24) ? node24Version() : '24', '--command', NODE24],
  },
];

/**
 * A root configured through a symlink (the sandbox must grant both spellings) to a folder whose name
 * needs escaping in JSON and quoting in a shell; a log folder; a config.
 */
function fixture(mode: Mode): { base: string; root: string; config: string } {
  const base = tempDir('dw-lp-');
  const root = join(base, `my docs 'q' "dq" $HOME back\\slash`);
  makeTree({ 'guide.md': '# Guide\n\nlocked down text\n' }, root);
  symlinkSync(root, join(base, 'docs-link'));
  mkdirSync(join(base, 'logs'), { mode: 0o700 });
  const config = join(base, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({
      mode,
      roots: [{ name: 'docs', path: 'docs-link' }],
      audit: { path: join(base, 'logs', 'audit.jsonl') },
    }),
  );
  return { base, root, config };
}

function launch(config: string, flags: readonly string[]): { stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BUNDLE, 'launch', '--config', config, ...flags], {
    encoding: 'utf8',
    env: ENV,
  });
  assert.equal(r.status, 0, r.stderr);
  return { stdout: r.stdout, stderr: r.stderr };
}

/** What a POSIX shell makes of a printed command line. */
function shellWords(line: string): string[] {
  const r = spawnSync('sh', ['-c', `set -- ${line}; printf '%s\\0' "$@"`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\0').slice(0, -1);
}

type Line = { command: string; args: string[] };

/** Reads a client's snippet the way that client would. */
function parseSnippet(client: string | null, text: string): Line {
  if (client === null) {
    const [command = '', ...args] = shellWords(text.trim());
    return { command, args };
  }
  if (client === 'claude-code') {
    const words = shellWords(text.trim());
    assert.deepEqual(words.slice(0, 5), ['claude', 'mcp', 'add', 'docwarden', '--']);
    return { command: words[5] ?? '', args: words.slice(6) };
  }
  const json = JSON.parse(text) as Record<string, Record<string, Line & { type?: string }>>;
  const entry = client === 'vscode' ? json['servers']?.['docwarden'] : json['mcpServers']?.['docwarden'];
  assert.ok(entry, text);
  if (client === 'vscode') assert.equal(entry.type, 'stdio');
  return { command: entry.command, args: entry.args };
}

function start(line: Line, env: Readonly<Record<string, string>> = {}): Client {
  return new Client(spawn(line.command, line.args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...ENV, ...env } }), null);
}

async function readsGuide(c: Client): Promise<void> {
  await c.initialize();
  assert.match(c.textOf(await c.call('read_doc', { path: 'guide.md' })), /locked down text/);
  const exit = await c.close();
  assert.equal(exit.code, 0, c.stderr);
}

/** The printed line with extra flags before the bundle (and any flag in `drop` removed). */
function widen(line: Line, add: readonly string[], drop: readonly string[] = []): Line {
  const at = line.args.indexOf(BUNDLE);
  const flags = line.args.slice(0, at).filter((a) => !drop.includes(a));
  const [first, ...rest] = flags;
  // Deno's flags follow its `run` subcommand.
  const head = first === 'run' ? ['run', ...add, ...rest] : [...add, ...flags];
  return { command: line.command, args: [...head, ...line.args.slice(at)] };
}

describe('every printed launch line starts a working server that finds nothing to drop', { skip }, () => {
  const { config } = fixture('production');
  for (const flavour of FLAVOURS) {
    for (const client of [null, 'claude-desktop', 'claude-code', 'vscode', 'cursor']) {
      test(`${flavour.name}, ${client ?? 'plain command line'}`, async () => {
        const printed = launch(config, client === null ? flavour.flags : [...flavour.flags, '--client', client]);
        const line = parseSnippet(client, printed.stdout);
        if (flavour.name !== 'deno')
          assert.ok(line.args.some((a) => a === '--permission' || a === '--experimental-permission'));
        const flags = line.args.slice(0, line.args.indexOf(BUNDLE)).join('\n');
        assert.ok(
          flags.includes(`${dirname(config)}/docs-link`) && flags.includes(`'q' "dq" $HOME back\\slash`),
          `both spellings of the root granted:\n${flags}`,
        );
        const c = start(line);
        await readsGuide(c);
        assert.doesNotMatch(c.stderr, /sandbox is wider|permission model|Cannot start/, c.stderr);
        // The self-audit accepts --disable-warning, and Node 20's permission warning is gone.
        assert.doesNotMatch(c.stderr, /ExperimentalWarning/, c.stderr);
      });
    }
  }

  test('`check` under the printed Deno line reports nothing to drop', () => {
    const line = parseSnippet(null, launch(config, FLAVOURS[0]?.flags ?? []).stdout);
    const r = spawnSync(line.command, [...line.args, 'check'], { encoding: 'utf8', env: ENV });
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      /runtime permissions \(deno [^)]*\): it needs to read [^\n]*\n {2}the grant matches this config: nothing to drop/,
    );
  });
});

// What the descriptor-links grant in the printed Node lines allows (docs/security.md, "Races"): asking
// where an opened file is, and nothing through /proc beyond the descriptors the process holds.
const PROBE = `
const fs = require('fs');
const out = {};
const fd = fs.openSync(process.argv[1], 'r');
try { out.own = fs.readlinkSync('/proc/self/fd/' + fd); } catch (e) { out.own = e.code; }
for (const [k, p] of [['cwd', '/proc/self/cwd'], ['dotdot', '/proc/self/fd/../cwd'], ['environ', '/proc/self/environ'], ['root', '/proc/self/root/etc/hostname'], ['other', '/proc/1/fd/0']]) {
  try { fs.readlinkSync(p); out[k] = 'allowed'; } catch (e) { out[k] = e.code; }
  try { fs.readFileSync(p); out[k + 'Read'] = 'allowed'; } catch (e) { out[k + 'Read'] = e.code; }
}
process.stdout.write(JSON.stringify(out));
`;

describe('the descriptor links granted to Node on Linux reach only what the process holds', {
  skip: skip || (process.platform !== 'linux' && 'Linux only'),
}, () => {
  const { root, config } = fixture('production');
  for (const flavour of FLAVOURS.filter((f) => f.name !== 'deno')) {
    test(flavour.name, () => {
      const line = parseSnippet(null, launch(config, flavour.flags).stdout);
      const flags = line.args.slice(0, line.args.indexOf(BUNDLE));
      assert.ok(flags.includes('--allow-fs-read=/proc/self/fd/'), flags.join(' '));
      const r = spawnSync(line.command, [...flags, '-e', PROBE, join(root, 'guide.md')], {
        encoding: 'utf8',
        env: ENV,
      });
      assert.equal(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout) as Record<string, string>;
      assert.equal(out['own'], join(root, 'guide.md'), 'an opened file says where it is');
      for (const k of ['cwd', 'dotdot', 'environ', 'root', 'other']) {
        assert.equal(out[k], 'ERR_ACCESS_DENIED', `${k}: ${JSON.stringify(out)}`);
        assert.equal(out[`${k}Read`], 'ERR_ACCESS_DENIED', `${k} read: ${JSON.stringify(out)}`);
      }
    });
  }
});

describe('a grant broader than the config needs', { skip }, () => {
  const prod = fixture('production');
  const dev = fixture('development');
  const lineFor = (config: string, i: number): Line =>
    parseSnippet(null, launch(config, FLAVOURS[i]?.flags ?? []).stdout);
  const cases: {
    name: string;
    line: (config: string, base: string) => Line;
    flag: RegExp;
    env?: Record<string, string>;
  }[] = [
    {
      name: 'deno -A',
      line: (cfg) => ({ command: DENO, args: ['run', '-A', BUNDLE, '--config', cfg] }),
      flag: /drop -A \(--allow-all\)/,
    },
    {
      name: 'deno with --allow-net',
      line: (cfg) => widen(lineFor(cfg, 0), ['--allow-net'], ['--deny-net']),
      flag: /drop --allow-net: network access/,
    },
    {
      name: 'deno reading the folder above the root',
      line: (cfg, base) => widen(lineFor(cfg, 0), [`--allow-read=${base}`]),
      flag: /drop --allow-read: one of its entries covers "[^"]*dw-lp-[^"]*"/,
    },
    {
      name: 'deno writing the log folder',
      line: (cfg, base) => widen(lineFor(cfg, 0), [`--allow-write=${join(base, 'logs')}`]),
      flag: /drop --allow-write: one of its entries covers "[^"]*logs", more than the audit log/,
    },
    {
      name: `node ${process.versions.node} writing the config folder`,
      line: (cfg, base) => widen(lineFor(cfg, 1), [`--allow-fs-write=${base}`]),
      flag: /drop --allow-fs-write=\/[^:]*dw-lp-[^:]*: docwarden writes nothing there/,
    },
    {
      name: 'node 24 with --permission --allow-fs-read=/',
      line: (cfg) => widen(lineFor(cfg, 2), ['--allow-fs-read=/']),
      flag: /drop --allow-fs-read=\/: docwarden reads nothing there/,
    },
    {
      name: 'node 24 with --allow-child-process',
      line: (cfg) => widen(lineFor(cfg, 2), ['--allow-child-process']),
      flag: /drop --allow-child-process: starting programs/,
    },
    // Node 20's process.permission.has('addon') answers false even with the flag: the flags themselves are read.
    {
      name: `node ${process.versions.node} with --allow-addons`,
      line: (cfg) => widen(lineFor(cfg, 1), ['--allow-addons']),
      flag: /drop --allow-addons: loading native addons/,
    },
    {
      name: `node ${process.versions.node} with --allow-addons in NODE_OPTIONS`,
      line: (cfg) => lineFor(cfg, 1),
      env: { NODE_OPTIONS: '--allow-addons' },
      flag: /drop --allow-addons: loading native addons/,
    },
    {
      name: 'node 24 with a wildcard grant',
      line: (cfg, base) => widen(lineFor(cfg, 2), [`--allow-fs-read=${base}/l*`]),
      flag: /drop --allow-fs-read=[^:]*\/l\*: Node reads "\*" as a wildcard/,
    },
    // A debugger port lets whoever reaches it run code past every grant; these Node sandboxes keep it shut.
    {
      name: `node ${process.versions.node} with --inspect`,
      line: (cfg) => widen(lineFor(cfg, 1), ['--inspect=127.0.0.1:0']),
      flag: /drop --inspect=127\.0\.0\.1:0: a debugger port: whoever reaches it runs any code in docwarden/,
    },
    {
      name: 'node 24 with --inspect-port in NODE_OPTIONS',
      line: (cfg) => lineFor(cfg, 2),
      env: { NODE_OPTIONS: '--inspect-port=0' },
      flag: /drop --inspect-port=0: a debugger port/,
    },
    {
      name: 'deno with --allow-import',
      line: (cfg) => widen(lineFor(cfg, 0), ['--allow-import'], ['--deny-import']),
      flag: /drop --allow-import: loading modules from the network/,
    },
  ];

  for (const k of cases) {
    test(`${k.name}: production refuses with exit 2 naming the flag`, () => {
      const line = k.line(prod.config, prod.base);
      const r = spawnSync(line.command, line.args, { encoding: 'utf8', env: { ...ENV, ...k.env }, input: '' });
      assert.equal(r.status, 2, r.stderr);
      assert.match(
        r.stderr,
        /docwarden: Cannot start in production mode: the (deno|node) sandbox grants more than this config needs/,
      );
      assert.match(r.stderr, k.flag);
      assert.equal(r.stdout, '', 'nothing on stdout');
      assert.ok(!existsSync(join(prod.base, 'logs', 'audit.jsonl')), 'refused before the audit log is opened');
    });

    test(`${k.name}: development starts with a warning naming the flag`, async () => {
      const c = start(k.line(dev.config, dev.base), k.env);
      await readsGuide(c);
      assert.match(c.stderr, /docwarden: warning: the (deno|node) sandbox is wider than this config needs/);
      assert.match(c.stderr, k.flag);
    });
  }

  test('a folder descriptor inherited from the launching process (exec 7</home/alice): production refuses, naming it', {
    skip: process.platform !== 'linux' && 'Linux only',
  }, () => {
    const line = lineFor(prod.config, 1);
    const folder = openSync(prod.base, 'r'); // the folder above the root: /proc/self/fd/3/… would reach all of it
    try {
      const r = spawnSync(line.command, line.args, {
        encoding: 'utf8',
        env: ENV,
        input: '',
        stdio: ['pipe', 'pipe', 'pipe', folder],
      });
      assert.equal(r.status, 2, r.stderr);
      assert.match(
        r.stderr,
        /drop fd 3: a folder inherited from the launching process, reachable as \/proc\/self\/fd\/3\/…; close it first \(exec 3<&-\)/,
      );
    } finally {
      closeSync(folder);
    }
  });

  test('node without its permission model: production starts, with a warning naming the flag to add', async () => {
    const c = start({ command: process.execPath, args: [BUNDLE, '--config', prod.config] });
    await readsGuide(c);
    assert.match(
      c.stderr,
      /docwarden: warning: Node runs docwarden without its permission model\n {2}add --(experimental-)?permission: /,
    );
  });

  test('node with a debugger and without its permission model: production refuses (the port is open), `check` says so', () => {
    const own = fixture('production');
    const line = { command: process.execPath, args: ['--inspect=127.0.0.1:0', BUNDLE, '--config', own.config] };
    const r = spawnSync(line.command, line.args, { encoding: 'utf8', env: ENV, input: '' });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /Debugger listening on ws:\/\/127\.0\.0\.1:/, 'Node opened the port before docwarden ran');
    assert.match(
      r.stderr,
      /docwarden: Cannot start in production mode: Node, without its permission model, grants more than this config needs\n {2}add --(experimental-)?permission: [^\n]*\n {2}drop --inspect=127\.0\.0\.1:0: a debugger port: /,
    );
    assert.equal(r.stdout, '', 'nothing on stdout');
    assert.ok(!existsSync(join(own.base, 'logs', 'audit.jsonl')), 'refused before the audit log is opened');
    const check = spawnSync(process.execPath, [...line.args, 'check'], { encoding: 'utf8', env: ENV });
    assert.match(check.stdout, /drop --inspect=127\.0\.0\.1:0: a debugger port[^]*the server refuses to start/);
  });

  test('node without its permission model: SIGUSR1 does not open the inspector, the server keeps serving', {
    skip: process.platform === 'win32' && 'POSIX signals',
  }, async () => {
    const own = fixture('production');
    const c = start({ command: process.execPath, args: [BUNDLE, '--config', own.config] });
    await c.initialize();
    c.proc.kill('SIGUSR1'); // what any process allowed to signal it could send (a candidate under verify, too)
    assert.match(c.textOf(await c.call('read_doc', { path: 'guide.md' })), /locked down text/);
    assert.equal((await c.close()).code, 0, c.stderr);
    assert.doesNotMatch(c.stderr, /Debugger listening|Starting inspector/, c.stderr);
  });

  test('`check` under deno -A names the flag and says production would refuse', () => {
    const r = spawnSync(DENO, ['run', '-A', BUNDLE, 'check', '--config', prod.config], { encoding: 'utf8', env: ENV });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /drop -A \(--allow-all\)[^]*the server refuses to start \(production mode\)/);
  });
});
