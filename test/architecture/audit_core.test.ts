// The security core stays small enough to read in a sitting: docs/audit.md, "Security core" lists the
// modules an auditor must read; each must exist and together they stay at most 2,000 lines. The modules
// the boundary tests allow to open files or write stdout while serving must be on that list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../helpers/source_scan.ts';

const MAX_CORE_LINES = 2000;

function coreFiles(): string[] {
  const text = readFileSync(join(REPO, 'docs/audit.md'), 'utf8');
  const start = text.indexOf('\n## Security core\n');
  assert.ok(start >= 0, 'docs/audit.md has a section titled "Security core"');
  const end = text.indexOf('\n## ', start + 1);
  const section = text.slice(start, end < 0 ? undefined : end);
  // The list items only: the paragraph after them names modules outside the core on purpose.
  return [...section.matchAll(/^- `(src\/[\w/]+\.ts)`/gm)].map((m) => m[1] as string);
}

test('the security core names existing files and adds up to at most 2,000 lines', () => {
  const files = coreFiles();
  assert.ok(files.length >= 10, `only ${files.length} files listed`);
  assert.equal(new Set(files).size, files.length, 'no file listed twice');
  let total = 0;
  for (const rel of files) {
    assert.ok(existsSync(join(REPO, rel)), `${rel} is listed but does not exist`);
    total += readFileSync(join(REPO, rel), 'utf8').split('\n').length - 1;
  }
  assert.ok(
    total <= MAX_CORE_LINES,
    `the security core is ${total} lines (limit ${MAX_CORE_LINES}): ${files.join(', ')}`,
  );
});

test('the modules that open documents, make ConfinedPaths or write protocol lines are in the core', () => {
  const files = coreFiles();
  for (
    const rel of [
      'src/policy/resolver.ts',
      'src/policy/path_rules.ts',
      'src/runtime/host.ts',
      'src/transport/writer.ts',
      'src/text/escape.ts',
      'src/validate/schema.ts',
      'src/audit/log.ts',
      'src/audit/redact.ts',
    ]
  ) {
    assert.ok(files.includes(rel), `${rel} must be in docs/audit.md, "Security core"`);
  }
});
