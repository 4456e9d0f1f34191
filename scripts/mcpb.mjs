// Writes the Claude Desktop bundle, dist/docwarden-<version>.mcpb: a zip (scripts/zip.mjs) of
// manifest.json (MCPB manifest 0.3), the server bundle as built, the two profiles' configs, README and
// LICENSE. Claude Desktop shows the manifest's user_config as a form and starts the server as
// server.mcp_config says, after substituting ${__dirname} and the user's answers.
// `node scripts/mcpb.mjs [--out DIR]` packs the current dist/docwarden.js without rebuilding it (the
// tests use this); `npm run release` calls writeMcpb() after its build.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zip } from './zip.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The tools as the built bundle lists them (initialize + tools/list over stdio), so the manifest cannot drift. */
export async function listTools(bundle) {
  const docs = mkdtempSync(join(tmpdir(), 'dw-mcpb-'));
  const args = [bundle, '--root', docs, '--log', 'stderr'];
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'ignore'] });
  const send = (m) => child.stdin.write(`${JSON.stringify(m)}\n`);
  try {
    return await new Promise((done, fail) => {
      let buffered = '';
      const timer = setTimeout(() => fail(new Error('the bundle did not answer tools/list within 30 s')), 30_000);
      child.on('exit', (code) => fail(new Error(`the bundle exited (${code}) before answering tools/list`)));
      child.stdout.setEncoding('utf8').on('data', (chunk) => {
        buffered += chunk;
        for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
          const m = JSON.parse(buffered.slice(0, nl));
          buffered = buffered.slice(nl + 1);
          if (m.id === 1) {
            send({ jsonrpc: '2.0', method: 'notifications/initialized' });
            send({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
          } else if (m.id === 2) {
            clearTimeout(timer);
            done(m.result.tools);
          }
        }
      });
      const clientInfo = { name: 'mcpb-packer', version: '1' };
      const params = { protocolVersion: '2025-11-25', capabilities: {}, clientInfo };
      send({ jsonrpc: '2.0', id: 1, method: 'initialize', params });
    });
  } finally {
    child.kill();
    rmSync(docs, { recursive: true, force: true });
  }
}

/** The first sentence of a tool description: the manifest shows it in a list. */
const firstSentence = (text) => (/^[\s\S]*?[.!?](?=\s|$)/.exec(text)?.[0] ?? text).trim();

export function mcpbManifest(pkg, tools) {
  return {
    manifest_version: '0.3',
    name: pkg.name,
    display_name: 'docwarden',
    version: pkg.version,
    description: pkg.description,
    long_description: 'Gives Claude read-only, audited access to the documentation folders you choose: list, find, ' +
      'search, outline and read documents, and nothing else (no write tool, no network, no path outside the ' +
      'folders, no secret-looking file). Every request is recorded in a hash-chained JSONL audit log.',
    author: { name: 'The docwarden contributors' },
    license: pkg.license,
    keywords: pkg.keywords,
    server: {
      type: 'node',
      entry_point: 'docwarden.js',
      mcp_config: {
        command: 'node',
        // A "multiple" answer expands to one argument per folder, hence "--" (every argument after it is a root).
        args: [
          '${__dirname}/docwarden.js',
          '--config',
          '${__dirname}/config.${user_config.profile}.json',
          '--log',
          '${user_config.audit_log}',
          '--',
          '${user_config.doc_folders}',
        ],
      },
    },
    tools: tools.map((t) => ({ name: t.name, description: firstSentence(t.description) })),
    compatibility: { platforms: ['darwin', 'linux'], runtimes: { node: '>=20.0.0' } },
    user_config: {
      doc_folders: {
        type: 'directory',
        title: 'Documentation folders',
        description: 'Folders Claude may read, read-only (not your whole home folder); secret files stay hidden.',
        multiple: true,
        required: true,
      },
      profile: {
        type: 'string',
        title: 'Profile',
        description: '"production" (strict limits, the default) or "development" (looser limits, more file types).',
        default: 'production',
        required: false,
      },
      audit_log: {
        type: 'string',
        title: 'Audit log file',
        description: 'Where every request is recorded (JSONL, created with mode 0600). ~ is your home folder.',
        default: '~/.docwarden/audit.jsonl',
        required: false,
      },
    },
  };
}

/** Packs dist/docwarden.js as it is into OUT/docwarden-<version>.mcpb; returns its path, SHA-256 and manifest. */
export async function writeMcpb(outDir = join(root, 'dist')) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const bundle = join(root, 'dist', 'docwarden.js');
  const manifest = mcpbManifest(pkg, await listTools(bundle));
  const bytes = zip([
    { name: 'manifest.json', data: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`) },
    { name: 'docwarden.js', data: readFileSync(bundle), mode: 0o755 },
    { name: 'config.production.json', data: readFileSync(join(root, 'config.prod.json')) },
    { name: 'config.development.json', data: readFileSync(join(root, 'config.dev.json')) },
    { name: 'README.md', data: readFileSync(join(root, 'README.md')) },
    { name: 'LICENSE', data: readFileSync(join(root, 'LICENSE')) },
  ]);
  const file = join(outDir, `docwarden-${pkg.version}.mcpb`);
  writeFileSync(file, bytes);
  return { file, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length, manifest };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--out');
  const out = await writeMcpb(i > 0 ? resolve(process.argv[i + 1]) : undefined);
  console.log(JSON.stringify({ file: out.file, sha256: out.sha256, bytes: out.bytes }));
}
