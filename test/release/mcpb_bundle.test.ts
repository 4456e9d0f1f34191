// The Claude Desktop bundle (.mcpb) as Claude Desktop installs it: packed by scripts/mcpb.mjs from the
// built bundle, unzipped by our own reader (test/helpers/zip_read.ts), its mcp_config substituted the way
// the reference implementation in @anthropic-ai/mcpb does (defaults, then the user's answers; a list
// answer expands into one argument per item), started exactly as it then says, and used.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { makeTree, tempDir } from '../helpers/fixtures.ts';
import { BUNDLE, Client, type Json, startReady } from '../helpers/harness.ts';
import { readZip } from '../helpers/zip_read.ts';

type UserOption = { type: string; multiple?: boolean; required?: boolean; default?: string | string[] };
type Manifest = Json & {
  version: string;
  server: { type: string; entry_point: string; mcp_config: { command: string; args: string[] } };
  tools: { name: string; description?: string }[];
  user_config: Record<string, UserOption>;
  compatibility: { platforms: string[]; runtimes: { node: string } };
};

function pack(): { file: string; sha256: string } {
  const out = tempDir('dw-mcpb-');
  const r = spawnSync(process.execPath, ['scripts/mcpb.mjs', '--out', out], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { file: string; sha256: string };
}

/** Unzips into a new folder as an installer does (names, bytes, modes); returns the folder. */
function install(file: string): string {
  const dir = join(tempDir('dw-ext-'), 'Claude Extensions', 'local.mcpb.docwarden');
  for (const e of readZip(readFileSync(file))) {
    const to = join(dir, e.name);
    mkdirSync(dirname(to), { recursive: true });
    writeFileSync(to, e.data);
    chmodSync(to, e.mode || 0o644);
  }
  return dir;
}

/** Claude Desktop's variable substitution for mcp_config, written from the MCPB manifest spec. */
type Answers = Record<string, string | string[]>;

function substitute(m: Manifest, extDir: string, home: string, answers: Answers): { command: string; args: string[] } {
  const vars: Record<string, string | string[]> = { __dirname: extDir, pathSeparator: '/', '/': '/', HOME: home };
  for (const [key, option] of Object.entries(m.user_config)) {
    const value = answers[key] ?? option.default;
    if (option.required && (value === undefined || value === '' || (Array.isArray(value) && value.length === 0))) {
      throw new Error(`required setting ${key} missing: Claude Desktop would not start the server`);
    }
    if (value !== undefined) vars[`user_config.${key}`] = value;
  }
  const inString = (s: string) =>
    s.replace(/\$\{([^}]+)\}/g, (all, name: string) => {
      const v = vars[name];
      return typeof v === 'string' ? v : all;
    });
  const args: string[] = [];
  for (const a of m.server.mcp_config.args) {
    const whole = /^\$\{(user_config\.[^}]+)\}$/.exec(a);
    const v = whole ? vars[whole[1] as string] : undefined;
    if (Array.isArray(v)) args.push(...v);
    else if (whole) args.push(v ?? a);
    else args.push(inString(a));
  }
  return { command: inString(m.server.mcp_config.command), args };
}

function manifestOf(file: string): Manifest {
  const entry = readZip(readFileSync(file)).find((e) => e.name === 'manifest.json');
  assert.ok(entry, 'manifest.json in the bundle');
  return JSON.parse(entry.data.toString('utf8')) as Manifest;
}

/** Starts the server the way Claude Desktop would: its own Node for "node", HOME set, nothing else. */
function startInstalled(m: Manifest, extDir: string, home: string, answers: Answers, auditPath: string): Client {
  const { command, args } = substitute(m, extDir, home, answers);
  assert.equal(command, 'node');
  const env = { PATH: process.env['PATH'] ?? '', HOME: home };
  const proc = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'], env });
  return new Client(proc, auditPath);
}

test(".mcpb: a zip of the manifest, the bundle as built, both profiles' configs, README and LICENSE", async () => {
  const { file, sha256 } = pack();
  assert.equal(createHash('sha256').update(readFileSync(file)).digest('hex'), sha256);
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
  assert.equal(file.endsWith(`docwarden-${pkg.version}.mcpb`), true, file);
  const entries = readZip(readFileSync(file));
  assert.deepEqual(entries.map((e) => e.name).sort(), [
    'LICENSE',
    'README.md',
    'config.development.json',
    'config.production.json',
    'docwarden.js',
    'manifest.json',
  ]);
  const server = entries.find((e) => e.name === 'docwarden.js');
  assert.ok(server?.data.equals(readFileSync(BUNDLE)), 'the bundle as built');
  assert.equal(server?.mode, 0o755);

  const m = manifestOf(file);
  assert.equal(m['manifest_version'], '0.3');
  assert.equal(m.version, pkg.version);
  assert.equal(m.server.type, 'node');
  assert.equal(m.server.entry_point, 'docwarden.js');
  assert.equal(m.server.mcp_config.args[0], '${__dirname}/docwarden.js');
  const folders = m.user_config['doc_folders'];
  assert.deepEqual(folders, { ...folders, type: 'directory', multiple: true, required: true });
  assert.equal(m.user_config['profile']?.default, 'production');
  assert.equal(m.user_config['audit_log']?.default, '~/.docwarden/audit.jsonl');
  assert.deepEqual(m.compatibility.runtimes, { node: '>=20.0.0' });
  // The tools the manifest promises are exactly the tools the bundle lists.
  const c = await startReady({ roots: [makeTree({ 'a.md': '# A\n' })] });
  const listed = ((await c.request('tools/list')).result?.['tools'] as { name: string }[]).map((t) => t.name).sort();
  await c.close();
  assert.deepEqual(m.tools.map((t) => t.name).sort(), listed);
  assert.equal(listed.length, 6);
  assert.ok(m.tools.every((t) => typeof t.description === 'string' && t.description.length > 10));
});

