// A hostile documentation tree on the real file system for the path-policy unit tests: secrets, symlinks
// in and out of the root, a sibling `<root>-evil` folder, hard links, a FIFO and a symlink loop.
import { spawnSync } from 'node:child_process';
import { linkSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Config, loadConfig } from '../../src/config/load.ts';
import type { Root } from '../../src/policy/resolver.ts';
import { createPathRules } from '../../src/policy/path_rules.ts';
import type { Confinement } from '../../src/policy/resolver.ts';
import type { Host } from '../../src/runtime/host.ts';
import { makeTree, tempDir } from './fixtures.ts';

export type PolicyTree = {
  /** Folder holding the root and its neighbours. */
  readonly base: string;
  /** The configured root: `<base>/docs` (already a real path). */
  readonly rootDir: string;
  /** The sibling `<base>/docs-evil`: shares the root's name as a prefix. */
  readonly evilDir: string;
  readonly fifo: boolean;
};

/** Builds the tree. Every name below is referenced by the tests. */
export function buildPolicyTree(): PolicyTree {
  const base = tempDir('dw-policy-');
  const rootDir = join(base, 'docs');
  const evilDir = join(base, 'docs-evil');
  makeTree({
    'README.md': '# Readme\n\nHello.\n',
    'guide/install.md': '# Install\n',
    'guide/deep/more.md': 'more\n',
    'notes.txt': 'plain notes\n',
    '.env': 'API_TOKEN=supersecret\n',
    '.ENV.md': 'upper-case secret\n',
    'sub/.git/config': '[core]\n',
    'id_rsa': '-----BEGIN OPENSSH PRIVATE KEY-----\n',
    'server.pem': 'pem\n',
    'credentials.md': 'creds\n',
    'secrets.yaml': 'secret: x\n',
    '.hidden.md': 'hidden\n',
    'image.png': 'not really a png\n',
    'Makefile': 'all:\n',
    'swap.md': 'original\n',
    'swapdir/doc.md': 'inside\n',
    'later-fifo.md': 'will become a fifo\n',
    'later-hard.md': 'will get a second link\n',
    'big.md': 'x'.repeat(5000),
  }, rootDir);
  makeTree({ 'private.md': 'EVIL SIBLING\n', 'doc.md': 'EVIL DOC\n' }, evilDir);
  writeFileSync(join(base, 'outside.md'), 'OUTSIDE\n');
  writeFileSync(join(base, 'outside-hard.md'), 'OUTSIDE HARD\n');
  const ln = (target: string, name: string) => symlinkSync(target, join(rootDir, name));
  ln('README.md', 'inlink.md');
  ln('guide', 'dirlink');
  ln('../outside.md', 'outlink.md');
  ln(join(base, 'outside.md'), 'abslink.md');
  ln('../docs-evil/private.md', 'evil-link.md');
  ln('../docs-evil', 'outdir');
  ln('nope.md', 'dangling.md');
  ln('loop.md', 'loop.md');
  ln('/etc/passwd', 'passwd.md');
  ln('/dev/zero', 'zero.md');
  ln('/etc', 'etc');
  ln('.env', 'envlink.md');
  ln('.hidden.md', 'hiddenlink.md');
  linkSync(join(base, 'outside-hard.md'), join(rootDir, 'hard.md'));
  mkdirSync(join(rootDir, 'empty'));
  const fifo = spawnSync('mkfifo', [join(rootDir, 'pipe.md')]).status === 0;
  return { base, rootDir, evilDir, fifo };
}

export async function loadRoot(host: Host, dir: string): Promise<{ readonly config: Config; readonly root: Root }> {
  const config = await loadConfig(host, { configPath: null, rootArgs: [dir], logPath: null });
  const root = config.roots[0];
  if (!root) throw new Error('no root loaded');
  return { config, root };
}

export function confinementFor(
  host: Host,
  config: Config,
  over: Partial<Pick<Confinement, 'symlinks' | 'hardLinks' | 'maxFileBytes'>> & { readonly hidden?: boolean } = {},
): Confinement {
  return {
    host,
    rules: createPathRules(config.files.extensions, config.files.deny, over.hidden ?? config.files.hidden),
    symlinks: over.symlinks ?? config.files.symlinks,
    hardLinks: over.hardLinks ?? config.files.hardLinks,
    maxFileBytes: over.maxFileBytes ?? config.files.maxFileBytes,
  };
}
