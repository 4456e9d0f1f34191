// The updater is a separate bundle that may spawn; the server must never contain it. Imports go one
// way (update -> shared src modules), spawning stays in one module, and the updater bundle has no
// network, eval or dynamic code either (docs/security.md, "Controls").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { importSpecifiers, listSources, REPO } from '../helpers/source_scan.ts';

const files = listSources();
const inUpdate = (rel: string) => rel.startsWith('src/update/');
const UPDATER = join(REPO, 'dist', 'docwarden-update.js');

function target(abs: string, spec: string): string {
  return spec.startsWith('.') ? relative(REPO, join(dirname(abs), spec)).split('\\').join('/') : spec;
}

test('nothing outside src/update/ imports the updater', () => {
  const bad = files.filter((f) => !inUpdate(f.rel) && importSpecifiers(f.code).some((s) => inUpdate(target(f.abs, s))))
    .map((f) => f.rel);
  assert.ok(files.some((f) => f.rel === 'src/update/main.ts'));
  assert.deepEqual(bad, []);
});

test('within the updater only mcp_client.ts spawns processes', () => {
  const spawning = files.filter((f) =>
    inUpdate(f.rel) && /child_process|\bspawn(?:Sync)?\s*\(|(?<![.\w$])exec(?:File)?(?:Sync)?\s*\(/.test(f.code)
  ).map((f) => f.rel);
  assert.deepEqual(spawning, ['src/update/mcp_client.ts']);
});

test('the server bundle has no updater input; the updater bundle only src/ inputs', () => {
  const server = JSON.parse(readFileSync(join(REPO, 'dist', 'inputs.json'), 'utf8')) as string[];
  assert.deepEqual(server.filter(inUpdate), []);
  const updater = JSON.parse(readFileSync(join(REPO, 'dist', 'update-inputs.json'), 'utf8')) as string[];
  assert.ok(updater.includes('src/update/main.ts'));
  assert.deepEqual(updater.filter((p) => !p.startsWith('src/') || !p.endsWith('.ts')), []);
  assert.equal(readFileSync(join(REPO, 'dist', 'docwarden.js'), 'utf8').includes('child_process'), false);
});

test('the updater bundle imports only node: built-ins and has no network, eval or dynamic code', () => {
  const text = readFileSync(UPDATER, 'utf8');
  assert.ok(text.startsWith('#!/usr/bin/env node\n'));
  const specs = [...text.matchAll(/^\s*import\s[^;]*?from\s*["']([^"']+)["']/gm)].map((m) => m[1] as string);
  assert.deepEqual(specs.filter((s) => !s.startsWith('node:')), []);
  const allowed = new Set([
    'node:fs',
    'node:os',
    'node:path',
    'node:crypto',
    'node:perf_hooks',
    'node:url',
    'node:fs/promises',
    'node:child_process',
  ]);
  assert.deepEqual(specs.filter((s) => !allowed.has(s)), []);
  for (
    const re of [
      /\beval\s*\(/,
      /\bnew\s+Function\b/,
      /\bfetch\s*\(/,
      /\bimport\s*\(/,
      /\brequire\s*\(/,
      /["']node:(?:net|http|https|dgram|tls|dns|vm)["']/,
    ]
  ) {
    assert.doesNotMatch(text, re);
  }
  const line = readFileSync(`${UPDATER}.sha256`, 'utf8');
  assert.equal(line, `${createHash('sha256').update(readFileSync(UPDATER)).digest('hex')}  docwarden-update.js\n`);
});
