import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, UsageError } from '../../src/cli/args.ts';
import {
  checkNodeVersion,
  LAUNCH_CLIENTS,
  LaunchError,
  launchLine,
  type LaunchRequest,
  renderLaunch,
  runLaunch,
  runtimeArgs,
  shellLine,
  shellQuote,
} from '../../src/cli/launch.ts';
import type { Need } from '../../src/config/grant_check.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { LaunchFacts } from '../../src/runtime/launch_facts.ts';
import { createNodeHost } from '../../src/runtime/node_host.ts';
import { makeTree } from '../helpers/fixtures.ts';

const host = createNodeHost();
const NEED: Need = {
  read: ['/srv/docs', '/opt/dw/config.json', '/opt/dw/docwarden.js'],
  write: ['/opt/dw/log/audit.jsonl'],
};

/** What a POSIX shell makes of a line: the words, one per NUL. */
function shellWords(line: string): string[] {
  const r = spawnSync('sh', ['-c', `set -- ${line}; printf '%s\\0' "$@"`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\0').slice(0, -1);
}

test('`runtimeArgs()` for Deno: run, hygiene, one --allow-read list, the log, every other permission denied', () => {
  assert.deepEqual(runtimeArgs('deno', '', NEED, 'linux'), [
    'run',
    '--no-prompt',
    '--no-config',
    '--no-remote',
    '--no-npm',
    '--allow-read=/srv/docs,/opt/dw/config.json,/opt/dw/docwarden.js',
    '--allow-write=/opt/dw/log/audit.jsonl',
    '--deny-net',
    '--deny-run',
    '--deny-ffi',
    '--deny-env',
    '--deny-sys',
    '--deny-import',
  ]);
  assert.ok(
    !runtimeArgs('deno', '', { read: NEED.read, write: [] }, 'linux').some((a) => a.startsWith('--allow-write')),
    'no write flag when logging to stderr',
  );
});

test('`runtimeArgs()` refuses a Node line for a path with "*": Node would grant every path with that prefix', () => {
  const wild = { read: ['/srv/d*', ...NEED.read.slice(1)], write: NEED.write };
  assert.throws(
    () => runtimeArgs('node', '20.20.2', wild, 'linux'),
    /"\/srv\/d\*" contains "\*", which Node reads as a wildcard .*use --runtime deno/,
  );
  assert.equal(
    runtimeArgs('deno', '', wild, 'linux')[5],
    `--allow-read=${wild.read.join(',')}`,
    'Deno reads "*" literally',
  );
});

test('`runtimeArgs()` for Node: the permission flag by version, one flag per path, descriptor links on Linux only', () => {
  const reads = [
    '--allow-fs-read=/srv/docs',
    '--allow-fs-read=/opt/dw/config.json',
    '--allow-fs-read=/opt/dw/docwarden.js',
  ];
  const tail = [...reads, '--allow-fs-read=/proc/self/fd/', '--allow-fs-write=/opt/dw/log/audit.jsonl'];
  // --disable-warning exists from 20.11 and 21.3: it silences the warning the experimental flag prints at each start.
  const quiet = '--disable-warning=ExperimentalWarning';
  assert.deepEqual(runtimeArgs('node', '20.20.2', NEED, 'linux'), ['--experimental-permission', quiet, ...tail]);
  assert.deepEqual(runtimeArgs('node', '22.12.0', NEED, 'linux'), ['--experimental-permission', quiet, ...tail]);
  assert.deepEqual(runtimeArgs('node', '21.3', NEED, 'linux'), ['--experimental-permission', quiet, ...tail]);
  assert.deepEqual(runtimeArgs('node', '20.10.0', NEED, 'linux'), ['--experimental-permission', ...tail]);
  assert.deepEqual(runtimeArgs('node', '21.2.0', NEED, 'linux'), ['--experimental-permission', ...tail]);
  assert.deepEqual(runtimeArgs('node', '22.13.0', NEED, 'linux'), ['--permission', ...tail]);
  assert.deepEqual(runtimeArgs('node', 'v24', NEED, 'linux'), ['--permission', ...tail]);
  for (const platform of ['darwin', 'win32', 'freebsd']) {
    assert.deepEqual(runtimeArgs('node', 'v24', NEED, platform), [
      '--permission',
      ...reads,
      '--allow-fs-write=/opt/dw/log/audit.jsonl',
    ], platform);
  }
  assert.ok(
    !runtimeArgs('deno', '', NEED, 'linux').some((a) => a.includes('/proc')),
    'Deno refuses the links whatever is granted',
  );
});

test('`runtimeArgs()` refuses what a runtime cannot express, naming why', () => {
  assert.throws(
    () => runtimeArgs('node', '18.20.0', NEED, 'linux'),
    (e: unknown) => e instanceof LaunchError && /Node 18 has no permission model/.test(e.message),
  );
  assert.throws(() => checkNodeVersion('latest'), /not a version like 20/);
  const comma = { read: ['/srv/a,b'], write: [] };
  assert.throws(() => runtimeArgs('deno', '', comma, 'linux'), /contains a comma.*use --runtime node/);
  assert.deepEqual(
    runtimeArgs('node', '24.0.0', comma, 'darwin'),
    ['--permission', '--allow-fs-read=/srv/a,b'],
    'Node reads a comma as part of the path',
  );
});

test('`shellQuote()` leaves plain words alone and single-quotes the rest; a real shell reads them back', () => {
  assert.equal(shellQuote('--allow-read=/a/b.js,/c'), '--allow-read=/a/b.js,/c');
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
  assert.equal(shellQuote(''), "''");
  const words = [
    'node',
    "/docs/it's here",
    '$HOME',
    '`id`',
    'a"b',
    'back\\slash',
    'tab\there',
    'new\nline',
    '*',
    '~',
    '!x',
    '',
  ];
  assert.deepEqual(shellWords(shellLine(words)), words);
});

test('`renderLaunch()` JSON snippets parse back to exactly the line, Windows backslashes included', () => {
  const line = launchLine(
    'node',
    'C:\\Program Files\\nodejs\\node.exe',
    '24.11.0',
    { read: ['C:\\Docs\\it\'s "here"', 'C:\\dw\\c.json', 'C:\\dw\\docwarden.js'], write: [] },
    'C:\\dw\\docwarden.js',
    ['--config', 'C:\\dw\\c.json'],
    'win32',
  );
  for (const client of ['claude-desktop', 'cursor'] as const) {
    const text = renderLaunch(client, 'docwarden', line);
    assert.match(text, /C:\\\\Docs\\\\it's \\"here\\"/, 'backslashes and quotes escaped in the JSON text');
    assert.deepEqual(JSON.parse(text), { mcpServers: { docwarden: { command: line.command, args: line.args } } });
  }
  assert.deepEqual(JSON.parse(renderLaunch('vscode', 'docwarden', line)), {
    servers: { docwarden: { type: 'stdio', command: line.command, args: line.args } },
  });
});

test('`renderLaunch()` command lines: Claude Code adds the server after --, a plain line is the command itself', () => {
  const line = launchLine('deno', '/usr/local/bin/deno', '', { read: ["/srv/my docs/it's"], write: [] }, '/opt/dw.js', [
    '--root',
    "/srv/my docs/it's",
  ], 'linux');
  const code = shellWords(renderLaunch('claude-code', 'docwarden', line));
  assert.deepEqual(code.slice(0, 5), ['claude', 'mcp', 'add', 'docwarden', '--']);
  assert.deepEqual(code.slice(5), [line.command, ...line.args]);
  assert.deepEqual(shellWords(renderLaunch(null, 'docwarden', line)), [line.command, ...line.args]);
});

function request(over: Partial<LaunchRequest> = {}): LaunchRequest {
  return { runtime: null, client: null, nodeVersion: null, command: null, rootsGiven: false, logGiven: false, ...over };
}
const FACTS: LaunchFacts = {
  bundle: '/opt/dw/docwarden.js',
  runtime: 'node',
  version: '20.20.2',
  execPath: '/usr/bin/node',
  onPath: () => true,
};

async function fixture(audit: string) {
  const dir = makeTree({ 'docs/a.md': '# A\n' });
  const file = join(dir, 'c.json');
  writeFileSync(
    file,
    JSON.stringify({ roots: [{ name: 'docs', path: 'docs' }], audit: { path: audit, rotateBytes: 0 } }),
  );
  return { dir, file, config: await loadConfig(host, { configPath: file, rootArgs: [], logPath: null }) };
}

test('`runLaunch()` defaults to the running runtime and binary, and passes the config on', async () => {
  const { dir, file, config } = await fixture('logs/audit.jsonl');
  const r = await runLaunch(host, config, request(), FACTS);
  assert.deepEqual(shellWords(r.stdout.trim()), [
    '/usr/bin/node',
    '--experimental-permission',
    '--disable-warning=ExperimentalWarning',
    `--allow-fs-read=${join(dir, 'docs')}`,
    `--allow-fs-read=${file}`,
    '--allow-fs-read=/opt/dw/docwarden.js',
    ...(process.platform === 'linux' ? ['--allow-fs-read=/proc/self/fd/'] : []),
    `--allow-fs-write=${join(dir, 'logs/audit.jsonl')}`,
    '/opt/dw/docwarden.js',
    '--config',
    file,
  ]);
  assert.match(
    r.notes,
    /Create the audit log's folder first: mkdir -p -m 700 /,
    'the sandbox cannot create the folder',
  );
  assert.match(r.notes, /Node cannot restrict environment variables/);
  mkdirSync(join(dir, 'logs'));
  assert.doesNotMatch((await runLaunch(host, config, request(), FACTS)).notes, /mkdir/);
});

test('`runLaunch()` names the bare runtime when it is not the running one, unless --command says otherwise', async () => {
  const { config } = await fixture('stderr');
  const deno = await runLaunch(host, config, request({ runtime: 'deno' }), FACTS);
  assert.equal(shellWords(deno.stdout.trim())[0], 'deno');
  assert.ok(!deno.stdout.includes('--allow-write'));
  const node24 = await runLaunch(host, config, request({ nodeVersion: '24.1.0' }), FACTS);
  assert.deepEqual(
    shellWords(node24.stdout.trim()).slice(0, 2),
    ['node', '--permission'],
    'another Node version: not this binary',
  );
  const mine = await runLaunch(host, config, request({ runtime: 'deno', command: '/x/deno' }), FACTS);
  assert.equal(shellWords(mine.stdout.trim())[0], '/x/deno');
  await assert.rejects(
    runLaunch(host, config, request({ runtime: 'node' }), { ...FACTS, runtime: 'deno', version: '2.9.6' }),
    /pass --node-version/,
  );
  assert.doesNotMatch(deno.notes, /PATH/);
});

test('`runLaunch()` says when the bare runtime it names is not on PATH, and suggests --command', async () => {
  const { config } = await fixture('stderr');
  const asked: string[] = [];
  const noDeno = { ...FACTS, onPath: (name: string) => (asked.push(name), false) };
  const r = await runLaunch(host, config, request({ runtime: 'deno' }), noDeno);
  assert.equal(shellWords(r.stdout.trim())[0], 'deno', 'the line is still printed');
  assert.match(r.notes, /"deno" is not on PATH[^\n]*--command PATH/);
  assert.deepEqual(asked, ['deno']);
  const named = await runLaunch(host, config, request({ runtime: 'deno', command: '/opt/deno/bin/deno' }), noDeno);
  assert.doesNotMatch(named.notes, /PATH/, 'an explicit binary is not looked up');
  const running = await runLaunch(host, config, request(), noDeno);
  assert.doesNotMatch(running.notes, /PATH/, 'the running Node is named by its path');
});

test('`runLaunch()` passes --root and --log on when they were given, with the configured root spelling', async () => {
  const dir = makeTree({ 'docs/a.md': '# A\n' });
  const config = await loadConfig(host, {
    configPath: null,
    rootArgs: [join(dir, 'docs')],
    logPath: join(dir, 'a.jsonl'),
  });
  const r = await runLaunch(host, config, request({ rootsGiven: true, logGiven: true, client: 'vscode' }), FACTS);
  const entry = (JSON.parse(r.stdout) as { servers: { docwarden: { args: string[] } } }).servers.docwarden;
  assert.deepEqual(entry.args.slice(-5), [
    '/opt/dw/docwarden.js',
    '--root',
    join(dir, 'docs'),
    '--log',
    join(dir, 'a.jsonl'),
  ]);
});

test('`parseArgs()` reads the launch options and refuses wrong values or a misplaced option by name', () => {
  const o = parseArgs([
    'launch',
    '--config',
    'c.json',
    '--runtime',
    'node',
    '--client=claude-code',
    '--node-version',
    '22.13',
    '--command',
    '/n',
  ]);
  assert.deepEqual(o.command, {
    kind: 'launch',
    launch: { runtime: 'node', client: 'claude-code', nodeVersion: '22.13', command: '/n' },
  });
  assert.deepEqual(parseArgs(['launch']).command, {
    kind: 'launch',
    launch: { runtime: null, client: null, nodeVersion: null, command: null },
  });
  for (const client of LAUNCH_CLIENTS)
    assert.equal(
      (parseArgs(['launch', '--client', client]).command as { launch: { client: string } }).launch.client,
      client,
    );
  const bad: [string[], RegExp][] = [
    [['launch', '--runtime', 'bun'], /--runtime must be deno or node \(got "bun"\)/],
    [['launch', '--client', 'zed'], /--client must be one of claude-desktop, claude-code, vscode, cursor/],
    [['launch', '--node-version', 'lts'], /--node-version must look like/],
    [['launch', '--runtime', 'deno', '--node-version', '24'], /--node-version applies to --runtime node only/],
    [['check', '--runtime', 'deno'], /--runtime is an option of the launch command/],
    [['launch', 'extra'], /unknown command "launch"/],
  ];
  for (const [argv, re] of bad)
    assert.throws(() => parseArgs(argv), (e: unknown) => e instanceof UsageError && re.test(e.message), argv.join(' '));
});
