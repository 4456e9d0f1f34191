// The shared documentation corpora (../shared/corpora beside the checkout), unpacked once per test
// process into a temp folder. Never committed: they are large and licensed separately.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir } from './fixtures.ts';

const CANDIDATES = [process.env['DOCWARDEN_CORPORA'], resolve('..', 'shared', 'corpora'), '/work/shared/corpora'];
export const CORPORA_DIR = CANDIDATES.find((d) => d !== undefined && existsSync(join(d, 'node-api.tar.gz'))) ?? null;

/** Why corpus tests cannot run here, or null when the corpora are available. */
export function corporaMissing(): string | null {
  return CORPORA_DIR === null
    ? 'the shared corpora are not beside this checkout (../shared/corpora); set DOCWARDEN_CORPORA'
    : null;
}
const unpacked = new Map<string, string>();

/** Unpacks `<name>.tar.gz` and returns the folder holding its files (linux-docs, node-api). */
export function corpus(name: 'linux-docs' | 'node-api'): string {
  const done = unpacked.get(name);
  if (done) return done;
  if (CORPORA_DIR === null) throw new Error(`Cannot find the corpora: ${corporaMissing()}`);
  const archive = join(CORPORA_DIR, `${name}.tar.gz`);
  if (!existsSync(archive)) throw new Error(`Cannot find the ${name} corpus at ${archive} (set DOCWARDEN_CORPORA)`);
  const dir = tempDir(`dw-corpus-${name}-`);
  execFileSync('tar', ['-xzf', archive, '-C', dir]);
  const top = join(dir, name);
  const root = existsSync(top) ? top : dir;
  unpacked.set(name, root);
  return root;
}
