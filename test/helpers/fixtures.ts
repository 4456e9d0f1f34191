// Test fixtures: temporary folders with real files, removed when the process exits.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const created: string[] = [];
process.on('exit', () => {
  for (const d of created) rmSync(d, { recursive: true, force: true });
});

export function tempDir(prefix = 'dw-test-'): string {
  const d = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  created.push(d);
  return d;
}

/** Writes files (path -> content) under a new temp folder and returns the folder. */
export function makeTree(files: Readonly<Record<string, string | Uint8Array>>, base = tempDir()): string {
  for (const [rel, content] of Object.entries(files)) {
    const full = join(base, rel);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
  return base;
}