test('.mcpb installed as Claude Desktop does: two folders (one with a space), defaults for the rest', async () => {
  const m = manifestOf(pack().file);
  const extDir = install(pack().file);
  const home = tempDir('dw-home-');
  const base = tempDir('dw-user-');
  const onboarding = '# Onboarding\n\nAsk for a badge on day one.\n';
  const handbook = makeTree({ 'onboarding.md': onboarding, '.env': 'TOKEN=x\n' }, join(base, 'handbook'));
  const api = makeTree({ 'v2/auth.md': '# Auth\n\nTokens expire after an hour.\n' }, join(base, 'API docs'));
  assert.throws(() => substitute(m, extDir, home, {}), /required setting doc_folders/);
  const auditPath = join(home, '.docwarden', 'audit.jsonl');
  const c = startInstalled(m, extDir, home, { doc_folders: [handbook, api] }, auditPath);
  try {
    await c.initialize();
    const found = await c.call('find_docs', { pattern: '**' });
    assert.match(c.textOf(found), /onboarding\.md/);
    assert.doesNotMatch(c.textOf(found), /\.env/);
    const read = await c.call('read_doc', { root: 'API-docs', path: 'v2/auth.md' });
    assert.match(c.textOf(read), /Tokens expire after an hour/);
  } finally {
    await c.close();
  }
  // The default audit log: ~/.docwarden/audit.jsonl in the user's home, private, with the reads in it.
  assert.equal(statSync(auditPath).mode & 0o777, 0o600);
  const records = c.auditRecords();
  type Start = { detail: { mode: string; roots: string[] } };
  const start = records.find((r) => r['event'] === 'start') as Start | undefined;
  assert.deepEqual(start?.detail.roots, ['handbook', 'API-docs']);
  assert.equal(start?.detail.mode, 'production');
  assert.ok(records.some((r) => r['tool'] === 'read_doc' && JSON.stringify(r['files']).includes('v2/auth.md')));
});

test('.mcpb with the development profile and an audit log the user chose, in a new folder', async () => {
  const file = pack().file;
  const m = manifestOf(file);
  const extDir = install(file);
  const home = tempDir('dw-home-');
  const docs = makeTree({ 'notes.md': '# Notes\n' }, join(tempDir('dw-user-'), 'notes'));
  const auditPath = join(home, 'Library', 'Logs', 'docwarden audit.jsonl');
  const answers = { doc_folders: [docs], profile: 'development', audit_log: auditPath };
  const c = startInstalled(m, extDir, home, answers, auditPath);
  try {
    await c.initialize();
    assert.match(c.textOf(await c.call('read_doc', { path: 'notes.md' })), /# Notes/);
  } finally {
    await c.close();
  }
  const start = c.auditRecords().find((r) => r['event'] === 'start') as { detail: { mode: string } } | undefined;
  assert.equal(start?.detail.mode, 'development');
  assert.equal(existsSync(join(home, '.docwarden')), false, 'nothing written to the default location');
});

test('.mcpb with a profile that does not exist: the server stops and names the config file it looked for', async () => {
  const file = pack().file;
  const m = manifestOf(file);
  const extDir = install(file);
  const home = tempDir('dw-home-');
  const answers = { doc_folders: [makeTree({ 'a.md': '# A\n' })], profile: 'staging' };
  const c = startInstalled(m, extDir, home, answers, join(home, 'a.jsonl'));
  const exit = await c.exit;
  assert.equal(exit.code, 2);
  const looked = JSON.stringify(join(extDir, 'config.staging.json'));
  assert.ok(c.stderr.includes(`Cannot load config ${looked}: no such file`), c.stderr);
  assert.equal(c.stdout, '');
});

test('.mcpb manifest passes the official validator (@anthropic-ai/mcpb from the npm registry, outside package.json)', {
  skip: process.env['DOCWARDEN_SKIP_MCPB_VALIDATOR'] ? 'DOCWARDEN_SKIP_MCPB_VALIDATOR is set' : false,
}, () => {
  const { file } = pack();
  const check = resolve('scripts/check_mcpb.mjs');
  const r = spawnSync(process.execPath, [check, file], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /Manifest schema validation passes!/);
});
