// The shipped artifact (docs/security.md, "Controls"; docs/style.md, "Small public surface"): one readable
// file, built from src/ alone, with no process, eval or network API, a matching checksum, and a reproducible
// build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { tempDir } from '../helpers/fixtures.ts';
import { REPO } from '../helpers/source_scan.ts';

const DIST = join(REPO, 'dist');
const BUNDLE = join(DIST, 'docwarden.js');
const bundle = readFileSync(BUNDLE, 'utf8');

test('the bundle starts with a node shebang', () => {
  assert.ok(bundle.startsWith('#!/usr/bin/env node\n'), JSON.stringify(bundle.slice(0, 40)));
});

test('the bundle is readable, not minified', () => {
  const lines = bundle.split('\n');
  assert.ok(lines.length > 2000, `only ${lines.length} lines`);
  const longest = Math.max(...lines.map((l) => l.length));
  assert.ok(longest < 1000, `a ${longest}-character line suggests minification`);
  assert.match(bundle, /\/\/ src\/policy\/resolver\.ts/, 'esbuild keeps the per-module path comments');
  assert.match(bundle, /function resolvePath\(/, 'identifiers keep their names');
});

test('the bundle contains no process spawning, eval or network API', () => {
  const forbidden: [string, RegExp][] = [
    ['child_process', /child_process/],
    ['spawn', /\bspawn(?:Sync)?\s*\(/],
    // `exec(` as a bare call (child_process.exec imported by name); `re.exec(` is RegExp and fine.
    ['exec(', /(?<![.\w$])exec(?:File)?(?:Sync)?\s*\(/],
    ['execSync', /\bexecSync\b/],
    ['eval(', /\beval\s*\(/],
    ['new Function', /\bnew\s+Function\b/],
    ['node:net', /["']node:net["']/],
    ['node:http', /["']node:http["']/],
    ['node:https', /["']node:https["']/],
    ['node:http2', /["']node:http2["']/],
    ['node:dgram', /["']node:dgram["']/],
    ['node:vm', /["']node:vm["']/],
    ['node:worker_threads', /["']node:worker_threads["']/],
    ['node:tls', /["']node:tls["']/],
    ['node:dns', /["']node:dns["']/],
    ['bare net/http imports', /from\s*["'](?:net|http|https|dgram|vm|tls|dns)["']/],
    ['fetch(', /\bfetch\s*\(/],
    ['WebSocket', /\bWebSocket\b/],
    ['XMLHttpRequest', /\bXMLHttpRequest\b/],
    ['Deno.Command', /\bDeno\s*\.\s*Command\b/],
    ['Deno.run', /\bDeno\s*\.\s*run\b/],
    ['Deno.connect', /\bDeno\s*\.\s*(?:connect|listen)\w*\b/],
    ['dynamic import', /\bimport\s*\(/],
    ['require(', /\brequire\s*\(/],
    ['console.log', /\bconsole\s*\.\s*log\b/],
  ];
  const found = forbidden.filter(([, re]) => re.test(bundle)).map(([name, re]) => {
    const m = re.exec(bundle) as RegExpExecArray;
    const line = bundle.slice(0, m.index).split('\n').length;
    return `${name} at line ${line}: ${bundle.split('\n')[line - 1]?.trim().slice(0, 100)}`;
  });
  assert.deepEqual(found, [], `forbidden APIs in dist/docwarden.js:\n${found.join('\n')}`);
});

test('the bundle imports only node: built-ins', () => {
  const specs = [...bundle.matchAll(/^\s*import\s[^;]*?from\s*["']([^"']+)["']/gm)].map((m) => m[1] as string);
  assert.ok(specs.length > 0);
  const foreign = specs.filter((s) => !s.startsWith('node:'));
  assert.deepEqual(foreign, []);
  const allowed = new Set([
    'node:fs',
    'node:os',
    'node:path',
    'node:crypto',
    'node:perf_hooks',
    'node:url',
    'node:fs/promises',
  ]);
  assert.deepEqual(specs.filter((s) => !allowed.has(s)), [], 'only file-system, path, crypto and timing modules');
});

test('dist/inputs.json lists only files under src/, and includes the entry point', () => {
  const inputs = JSON.parse(readFileSync(join(DIST, 'inputs.json'), 'utf8')) as unknown;
  assert.ok(Array.isArray(inputs) && inputs.length > 10);
  const list = inputs as string[];
  assert.deepEqual(
    list.filter((p) => typeof p !== 'string' || !p.startsWith('src/') || p.includes('..') || !p.endsWith('.ts')),
    [],
  );
  assert.ok(list.includes('src/main.ts'));
  assert.ok(list.includes('src/policy/resolver.ts'));
  for (const p of list) assert.ok(existsSync(join(REPO, p)), `${p} exists`);
});

test('dist/docwarden.js.sha256 matches the bundle', () => {
  const line = readFileSync(BUNDLE + '.sha256', 'utf8');
  const m = /^([0-9a-f]{64}) {2}docwarden\.js\n$/.exec(line);
  assert.ok(m, JSON.stringify(line));
  assert.equal(m[1], createHash('sha256').update(readFileSync(BUNDLE)).digest('hex'));
});

test('building again, from another folder, twice, gives byte-identical files', () => {
  // Built in a copy of the repository (not in place): rewriting dist/ while the end-to-end tests spawn
  // it could hand them a half-written file. A different folder also proves no absolute path leaks in.
  const copy = join(tempDir('dw-build-'), 'repo');
  mkdirSync(copy);
  for (const p of ['src', 'scripts', 'package.json', 'tsconfig.json'])
    cpSync(join(REPO, p), join(copy, p), { recursive: true });
  symlinkSync(join(REPO, 'node_modules'), join(copy, 'node_modules'));
  const outputs: Buffer[][] = [];
  for (let i = 0; i < 2; i++) {
    const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: copy, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    outputs.push(
      ['docwarden.js', 'docwarden.js.sha256', 'inputs.json'].map((f) => readFileSync(join(copy, 'dist', f))),
    );
  }
  const [first, second] = outputs as [Buffer[], Buffer[]];
  for (let k = 0; k < 3; k++)
    assert.ok((first[k] as Buffer).equals(second[k] as Buffer), `file ${k} differs between two builds`);
  assert.ok((first[0] as Buffer).equals(readFileSync(BUNDLE)), 'the copy builds the same bytes as dist/docwarden.js');
  assert.ok((first[2] as Buffer).equals(readFileSync(join(DIST, 'inputs.json'))));
  assert.equal(bundle.includes(REPO), false, 'no absolute path of the build folder in the bundle');
  assert.equal((first[0] as Buffer).toString('utf8').includes(copy), false);
});
