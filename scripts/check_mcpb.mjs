// `node scripts/check_mcpb.mjs [FILE.mcpb]`: runs the official MCP Bundle tool on a .mcpb (default: the
// one `npm run release` wrote): `mcpb unpack` (their zip reader on our zip), `mcpb validate` on the
// unpacked manifest.json, `mcpb info`. The tool is pinned and locked in scripts/mcpb-validator/ and
// installed there from the npm registry on first use (`npm ci`): it is not in docwarden's package.json
// and never in what `npm install` fetches. Exit 0 when the manifest is valid; 1 otherwise, 2 when the
// tool cannot be installed (offline).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const toolDir = join(root, 'scripts', 'mcpb-validator');
const cli = join(toolDir, 'node_modules', '@anthropic-ai', 'mcpb', 'dist', 'cli', 'cli.js');

function lockedVersion() {
  const lock = JSON.parse(readFileSync(join(toolDir, 'package-lock.json'), 'utf8'));
  return lock.packages['node_modules/@anthropic-ai/mcpb'].version;
}

function installedVersion() {
  const pkg = join(toolDir, 'node_modules', '@anthropic-ai', 'mcpb', 'package.json');
  return existsSync(pkg) ? JSON.parse(readFileSync(pkg, 'utf8')).version : null;
}

/** npm as the caller runs it (npm_execpath under `npm run`/`npm test`), else from PATH. */
function npm(args) {
  const execPath = process.env.npm_execpath;
  const [cmd, argv] = execPath?.endsWith('.js') ? [process.execPath, [execPath, ...args]] : ['npm', args];
  return spawnSync(cmd, argv, { cwd: toolDir, encoding: 'utf8', timeout: 240_000 });
}

function mcpb(args) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60_000 });
  process.stdout.write(r.stdout ?? '');
  process.stderr.write(r.stderr ?? '');
  return r.status;
}

const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const file = resolve(process.argv[2] ?? join(root, 'dist', `docwarden-${version}.mcpb`));
if (!existsSync(file)) {
  console.error(`check_mcpb: no ${file}; run \`npm run release\` first or name the .mcpb`);
  process.exit(1);
}
if (installedVersion() !== lockedVersion()) {
  console.error(`check_mcpb: installing @anthropic-ai/mcpb ${lockedVersion()} into scripts/mcpb-validator/ …`);
  const r = npm(['ci', '--no-audit', '--no-fund', '--ignore-scripts']);
  if (r.status !== 0) {
    const why = String(r.stderr ?? r.error).trim().slice(-400);
    console.error(`check_mcpb: cannot install the official validator (offline?): ${why}`);
    process.exit(2);
  }
}
const out = mkdtempSync(join(tmpdir(), 'dw-mcpb-check-'));
const unpacked = mcpb(['unpack', file, out]);
const valid = unpacked === 0 ? mcpb(['validate', join(out, 'manifest.json')]) : 1;
const info = valid === 0 ? mcpb(['info', file]) : 1;
rmSync(out, { recursive: true, force: true });
const word = (status) => (status === 0 ? 'ok' : 'FAILED');
const steps = `unpack ${word(unpacked)}, validate ${word(valid)}, info ${word(info)}`;
console.log(`check_mcpb: @anthropic-ai/mcpb ${lockedVersion()}: ${steps}`);
process.exit(unpacked === 0 && valid === 0 && info === 0 ? 0 : 1);
