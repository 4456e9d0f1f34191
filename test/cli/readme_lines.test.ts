// The README's hand-written Deno lines are the lines `docwarden launch` prints (for a config with
// rotation off, the README's own abridgement): a flag added to the printed line, like --deny-import or
// --no-remote, cannot be forgotten in the examples operators copy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchLine, renderLaunch } from '../../src/cli/launch.ts';
import { REPO } from '../helpers/source_scan.ts';

const README = readFileSync(join(REPO, 'README.md'), 'utf8');
const BUNDLE = '/opt/docwarden/dist/docwarden.js';
const CONFIG = '/opt/docwarden/config.prod.json';
const NEED = { read: ['/srv/docs', CONFIG, BUNDLE], write: ['/opt/docwarden/.docwarden/audit.jsonl'] };
const LINE = launchLine('deno', 'deno', '', NEED, BUNDLE, ['--config', CONFIG], 'linux');

test("the README's Deno JSON snippet is the one `launch --client claude-desktop` prints", () => {
  const blocks = [...README.matchAll(/```json\n([^`]*)```/g)].map((m) =>
    JSON.parse(m[1] as string) as Record<string, Record<string, unknown>>
  );
  const deno = blocks.filter((b) =>
    (b['mcpServers']?.['docwarden'] as { command?: string } | undefined)?.command === 'deno'
  );
  assert.equal(deno.length, 1, 'one Deno snippet in the README');
  assert.deepEqual(deno[0], JSON.parse(renderLaunch('claude-desktop', 'docwarden', LINE)));
});

test("the README's Deno `claude mcp add` line is the one `launch --client claude-code` prints", () => {
  const lines = README.split('\n').filter((l) => l.startsWith('claude mcp add docwarden -- deno'));
  assert.deepEqual(lines, [renderLaunch('claude-code', 'docwarden', LINE)]);
  assert.match(lines[0] ?? '', / --no-remote .* --deny-import /);
});
