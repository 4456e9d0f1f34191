// A private scratch folder for one verify run: the servers' audit logs and the canary, a file outside
// every root whose random content must never come back from a server. Removed when the run ends.
import * as fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import { UpdateError } from './files.ts';

export type Workspace = {
  readonly dir: string;
  readonly canary: { readonly path: string; readonly token: string };
  readonly logFor: (label: string) => string;
  readonly remove: () => void;
};

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Creates the workspace in the first candidate folder that is outside every root. */
export function createWorkspace(roots: readonly string[], fallbackParent: string): Workspace {
  for (const parent of [tmpdir(), fallbackParent]) {
    let real: string;
    try {
      fs.mkdirSync(parent, { recursive: true, mode: 0o700 });
      real = fs.realpathSync(parent);
    } catch {
      continue;
    }
    if (roots.some((r) => inside(r, real))) continue;
    const dir = fs.mkdtempSync(join(real, 'docwarden-verify-'));
    const token = `docwarden-canary-${Buffer.from(randomBytes(16)).toString('hex')}`;
    // An allowlisted extension, so a refusal proves confinement rather than the extension filter.
    const path = join(dir, 'canary.md');
    fs.writeFileSync(path, `# ${token}\n\n${token}\n`, { mode: 0o600 });
    return {
      dir,
      canary: { path, token },
      logFor: (label) => join(dir, `${label}-audit.jsonl`),
      remove: () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  }
  throw new UpdateError('Cannot verify: found no scratch folder outside the configured roots for the canary file');
}
