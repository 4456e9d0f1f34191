import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { linkSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Config } from '../../src/config/load.ts';
import type { Root } from '../../src/policy/resolver.ts';
import { Failure, type FailureReason, isHiddenReason, NOT_FOUND_MESSAGE } from '../../src/errors/failure.ts';
import { type Confinement, isContained, openConfined, readRange, resolvePath } from '../../src/policy/resolver.ts';
import { createNodeHost } from '../../src/runtime/node_host.ts';
import { makeTree } from '../helpers/fixtures.ts';
import { buildPolicyTree, confinementFor, loadRoot, type PolicyTree } from '../helpers/policy_fixture.ts';

const host = createNodeHost();
const text = (b: Uint8Array) => new TextDecoder().decode(b);

async function refusal(p: Promise<unknown>): Promise<Failure> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof Failure, `expected a Failure, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a refusal');
}

/** Asserts the precise internal reason and that the client only ever sees the generic message. */
async function refusedAs(
  c: Confinement,
  root: Root,
  path: string,
  reason: FailureReason | readonly FailureReason[],
): Promise<void> {
  const f = await refusal(resolvePath(c, root, path));
  const reasons = typeof reason === 'string' ? [reason] : reason;
  assert.ok(reasons.includes(f.reason), `${JSON.stringify(path)}: expected ${reasons.join('|')}, got ${f.reason}`);
  if (isHiddenReason(f.reason)) assert.equal(f.publicMessage, NOT_FOUND_MESSAGE, path);
  assert.equal(f.publicMessage.includes(root.path), false, 'never a host path');
}

let tree: PolicyTree;
let config: Config;
let root: Root;
let strict: Confinement;
let within: Confinement;

before(async () => {
  tree = buildPolicyTree();
  ({ config, root } = await loadRoot(host, tree.rootDir));
  strict = confinementFor(host, config);
  within = confinementFor(host, config, { symlinks: 'within-root' });
});

describe('resolvePath() with the default (strict) policy', () => {
  test('`resolvePath()` returns a confined file, folder or the root itself', async () => {
    const f = await resolvePath(strict, root, 'guide/install.md');
    assert.deepEqual([f.rel, f.kind, f.abs], ['guide/install.md', 'file', join(tree.rootDir, 'guide/install.md')]);
    const d = await resolvePath(strict, root, 'guide');
    assert.deepEqual([d.rel, d.kind], ['guide', 'dir']);
    for (const r of ['', '.', '/']) {
      const top = await resolvePath(strict, root, r);
      assert.deepEqual([top.rel, top.kind, top.abs], ['', 'dir', tree.rootDir]);
    }
  });

  test('`resolvePath()` refuses traversal and malformed strings as invalid_path with an actionable message', async () => {
    const attacks = [
      '../outside.md',
      '../docs-evil/private.md',
      'guide/../../outside.md',
      '/etc/passwd',
      '~/x.md',
      'C:/x.md',
      '..\\outside.md',
      '%2e%2e/outside.md',
      '%252e%252e%252foutside.md',
      'file:///etc/passwd',
      'a\u0000.md',
      'guide//install.md',
      './README.md',
      'README.md/',
      'README.md.',
      'CON.md',
      'x\u202e.md',
    ];
    for (const a of attacks) {
      const f = await refusal(resolvePath(strict, root, a));
      assert.equal(f.reason, 'invalid_path', a);
      assert.match(f.publicMessage, /^Invalid path: /);
      assert.equal(f.publicMessage.includes(tree.base), false);
    }
  });

  test('`resolvePath()` refuses secrets and hidden names as denied_pattern', async () => {
    for (
      const p of [
        '.env',
        '.ENV',
        '.ENV.md',
        'sub/.git/config',
        'sub/.git',
        'id_rsa',
        'server.pem',
        'credentials.md',
        'secrets.yaml',
        '.hidden.md',
        'missing/.env',
      ]
    ) {
      await refusedAs(strict, root, p, 'denied_pattern');
    }
  });

  test('`resolvePath()` refuses every symlink, in-root or not, as symlink', async () => {
    for (
      const p of [
        'inlink.md',
        'dirlink',
        'dirlink/install.md',
        'outlink.md',
        'abslink.md',
        'evil-link.md',
        'outdir/private.md',
        'dangling.md',
        'loop.md',
        'passwd.md',
        'zero.md',
        'etc/passwd',
        'etc/hosts.md',
      ]
    ) {
      await refusedAs(strict, root, p, 'symlink');
    }
  });

  test('`resolvePath()` refuses a file with a second hard link as hard_link', async () => {
    await refusedAs(strict, root, 'hard.md', 'hard_link');
  });

  test('`resolvePath()` serves a hard-linked file when the config allows hard links', async () => {
    const lenient = confinementFor(host, config, { hardLinks: true });
    const p = await resolvePath(lenient, root, 'hard.md');
    assert.equal(p.kind, 'file');
  });

  test(
    '`resolvePath()` refuses a FIFO as not_regular',
    { skip: !buildPolicyTreeHasFifo() && 'mkfifo unavailable' },
    async () => {
      await refusedAs(strict, root, 'pipe.md', 'not_regular');
    },
  );

  test('`resolvePath()` refuses files outside the extension allowlist as bad_extension', async () => {
    for (const p of ['image.png', 'Makefile']) await refusedAs(strict, root, p, 'bad_extension');
  });

  test('`resolvePath()` reports missing paths and files used as folders as not_found', async () => {
    for (const p of ['missing.md', 'guide/missing.md', 'README.md/x.md', 'nope/deeper/x.md'])
      await refusedAs(strict, root, p, 'not_found');
  });

  test('`resolvePath()` applies extra whole-path deny globs', async () => {
    const c = confinementFor(host, { ...config, files: { ...config.files, deny: [...config.files.deny, 'guide/**'] } });
    await refusedAs(c, root, 'guide/install.md', 'denied_pattern');
    assert.equal((await resolvePath(c, root, 'README.md')).kind, 'file');
  });
});

/** A file's bytes and stat through one fully checked open, as every document read goes. */
async function readWhole(c: Parameters<typeof openConfined>[0], p: Parameters<typeof openConfined>[1]) {
  const doc = await openConfined(c, p);
  try {
    return { bytes: await readRange(doc, 0, doc.stat.size), stat: doc.stat };
  } finally {
    await doc.handle.close();
  }
}

describe("resolvePath() with symlinks: 'within-root'", () => {
  test('`resolvePath()` follows a symlink whose target stays in the root', async () => {
    const p = await resolvePath(within, root, 'inlink.md');
    assert.equal(p.kind, 'file');
    assert.equal(p.rel, 'inlink.md');
    assert.equal(p.abs, join(tree.rootDir, 'README.md'));
    const d = await resolvePath(within, root, 'dirlink/install.md');
    assert.equal(d.abs, join(tree.rootDir, 'guide/install.md'));
    assert.equal(text((await readWhole(within, p)).bytes), '# Readme\n\nHello.\n');
  });

  test('`resolvePath()` refuses symlinks that leave the root, including into the `<root>-evil` sibling, as outside_root', async () => {
    for (
      const p of ['outlink.md', 'abslink.md', 'evil-link.md', 'outdir/private.md', 'passwd.md', 'zero.md', 'etc/passwd']
    ) {
      await refusedAs(within, root, p, 'outside_root');
    }
  });

  test('`resolvePath()` refuses dangling and looping symlinks', async () => {
    await refusedAs(within, root, 'dangling.md', 'not_found');
    await refusedAs(within, root, 'loop.md', ['symlink', 'not_found']);
  });

  test('`resolvePath()` refuses an in-root symlink that aliases a denied secret or hidden file', async () => {
    await refusedAs(within, root, 'envlink.md', ['denied_pattern', 'symlink']);
    await refusedAs(within, root, 'hiddenlink.md', ['denied_pattern', 'symlink']);
  });
});

describe('openConfined()', () => {
  test('`openConfined()` opens a confined file and reads it from the descriptor', async () => {
    const p = await resolvePath(strict, root, 'guide/install.md');
    const doc = await openConfined(strict, p);
    try {
      assert.equal(doc.stat.kind, 'file');
      assert.equal(text(await readRange(doc, 2, 5)), 'Insta');
      assert.equal(text(await readRange(doc, 0, 1000)), '# Install\n');
      assert.equal((await readRange(doc, 100, 10)).length, 0);
    } finally {
      await doc.handle.close();
    }
  });

  test('`openConfined()` refuses a folder with an actionable is_a_directory failure', async () => {
    const f = await refusal(openConfined(strict, await resolvePath(strict, root, 'guide')));
    assert.equal(f.reason, 'is_a_directory');
    assert.match(f.publicMessage, /folder/);
  });

  test('`openConfined()` refuses a file over the size cap, naming the limit', async () => {
    const small = confinementFor(host, config, { maxFileBytes: 1024 });
    const f = await refusal(openConfined(small, await resolvePath(small, root, 'big.md')));
    assert.equal(f.reason, 'too_large');
    assert.match(f.publicMessage, /5000 bytes/);
    assert.match(f.publicMessage, /1024-byte/);
  });

  test('`openConfined()` refuses a file swapped for a symlink to an outside file after resolvePath', async () => {
    const p = await resolvePath(strict, root, 'swap.md');
    unlinkSync(join(tree.rootDir, 'swap.md'));
    symlinkSync(join(tree.base, 'outside.md'), join(tree.rootDir, 'swap.md'));
    try {
      const f = await refusal(openConfined(strict, p));
      assert.ok(['symlink', 'outside_root', 'swapped'].includes(f.reason), f.reason);
      assert.equal(f.publicMessage, NOT_FOUND_MESSAGE);
    } finally {
      unlinkSync(join(tree.rootDir, 'swap.md'));
      writeFileSync(join(tree.rootDir, 'swap.md'), 'original\n');
    }
  });

  test('`openConfined()` refuses a file swapped for a symlink to an in-root file after resolvePath (strict policy)', async () => {
    const p = await resolvePath(strict, root, 'swap.md');
    unlinkSync(join(tree.rootDir, 'swap.md'));
    symlinkSync('README.md', join(tree.rootDir, 'swap.md'));
    try {
      const f = await refusal(openConfined(strict, p));
      assert.ok(['symlink', 'swapped'].includes(f.reason), f.reason);
    } finally {
      unlinkSync(join(tree.rootDir, 'swap.md'));
      writeFileSync(join(tree.rootDir, 'swap.md'), 'original\n');
    }
  });

  test('`openConfined()` refuses when a parent folder is swapped for a symlink to the `<root>-evil` sibling', async () => {
    const p = await resolvePath(strict, root, 'swapdir/doc.md');
    renameSync(join(tree.rootDir, 'swapdir'), join(tree.rootDir, 'swapdir-old'));
    symlinkSync(tree.evilDir, join(tree.rootDir, 'swapdir'));
    try {
      const f = await refusal(openConfined(strict, p));
      assert.equal(f.reason, 'outside_root');
      assert.equal(f.publicMessage, NOT_FOUND_MESSAGE);
    } finally {
      unlinkSync(join(tree.rootDir, 'swapdir'));
      renameSync(join(tree.rootDir, 'swapdir-old'), join(tree.rootDir, 'swapdir'));
    }
  });

  test('`openConfined()` refuses a file replaced by a FIFO after resolvePath, without blocking', {
    skip: !buildPolicyTreeHasFifo() && 'mkfifo unavailable',
  }, async () => {
    const p = await resolvePath(strict, root, 'later-fifo.md');
    unlinkSync(join(tree.rootDir, 'later-fifo.md'));
    assert.equal(spawnSync('mkfifo', [join(tree.rootDir, 'later-fifo.md')]).status, 0);
    const f = await refusal(openConfined(strict, p));
    assert.equal(f.reason, 'not_regular');
    assert.equal(f.publicMessage, NOT_FOUND_MESSAGE);
  });

  test('`openConfined()` refuses a file that gained a second hard link after resolvePath', async () => {
    const p = await resolvePath(strict, root, 'later-hard.md');
    linkSync(join(tree.rootDir, 'later-hard.md'), join(tree.base, 'stolen-link.md'));
    try {
      const f = await refusal(openConfined(strict, p));
      assert.equal(f.reason, 'hard_link');
    } finally {
      unlinkSync(join(tree.base, 'stolen-link.md'));
    }
  });

  test('`openConfined()` refuses a file deleted after resolvePath as not_found', async () => {
    writeFileSync(join(tree.rootDir, 'gone.md'), 'x');
    const p = await resolvePath(strict, root, 'gone.md');
    rmSync(join(tree.rootDir, 'gone.md'));
    const f = await refusal(openConfined(strict, p));
    assert.equal(f.reason, 'not_found');
    assert.equal(f.publicMessage, NOT_FOUND_MESSAGE);
  });

  test('`openConfined()` and `readRange()` give the bytes and stat of a regular file', async () => {
    const r = await readWhole(strict, await resolvePath(strict, root, 'notes.txt'));
    assert.equal(text(r.bytes), 'plain notes\n');
    assert.equal(r.stat.size, 12);
  });
});

// Where a runtime cannot say where a descriptor is, steps 6-7 go by path. A fake host plays the
// attacker who swapped `swapdir` for a link to the outside at exactly the right moments: the open and
// the first inode check go through the link, realpath sees the folder. The later checks must refuse.
describe('openConfined() by path (no descriptor location)', () => {
  type Script = { readonly folderKind?: 'dir' | 'symlink'; readonly secondStatOutside?: boolean };
  function attacker(script: Script): Confinement {
    const outside = join(tree.evilDir, 'doc.md');
    let stats = 0;
    const fake: typeof host = {
      ...host,
      openRead: async (p) => {
        const real = await host.openRead(p.endsWith('swapdir/doc.md') ? outside : p);
        return { ...real, location: () => null };
      },
      stat: async (
        p,
      ) => (p.endsWith('swapdir/doc.md') && (++stats === 1 || script.secondStatOutside)
        ? host.stat(outside)
        : host.stat(p)),
      lstat: async (p) => {
        const st = await host.lstat(p);
        return p.endsWith('/swapdir') && script.folderKind === 'symlink' ? { ...st, kind: 'symlink' } : st;
      },
    };
    return confinementFor(fake, config);
  }

  test('a calm file is served by path as by descriptor', async () => {
    const byPath: typeof host = {
      ...host,
      openRead: async (p) => ({ ...(await host.openRead(p)), location: () => null }),
    };
    const c = confinementFor(byPath, config);
    const doc = await openConfined(c, await resolvePath(c, root, 'guide/install.md'));
    await doc.handle.close();
    assert.equal(doc.path.rel, 'guide/install.md');
  });

  test('a folder that is a link at the folder check is refused, though the first inode check passed', async () => {
    const c = attacker({ folderKind: 'symlink' });
    const f = await refusal(openConfined(c, await resolvePath(strict, root, 'swapdir/doc.md')));
    assert.equal(f.reason, 'swapped');
    assert.equal(f.publicMessage, NOT_FOUND_MESSAGE);
  });

  test('a file that is no longer the opened one at the second inode check is refused', async () => {
    const c = attacker({ folderKind: 'dir' });
    const f = await refusal(openConfined(c, await resolvePath(strict, root, 'swapdir/doc.md')));
    assert.equal(f.reason, 'swapped');
  });

  test('an attacker who lands every flip is served the outside file: the limit docs/security.md states', async () => {
    // Not a wish, a fact pinned down: if this starts refusing, the docs' "Races" section can be updated.
    const c = attacker({ folderKind: 'dir', secondStatOutside: true });
    const doc = await openConfined(c, await resolvePath(strict, root, 'swapdir/doc.md'));
    await doc.handle.close();
  });
});

describe('isContained()', () => {
  test('`isContained()` accepts the root and its descendants only', () => {
    const r = '/srv/docs';
    assert.equal(isContained(host.path, r, '/srv/docs'), true);
    assert.equal(isContained(host.path, r, '/srv/docs/a/b.md'), true);
    assert.equal(isContained(host.path, r, '/srv/docs/..data/x.md'), true, 'a name starting with ".." is still inside');
    assert.equal(isContained(host.path, r, '/srv/docs-evil/x.md'), false);
    assert.equal(isContained(host.path, r, '/srv/docs-private'), false);
    assert.equal(isContained(host.path, r, '/srv/docs"/x.md'), false);
    assert.equal(isContained(host.path, r, '/srv/docs /x.md'), false);
    assert.equal(isContained(host.path, r, '/srv'), false);
    assert.equal(isContained(host.path, r, '/etc/passwd'), false);
    assert.equal(isContained(host.path, r, '/'), false);
  });
});

test('a sibling folder whose name extends the root name is never reachable', async () => {
  for (
    const p of ['../docs-evil/private.md', '..docs-evil/private.md', 'docs-evil/private.md', '../docs-evil', 'outdir']
  ) {
    for (const c of [strict, within]) {
      const f = await refusal(resolvePath(c, root, p));
      assert.ok(f.reason === 'invalid_path' || isHiddenReason(f.reason), `${p}: ${f.reason}`);
    }
  }
});

function buildPolicyTreeHasFifo(): boolean {
  return spawnSync('which', ['mkfifo']).status === 0;
}

test("`openConfined()` refuses a file opened while another folder stood in the root's place", async () => {
  const parent = makeTree({ 'docs/plan.md': 'public\n', 'other/plan.md': 'TOPSECRET\n' });
  const { config: cfg, root: docs } = await loadRoot(host, join(parent, 'docs'));
  let swapped = false;
  const swapping: typeof host = { // someone who can rename entries of the root's parent, between resolve and open
    ...host,
    openRead: async (p) => {
      if (!swapped) {
        swapped = true;
        renameSync(join(parent, 'docs'), join(parent, 'docs.old'));
        renameSync(join(parent, 'other'), join(parent, 'docs'));
      }
      return host.openRead(p);
    },
  };
  const c = confinementFor(swapping, cfg);
  const path = await resolvePath(c, docs, 'plan.md'); // the real root, before the swap
  await assert.rejects(openConfined(c, path), (e: unknown) => e instanceof Failure && e.reason === 'swapped');
});
