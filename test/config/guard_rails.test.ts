// Start-up guard rails (src/config/guard_rails.ts) on real files and modes: a config or audit-log location
// other users (or its group: an ACL naming another user shows as group write) can write is refused in production and
// warned about in development, a config is judged as read and must still be there, a sticky config folder is fine, a log that does not exist yet is judged by the nearest folder
// that does, a log inside a root is a warning, and a log others can read is a warning. Every folder above the config,
// each root (as configured and as resolved) and the log is judged too, and each location's owner must be root or you.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chmodSync,
  chownSync,
  existsSync,
  lchownSync,
  mkdirSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { checkLocations, checkOpenLog } from '../../src/config/guard_rails.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import type { Host } from '../../src/runtime/host.ts';
import type { Root } from '../../src/policy/resolver.ts';
import { type Json, partsFor } from '../helpers/in_process.ts';

async function findings(settings: Json, modes: (base: string, config: string) => void = () => undefined) {
  const p = await partsFor({ 'a.md': 'a' }, settings);
  const source = p.config.source;
  assert.ok(source);
  modes(dirname(source), source);
  return { p, base: dirname(source), found: await checkLocations(p.host, await reload(p.host, source)) };
}
/** The config loaded again: the config file is judged by what the descriptor that read it said. */
const reload = (host: Host, configPath: string) => loadConfig(host, { configPath, rootArgs: [], logPath: null });
const levels = (f: readonly { level: string }[]) => f.map((x) => x.level);

test('safe locations give no finding', async () => {
  assert.deepEqual((await findings({ mode: 'production' })).found, []);
});

test('a config file others can write: refused in production with the fix, warned in development', async () => {
  const prod = await findings({ mode: 'production' }, (_, config) => chmodSync(config, 0o646));
  assert.deepEqual(levels(prod.found), ['refuse']);
  assert.match(
    prod.found[0]?.message ?? '',
    /^the config file ".*config.json" is writable by other users \(mode 0646\): .*; fix: chmod o-w/,
  );
  const dev = await findings({ mode: 'development' }, (_, config) => chmodSync(config, 0o646));
  assert.deepEqual(levels(dev.found), ['warn']);
});

