// Builds dist/docwarden.js: one readable ESM file (no minification) with a shebang, plus its SHA-256.
// Deterministic: the same commit gives byte-identical output (no timestamps, no absolute paths).
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const outfile = join(root, 'dist', 'docwarden.js');
mkdirSync(join(root, 'dist'), { recursive: true });

const result = await build({
  absWorkingDir: root,
  entryPoints: ['src/main.ts'],
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
const inputs = Object.keys(result.metafile.inputs);
const foreign = inputs.filter((p) => !p.startsWith('src/'));
if (foreign.length > 0) {
  console.error(`Cannot build: bundle inputs outside src/: ${foreign.join(', ')}`);
  process.exit(1);
}
writeFileSync(join(root, 'dist', 'inputs.json'), JSON.stringify(inputs.sort(), null, 2) + '\n');
const bytes = readFileSync(outfile);
const sha = createHash('sha256').update(bytes).digest('hex');
writeFileSync(outfile + '.sha256', `${sha}  docwarden.js\n`);
console.error(`Built dist/docwarden.js (${Math.round(bytes.length / 1024)} KB, sha256 ${sha.slice(0, 16)}…)`);
