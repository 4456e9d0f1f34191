// Builds dist/docwarden.js (the server) and dist/docwarden-update.js (the updater, a separate tool so the
// server keeps no process-spawning code): readable ESM files (no minification) with a shebang, each with
// its SHA-256 and the list of its inputs.
// Deterministic: the same commit gives byte-identical output (no timestamps, no absolute paths).
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
mkdirSync(join(root, 'dist'), { recursive: true });

function fail(message) {
  console.error(`Cannot build: ${message}`);
  process.exit(1);
}

async function bundle(entry, name) {
  const outfile = join(root, 'dist', name);
  const result = await build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    minify: false,
    sourcemap: false,
    legalComments: 'none',
    charset: 'utf8',
    metafile: true,
    banner: { js: '#!/usr/bin/env node' },
    define: { DOCWARDEN_VERSION: JSON.stringify(pkg.version) },
    logLevel: 'warning',
  });
  // Every input must come from src/: the zero-runtime-dependency promise, checked on every build.
  const inputs = Object.keys(result.metafile.inputs).sort();
  const foreign = inputs.filter((p) => !p.startsWith('src/'));
  if (foreign.length > 0) fail(`${name} inputs outside src/: ${foreign.join(', ')}`);
  const bytes = readFileSync(outfile);
  const sha = createHash('sha256').update(bytes).digest('hex');
  writeFileSync(outfile + '.sha256', `${sha}  ${name}\n`);
  console.error(`Built dist/${name} (${Math.round(bytes.length / 1024)} KB, sha256 ${sha.slice(0, 16)}…)`);
  return inputs;
}

const serverInputs = await bundle('src/main.ts', 'docwarden.js');
// One-way imports: the updater may use the server's modules, never the reverse.
const leaked = serverInputs.filter((p) => p.startsWith('src/update/'));
if (leaked.length > 0) fail(`the server bundle includes updater modules: ${leaked.join(', ')}`);
writeFileSync(join(root, 'dist', 'inputs.json'), JSON.stringify(serverInputs, null, 2) + '\n');

const updaterInputs = await bundle('src/update/main.ts', 'docwarden-update.js');
if (!updaterInputs.includes('src/update/main.ts')) fail('the updater bundle does not include its entry point');
writeFileSync(join(root, 'dist', 'update-inputs.json'), JSON.stringify(updaterInputs, null, 2) + '\n');