// Outside attack (sbe17): an ACL entry `user:3101:rw-` shows as `-rw-rw-r--+`, group write being its mask; warned as
// "its group" only, it let another user rewrite a production config. Node and Deno cannot read ACLs: chmod g+w is
// what the code sees of it (setting a real ACL needs root).
test('group write (perhaps an ACL naming another user) is refused in production; a sticky config folder is accepted', async () => {
  for (const [mode, level] of [['production', 'refuse'], ['development', 'warn']]) {
    const group = await findings({ mode }, (_, config) => chmodSync(config, 0o664));
    assert.deepEqual(levels(group.found), [level]);
    assert.match(
      group.found[0]?.message ?? '',
      /^the config file ".*" is writable by its group or by a user an ACL names \(group bits show an ACL's mask; docwarden cannot read ACLs\) \(mode 0664\): they could change what is served; fix: chmod g-w ".*config.json"$/,
    );
  }
  for (const at of ['the config folder', 'the audit log folder']) { // the log's folder and the config's are one here
    const folder = await findings({ mode: 'production' }, (base) => chmodSync(base, 0o775));
    assert.ok(
      folder.found.some((f) =>
        f.level === 'refuse' && f.message.startsWith(`${at} "${folder.base}" is writable by its group`)
      ),
    );
  }
  const p = await partsFor({ 'a.md': 'a' }, { mode: 'production' });
  const deep = join(dirname(p.config.source ?? ''), 'g', 'logs');
  mkdirSync(deep, { recursive: true });
  chmodSync(dirname(deep), 0o770); // a folder above the log's folder: a rename there swaps the log's folder
  const above = await checkLocations(p.host, {
    ...p.config,
    audit: { ...p.config.audit, path: join(deep, 'a.jsonl') },
  });
  const acl = "(group bits show an ACL's mask; docwarden cannot read ACLs) (mode 0770)";
  assert.deepEqual(above.map((f) => `${f.level}: ${f.message}`), [
    `refuse: a folder above the audit log "${
      dirname(deep)
    }" is writable by its group or by a user an ACL names ${acl}: ` +
    `they could swap the audit log folder for their own; fix: chmod g-w "${dirname(deep)}"`,
  ]);
  chmodSync(dirname(deep), 0o1770); // sticky: unchanged, others cannot rename what they do not own
  assert.deepEqual(
    await checkLocations(p.host, { ...p.config, audit: { ...p.config.audit, path: join(deep, 'a.jsonl') } }),
    [],
  );
  const sticky = await findings({ mode: 'production' }, (base) => chmodSync(base, 0o1777));
  assert.deepEqual(
    sticky.found.map((f) => f.message.replace(/"[^"]*"/g, 'X')),
    ['the audit log folder X is writable by other users (mode 01777): anyone could replace, pre-create or remove the audit log; fix: chmod o-w X'],
    "the sticky bit protects the config, not the log's name",
  );
});

test('a log to be created is judged by the nearest existing folder; a log inside a root is a warning', async () => {
  const p = await partsFor({ 'a.md': 'a' }, { mode: 'production' });
  const open = join(dirname(p.config.source ?? ''), 'open');
  mkdirSync(open, { mode: 0o777 });
  chmodSync(open, 0o777);
  const later = { ...p.config, audit: { ...p.config.audit, path: join(open, 'not', 'yet', 'audit.jsonl') } };
  const found = await checkLocations(p.host, later);
  assert.deepEqual(levels(found), ['refuse']);
  assert.match(found[0]?.message ?? '', /^the folder that will hold the audit log folder ".*\/open"/);
  const inside = { ...p.config, audit: { ...p.config.audit, path: join(p.dir, 'audit.jsonl') } };
  const warned = await checkLocations(p.host, inside);
  assert.match(warned.map((f) => f.message).join('\n'), /is inside root "docs": a client could read it/);
  mkdirSync(join(p.dir, '..logs')); // a subfolder whose name starts with "..", not the parent folder
  const dotted = { ...p.config, audit: { ...p.config.audit, path: join(p.dir, '..logs', 'audit.jsonl') } };
  const dottedWarned = await checkLocations(p.host, dotted);
  assert.match(dottedWarned.map((f) => f.message).join('\n'), /is inside root "docs"/);
  assert.deepEqual(
    await checkLocations(p.host, { ...p.config, source: null, audit: { ...p.config.audit, path: 'stderr' } }),
    [],
  );
});

// A dangling link as the log's folder: `check` judged the folder beyond it as the nearest existing one and passed,
// while the server could not create the log there and stopped (outside attack, low): they now agree.
test('a link to nothing where the audit log folder should be is refused in both modes', async () => {
  for (const mode of ['production', 'development']) {
    const p = await partsFor({ 'a.md': 'a' }, { mode });
    const base = dirname(p.config.source ?? '');
    symlinkSync(join(base, 'gone'), join(base, 'logs'));
    const log = { ...p.config, audit: { ...p.config.audit, path: join(base, 'logs', 'audit.jsonl') } };
    const found = await checkLocations(p.host, log);
    assert.deepEqual(levels(found), ['refuse'], mode);
    assert.match(found[0]?.message ?? '', /^the audit log folder ".*\/logs" is a symbolic link to nothing/);
  }
});

test("the open log: others' write or another user's file refused in production, others' read a warning", async () => {
  const { p } = await findings({ mode: 'production' });
  assert.deepEqual(checkOpenLog(p.config, { mode: 0o600, uid: 0 }, 0), []);
  assert.deepEqual(checkOpenLog(p.config, null, 0), [], 'logging to stderr');
  assert.deepEqual(levels(checkOpenLog(p.config, { mode: 0o602, uid: 0 }, 0)), ['refuse']);
  assert.match(
    checkOpenLog(p.config, { mode: 0o620, uid: 0 }, 0)[0]?.message ?? '',
    /^the audit log .* writable by its group or by a user an ACL/,
  );
  assert.deepEqual(
    levels(checkOpenLog(p.config, { mode: 0o620, uid: 0 }, 0)),
    ['refuse'],
    'group write may be an ACL naming another user',
  );
  assert.deepEqual(levels(checkOpenLog({ ...p.config, mode: 'development' }, { mode: 0o620, uid: 0 }, 0)), ['warn']);
  const read = checkOpenLog(p.config, { mode: 0o644, uid: 0 }, 0);
  assert.deepEqual(levels(read), ['warn']);
  assert.match(read[0]?.message ?? '', /readable by other users \(mode 0644\); .*fix: chmod 600/);
  assert.deepEqual(levels(checkOpenLog({ ...p.config, mode: 'development' }, { mode: 0o666, uid: 0 }, 0)), ['warn']);
  // Its owner, as opened (sbe18: the attacker's own 0600 file, reached through their link): root's or yours only.
  const theirs = checkOpenLog(p.config, { mode: 0o600, uid: 3102 }, 1000).map((f) => `${f.level}: ${f.message}`);
  assert.deepEqual(theirs.length, 1, theirs.join('\n'));
  assert.ok(theirs[0]?.startsWith(`refuse: the audit log "${p.config.audit.path}" is owned by uid 3102, another user`));
  assert.deepEqual(checkOpenLog(p.config, { mode: 0o600, uid: 1000 }, 1000), [], 'yours');
  assert.deepEqual(checkOpenLog(p.config, { mode: 0o600, uid: 0 }, 1000), [], "root's");
  assert.deepEqual(levels(checkOpenLog(p.config, { mode: 0o600, uid: 3102 }, null)), ['note'], 'the runtime hides you');
});

// Outside attack (sbe19): their link and their own folder swapped atomically (RENAME_EXCHANGE) under one name in
// sticky /tmp. The folder checks judged the name through the link (our folder) and marked it judged; the walk then
// met their folder there and skipped it as judged already: 7 of 60 production starts logged into it. The walk now
// judges what its own lstat saw. Made deterministic: the swap happens just before the walk's lstat of the name.
test('a folder swapped in for a link under the same name is judged as the walk sees it', async () => {
  const p = await partsFor({ 'a.md': 'a' }, { mode: 'production' });
  const base = dirname(p.config.source ?? ''), sticky = join(base, 'sticky'), link = join(sticky, 'x');
  mkdirSync(sticky);
  chmodSync(sticky, 0o1777);
  mkdirSync(join(base, 'logs'));
  symlinkSync(join(base, 'logs'), link);
  const swapping: Host = { // their folder, writable by everyone, takes the link's name for the walk
    ...p.host,
    lstat: (path) => (path === link && (rmSync(link), mkdirSync(link), chmodSync(link, 0o777)), p.host.lstat(path)),
  };
  const audit = { ...p.config.audit, path: join(link, 'a.jsonl') };
  const found = (await checkLocations(swapping, { ...p.config, audit })).map((f) => `${f.level}: ${f.message}`);
  assert.ok(
    found.includes(
      `refuse: a folder on the way "${link}" is writable by other users (mode 0777): anyone could ` +
        `swap what lies beyond it; fix: chmod o-w "${link}"`,
    ),
    found.join('\n'),
  );
});

// Outside attack (sbe18): their link in sticky /tmp pointed at our folder for the stat-based folder checks, was ABSENT
// when the path was walked (a missing name was nothing to judge), and pointed at theirs when the config was read, the
// root resolved or the log opened. Made deterministic here: the link goes just before the walk's lstat reaches it.
test('a link gone (or a file) when the walk reaches it: config and root refused, the log judged by /tmp', async () => {
  const p = await partsFor({ 'a.md': 'a' }, { mode: 'production' });
  const base = dirname(p.config.source ?? ''), sticky = join(base, 'sticky'), link = join(sticky, 'atklnk');
  mkdirSync(sticky);
  chmodSync(sticky, 0o1777);
  const vanishing: Host = { // what the attacker does between the folder checks and the walk
    ...p.host,
    lstat: (path) => (path === link && rmSync(link, { force: true }), p.host.lstat(path)),
  };
  const found = async (config: Config, host = vanishing) => {
    rmSync(link, { force: true });
    symlinkSync(base, link); // ours, pointing at our private folder: nothing to refuse itself
    return (await checkLocations(host, config)).map((f) => `${f.level}: ${f.message}`);
  };
  symlinkSync(base, link);
  const viaLink = await reload(p.host, join(link, 'config.json')); // read through the link, as it pointed then
  assert.deepEqual(await found(viaLink, p.host), [], 'the link present throughout: nothing');
  const gone = (what: string, path: string) => `refuse: ${what} "${path}" changed during the checks: "${link}" is gone`;
  assert.deepEqual(await found(viaLink), [gone('the config file', join(link, 'config.json'))]);
  const docs = join(link, 'docs'), roots = [{ ...(p.config.roots[0] as Root), configured: docs }];
  assert.deepEqual(await found({ ...p.config, roots }), [gone('root "docs"', docs)]);
  rmSync(link, { force: true }); // absent from the start: the folder checks see nothing to judge there, the walk does
  assert.deepEqual((await checkLocations(p.host, { ...p.config, roots })).map((f) => `${f.level}: ${f.message}`), [
    gone('root "docs"', docs),
  ]);
  // The log's missing names would be created in sticky/ (the server's mkdir -p made the attacker's name a folder):
  // held to the rules of the folder that will hold the log's folder, which sticky is not enough for.
  const audit = { ...p.config.audit, path: join(link, 'a.jsonl') };
  assert.deepEqual(await found({ ...p.config, audit }, p.host), [], 'the link present throughout: nothing');
  const holder = `refuse: the folder that will hold the audit log folder "${sticky}" is writable by other users ` +
    `(mode 01777): anyone could replace, pre-create or remove the audit log; fix: chmod o-w "${sticky}"`;
  assert.deepEqual(await found({ ...p.config, audit }), [holder]);
  // Their file in its place for the walk (a rename swaps link and file at once): not a folder, judged the same way.
  const swapped: Host = {
    ...p.host,
    lstat: (path) => (path === link && (rmSync(link), writeFileSync(link, '')), p.host.lstat(path)),
  };
  const file = gone('the config file', join(link, 'config.json')).replace(/is gone$/, 'is not a folder');
  assert.deepEqual(await found(viaLink, swapped), [file]);
  assert.deepEqual(await found({ ...p.config, audit }, swapped), [holder]);
});

test('a folder above a root that others can write is refused in production (a root swapped during a read); sticky is fine', async () => {
  const p = await partsFor({ 'a.md': 'a' }, { mode: 'production' });
  const [grand, parent] = [join(p.dir, 'g'), join(p.dir, 'g', 'p')]; // all inside the test's own folder
  mkdirSync(join(parent, 'docs'), { recursive: true });
  const config = { ...p.config, roots: [{ ...(p.config.roots[0] as Root), path: join(parent, 'docs') }] };
  const aboutRoot = async () => (await checkLocations(p.host, config)).filter((f) => f.message.includes('root "docs"'));
  assert.deepEqual(await aboutRoot(), []);
  chmodSync(parent, 0o777);
  const found = await aboutRoot();
  assert.deepEqual(levels(found), ['refuse']);
  assert.match(
    found[0]?.message ?? '',
    /^a folder above root "docs" .*\/g\/p" is writable by other users .*swap the root/,
  );
  chmodSync(parent, 0o1777);
  assert.deepEqual(await aboutRoot(), [], 'a sticky folder (like /tmp) lets no one rename the root');
  chmodSync(parent, 0o755);
  chmodSync(grand, 0o777); // any folder above: whoever renames `p` in it swaps the root with it
  assert.deepEqual(levels(await aboutRoot()), ['refuse']);
  chmodSync(grand, 0o755);
});

// Outside attack (sbe12): oplogs 0700 in a world-writable, non-sticky `shared`. The attacker renames oplogs away and
// puts a new one there whose audit.jsonl is a symlink to the operator's ~/.bashrc: the records (client-chosen query
// text) would be appended to it. Every folder above the log is judged now, not only the nearest one.
test('a world-writable folder anywhere above the audit log is refused (its folder could be swapped); sticky is fine', async () => {
  const p = await partsFor({ 'a.md': 'a' }, { mode: 'production' });
  const shared = join(dirname(p.config.source ?? ''), 'shared'), oplogs = join(shared, 'oplogs');
  mkdirSync(oplogs, { recursive: true, mode: 0o700 });
  const config = { ...p.config, audit: { ...p.config.audit, path: join(oplogs, 'audit.jsonl') } };
  chmodSync(shared, 0o777);
  const found = await checkLocations(p.host, config);
  assert.deepEqual(
    found.map((f) => `${f.level}: ${f.message}`),
    [`refuse: a folder above the audit log "${shared}" is writable by other users (mode 0777): anyone could swap the audit log folder for their own; fix: chmod o-w "${shared}"`],
  );
  assert.deepEqual(
    levels(await checkLocations(p.host, { ...config, mode: 'development' })),
    ['warn'],
  );
  chmodSync(shared, 0o1777); // like /tmp: no one renames a folder they do not own
  assert.deepEqual(await checkLocations(p.host, config), []);
  chmodSync(shared, 0o755);
});

// The same rename one level up swaps the whole config folder: a config with no deny list, no redaction, no consent.
test('a world-writable folder anywhere above the config file is refused', async () => {
  const p = await partsFor({ 'a.md': 'a' }, { mode: 'production' });
  const shared = join(p.dir, '..', 'shared'), conf = join(shared, 'conf'), source = join(conf, 'config.json');
  mkdirSync(conf, { recursive: true, mode: 0o755 });
  writeFileSync(source, '{}');
  const config = { ...p.config, source, sourceStat: await p.host.lstat(source) }; // as if read from there
  assert.deepEqual(await checkLocations(p.host, config), []);
  chmodSync(shared, 0o777);
  const found = await checkLocations(p.host, config);
  assert.deepEqual(
    found.map((f) => `${f.level}: ${f.message}`),
    [`refuse: a folder above the config file "${shared}" is writable by other users (mode 0777): anyone could change what is served; fix: chmod o-w "${shared}"`],
  );
  chmodSync(shared, 0o755);
});

// Mode 0755 but owned by another user: its owner renames entries at will. Tests run as root here, so uid 3102 (no
// such user needed) stands for "someone else"; the chown stays inside the test's own folder.
const AS_ROOT = { skip: process.getuid?.() === 0 ? false : 'giving a folder to another uid (chown) needs root' };

test(
  "a root, config or log location, or a folder above one, owned by another user is refused; yours or root's is fine",
  AS_ROOT,
  async () => {
    const p = await partsFor({ 'a.md': 'a' }, { mode: 'production' });
    const base = dirname(p.config.source ?? '');
    const me = p.host.uid();
    assert.equal(typeof me, 'number', 'Node tells the user it runs as');
    const owned = async (path: string, host = p.host, mode = p.config.mode) => {
      chownSync(path, 3102, 3102);
      try { // loaded again: the config file is judged as read
        const config = { ...await reload(host, p.config.source ?? ''), mode };
        return (await checkLocations(host, config)).map((f) => `${f.level}: ${f.message}`);
      } finally {
        chownSync(path, me ?? 0, me ?? 0);
      }
    };
    assert.deepEqual(await checkLocations(p.host, p.config), []);
    const fix = (path: string) => `fix: chown ${me} "${path}" (as root), or move it where only you and root own it`;
    // the folder holding the root, the config and the log: named once for each rule (sticky accepted or not)
    const above = await owned(base);
    assert.equal(above.length, 2, above.join('\n'));
    for (const what of ['the config folder', 'the audit log folder']) {
      const line = above.find((l) => l.startsWith(`refuse: ${what} "${base}" is owned by uid 3102, another user`));
      assert.ok(line?.includes(fix(base)), `${what}:\n${above.join('\n')}`);
    }
    const places: [string, string][] = [[p.config.source ?? '', 'the config file'], [p.dir, 'root "docs"'], [
      p.config.audit.path,
      'the audit log',
    ]];
    for (const [path, what] of places) {
      const found = await owned(path);
      assert.deepEqual(found.map((l) => l.slice(0, l.indexOf(':'))), ['refuse'], found.join('\n'));
      assert.ok(
        found[0]?.startsWith(`refuse: ${what} "${path}" is owned by uid 3102, another user (you are uid ${me})`),
      );
    }
    assert.deepEqual((await owned(base, p.host, 'development')).map((l) => l.slice(0, 5)), [
      'warn:',
      'warn:',
    ]);
    // Run as uid 3102 (what the host says), the same folder is that user's own: nothing to refuse.
    assert.deepEqual(await owned(base, { ...p.host, uid: () => 3102 }), []);
    // A sandbox that hides the user (Deno without --allow-sys) cannot compare: a note, as for folders it cannot read.
    const hidden = await owned(base, { ...p.host, uid: () => null });
    assert.ok(
      hidden.length > 0 && hidden.every((l) => l.startsWith('note: ') && l.includes('not compared with yours')),
      hidden.join('\n'),
    );
  },
);

// A root configured as a symlink in a shared folder: renaming the link swaps the root, whatever its real path.
test('a world-writable folder holding a root given as a symlink is refused, as are the folders above its real path', async () => {
  const p = await partsFor({ 'a.md': 'a' }, { mode: 'production' });
  const shared = join(p.dir, '..', 'shared'), link = join(shared, 'docs-link');
  mkdirSync(shared);
  symlinkSync(p.dir, link);
  const config = { ...p.config, roots: [{ ...(p.config.roots[0] as Root), configured: link }] };
  assert.deepEqual(await checkLocations(p.host, config), []);
  chmodSync(shared, 0o777);
  assert.deepEqual(
    (await checkLocations(p.host, config)).map((f) => `${f.level}: ${f.message}`),
    [`refuse: a folder above root "docs" "${shared}" is writable by other users (mode 0777): anyone could swap the root for another folder; fix: chmod o-w "${shared}"`],
  );
  chmodSync(shared, 0o755);
});

// Outside attack (sbe13): a link the attacker owns in a sticky folder (/tmp/oplogs -> the operator's log folder) passed
// every folder check, which looked through it; its owner then repointed it while the server ran and took the records.
test(
  'a symbolic link on the way to the config, a root or the log, owned by another user, is refused, even two hops in',
  AS_ROOT,
  async () => {
    const p = await partsFor({ 'a.md': 'a' }, { mode: 'production' });
    const base = dirname(p.config.source ?? '');
    const sticky = join(base, 'sticky'), hop = join(base, 'hop');
    mkdirSync(sticky, { mode: 0o1777 });
    chmodSync(sticky, 0o1777);
    mkdirSync(hop);
    const theirs = (link: string, target: string) => (symlinkSync(target, link), lchownSync(link, 3102, 3102), link);
    const mine = (link: string, target: string) => (symlinkSync(target, link), link);
    const cfgLink = theirs(join(sticky, 'opcfg'), base);
    const logLink = mine(join(sticky, 'oplogs'), theirs(join(hop, 'logs'), base)); // ours, but through theirs
    const rootLink = theirs(join(sticky, 'docs'), p.dir);
    const config = {
      ...p.config,
      source: join(cfgLink, 'config.json'),
      audit: { ...p.config.audit, path: join(logLink, 'a.jsonl') },
      roots: [{ ...(p.config.roots[0] as Root), configured: rootLink }],
    };
    const found = (await checkLocations(p.host, config)).map((f) => `${f.level}: ${f.message}`);
    for (const link of [cfgLink, join(hop, 'logs'), rootLink]) {
      const line = `refuse: a symbolic link on the way "${link}" is owned by uid 3102, another user`;
      assert.ok(found.some((l) => l.startsWith(line) && l.includes('they could repoint it')), found.join('\n'));
    }
    assert.ok(!found.some((l) => l.includes(`"${logLink}" is owned`)), 'our own link is fine');
    assert.deepEqual(await checkLocations(p.host, p.config), [], 'the same places, named without links: nothing');
  },
);

// Outside attack (sbe14): our link `view -> sticky/opdir`, and in it our `logs -> ../shared`: the kernel reads `..`
// from sticky/ (where opdir really is), reaching the attacker's sticky/shared; read as text it named nothing at all.
test(
  'a relative link target is read from the folder that really holds the link; a link loop is refused as one',
  AS_ROOT,
  async () => {
    const p = await partsFor({ 'a.md': 'a' }, { mode: 'production' });
    const base = dirname(p.config.source ?? '');
    const sticky = join(base, 'sticky'), opdir = join(sticky, 'opdir');
    mkdirSync(opdir, { recursive: true });
    chmodSync(sticky, 0o1777);
    symlinkSync(base, join(sticky, 'shared'));
    lchownSync(join(sticky, 'shared'), 3102, 3102); // the attacker's, planted first
    symlinkSync('../shared', join(opdir, 'logs'));
    symlinkSync(opdir, join(base, 'view'));
    const log = join(base, 'view', 'logs', 'a.jsonl');
    const found = await checkLocations(p.host, { ...p.config, audit: { ...p.config.audit, path: log } });
    const line = `refuse: a symbolic link on the way "${join(sticky, 'shared')}" is owned by uid 3102`;
    assert.ok(found.some((f) => `${f.level}: ${f.message}`.startsWith(line)), JSON.stringify(found, null, 1));
    symlinkSync(join(base, 'loopB'), join(base, 'loopA'));
    symlinkSync(join(base, 'loopA'), join(base, 'loopB'));
    const loop = join(base, 'loopA', 'a.jsonl');
    const looped = await checkLocations(p.host, { ...p.config, audit: { ...p.config.audit, path: loop } });
    assert.ok(
      looped.some((f) => f.level === 'refuse' && f.message.includes('is a loop of symbolic links')),
      JSON.stringify(looped, null, 1),
    );
  },
);

// Outside attack (sbe15): `cdir -> ../att/hop/..` reaches the operator's folder only through the attacker's `hop`,
// which a text resolution of `..` never looked at; and a link held in a folder the attacker owns, or others may write,
// was judged by its own owner only. The path is now walked as the kernel walks it, every folder on the way judged.
test(
  'the path is walked as the kernel walks it: `..` after a link, and the folders that hold links, are judged',
  AS_ROOT,
  async () => {
    const p = await partsFor({ 'a.md': 'a' }, { mode: 'production' });
    const base = dirname(p.config.source ?? ''), att = join(base, 'att');
    mkdirSync(att);
    chownSync(att, 3102, 3102);
    symlinkSync(p.dir, join(att, 'hop'));
    lchownSync(join(att, 'hop'), 3102, 3102);
    symlinkSync('att/hop/..', join(base, 'cdir')); // the kernel: base/att/hop -> docs, then .. -> base
    const viaDotDot = { ...p.config, source: join(base, 'cdir', 'config.json') };
    const found = (await checkLocations(p.host, viaDotDot)).map((f) => `${f.level}: ${f.message}`);
    for (
      const start of [
        `refuse: a symbolic link on the way "${join(att, 'hop')}" is owned by uid 3102`,
        `refuse: a folder on the way "${att}" is owned by uid 3102`,
      ]
    ) {
      assert.ok(found.some((l) => l.startsWith(start)), `${start}\n${found.join('\n')}`);
    }
    const share = join(base, 'share');
    mkdirSync(share);
    chmodSync(share, 0o777); // others may rename our link in it
    symlinkSync(base, join(share, 'L'));
    symlinkSync(join(share, 'L'), join(base, 'M'));
    const viaShared = { ...p.config, audit: { ...p.config.audit, path: join(base, 'M', 'audit.jsonl') } };
    const shared = (await checkLocations(p.host, viaShared)).map((f) => `${f.level}: ${f.message}`);
    const line = `refuse: a folder on the way "${share}" is writable by other users (mode 0777)`;
    assert.ok(shared.some((l) => l.startsWith(line)), shared.join('\n'));
  },
);

// Outside attack (sbe16): a root's own check compares its owner only; marked as judged, the walk then skipped it as
// a folder on the way, so a world-writable root that the config's path runs through (op/l1 -> r/l2 -> ../cfg) passed.
test(
  'a folder judged only by its owner (a root) is still judged by its mode when another path runs through it',
  async () => {
    const p = await partsFor({ 'a.md': 'a' }, { mode: 'production' });
    const base = dirname(p.config.source ?? '');
    symlinkSync('..', join(p.dir, 'l2')); // base/l1 -> docs/l2 -> .. : the config's folder, through the root
    symlinkSync('docs/l2', join(base, 'l1'));
    chmodSync(p.dir, 0o777);
    try {
      const through = { ...p.config, source: join(base, 'l1', 'config.json') };
      const found = (await checkLocations(p.host, through)).map((f) => `${f.level}: ${f.message}`);
      const line = `refuse: a folder on the way "${p.dir}" is writable by other users (mode 0777)`;
      assert.ok(found.some((l) => l.startsWith(line)), found.join('\n'));
    } finally {
      chmodSync(p.dir, 0o755);
    }
  },
);

// Outside attack (sbe17): the config was read first and judged later by its path. Another user's folder in a sticky
// folder, there for the read and removed before the checks, left nothing to judge: 13 of 40 production starts served
// their config (no deny list, hidden files) with no warning. Here the swap happens between the real loadConfig and
// the real checkLocations, with no timing: before the fix the first check found nothing. Their config may as well
// say "development": what only a swap explains is refused in either mode.
test('a config that disappeared or was replaced after it was read is refused, whatever mode it says', async () => {
  const p = await partsFor({ 'a.md': 'a' }, { mode: 'production' });
  const sticky = join(dirname(p.config.source ?? ''), 'sticky'), opcfg = join(sticky, 'opcfg');
  const source = join(opcfg, 'config.json'), log = { path: p.config.audit.path };
  const write = (path: string, more: Json) =>
    writeFileSync(path, JSON.stringify({ roots: [{ name: 'docs', path: p.dir }], audit: log, ...more }));
  mkdirSync(sticky);
  chmodSync(sticky, 0o1777);
  const asRoot = process.getuid?.() === 0;
  const gone = (path: string) =>
    `refuse: the config file "${path}" changed or disappeared after it was read: start again, with every ` +
    'folder above it owned by you or root and writable by no one else';
  for (const mode of ['production', 'development']) {
    mkdirSync(opcfg);
    write(source, { mode, files: { defaultDeny: false, hidden: true } });
    if (asRoot) [opcfg, source].forEach((path) => chownSync(path, 3101, 3101)); // the attacker's (uid 3101)
    const theirs = await reload(p.host, source);
    rmSync(opcfg, { recursive: true }); // gone before the checks run
    const found = (await checkLocations(p.host, theirs)).map((f) => `${f.level}: ${f.message}`);
    const owner = ' is owned by uid 3101,';
    assert.deepEqual(found.map((l) => l.includes(owner) ? l.slice(0, l.indexOf(owner) + owner.length) : l), [
      ...asRoot ? [`refuse: the config file "${source}" is owned by uid 3101,`] : [], // the file read, by its descriptor
      gone(source),
    ]);
  }
  // The operator's own config, replaced by another file (a rename over it) or its folder swapped: the same refusal.
  const mine = p.config.source ?? '';
  for (
    const swap of [() => renameSync(join(opcfg, 'x'), mine), () => renameSync(dirname(mine), `${dirname(mine)}.old`)]
  ) {
    for (const mode of ['production', 'development']) {
      write(mine, { mode });
      const config = await reload(p.host, mine);
      mkdirSync(opcfg, { recursive: true });
      writeFileSync(join(opcfg, 'x'), '{}');
      swap();
      const next = (await checkLocations(p.host, config)).filter((f) => f.message.includes('after it was read'));
      assert.deepEqual(next.map((f) => `${f.level}: ${f.message}`), [gone(mine)]);
      if (!existsSync(mine)) renameSync(`${dirname(mine)}.old`, dirname(mine));
    }
  }
  write(mine, { mode: 'production' });
  assert.deepEqual(await checkLocations(p.host, await reload(p.host, mine)), [], 'unchanged: nothing to say');
});
