// `docwarden launch` and `docwarden check` run the server's start-up guard rails (src/config/guard_rails.ts)
// through the real bundle, on real folders whose modes this test sets inside its OWN temp folder. Under the
// printed line the server cannot read the modes of the folders above its roots, config and log, so it could only
// note them: `launch`, run by the operator unsandboxed, refuses (exit 2, no line) what production refuses, and
// in development warns and still prints (docs/security.md, "Start-up guard rails").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTree, tempDir } from '../helpers/fixtures.ts';
import { BUNDLE, DENO } from '../helpers/harness.ts';

function run(args: string[]) {
  const r = spawnSync(process.execPath, [BUNDLE, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

type Mode = 'production' | 'development';

/** base/g/p/docs is the root, base/conf/config.json the config, base/logs the audit log's folder (all 0700/0755). */
function fixture(mode: Mode) {
  const base = tempDir('dw-guards-');
  makeTree({ 'g/p/docs/a.md': '# A\n' }, base);
  mkdirSync(join(base, 'conf'), { mode: 0o755 });
  mkdirSync(join(base, 'logs'), { mode: 0o700 });
  const config = join(base, 'conf', 'config.json');
  const log = join(base, 'logs', 'audit.jsonl');
  writeFileSync(
    config,
    JSON.stringify({ mode, roots: [{ name: 'docs', path: join(base, 'g/p/docs') }], audit: { path: log } }),
  );
  chmodSync(config, 0o644);
  return { base, config, log, launch: () => run(['launch', '--config', config]) };
}

test('production: a world-writable folder above a root gets no launch line; the error names it and the fix', () => {
  const f = fixture('production');
  const fine = f.launch();
  assert.equal(fine.code, 0, fine.stderr);
  assert.ok(fine.stdout.includes(BUNDLE), fine.stdout);
  assert.doesNotMatch(fine.stderr, /warning|writable/);
  const grand = join(f.base, 'g');
  chmodSync(grand, 0o777); // not the parent: any folder above the root lets its owner-by-rename swap the root
  const refused = f.launch();
  assert.equal(refused.code, 2);
  assert.equal(refused.stdout, '', 'no line to paste');
  assert.ok(
    refused.stderr.startsWith('docwarden: Cannot print the launch line: production mode refuses this'),
    refused.stderr,
  );
  assert.ok(
    refused.stderr.includes(
      `a folder above root "docs" "${grand}" is writable by other users (mode 0777): ` +
        `anyone could swap the root for another folder; fix: chmod o-w "${grand}"`,
    ),
    refused.stderr,
  );
  chmodSync(grand, 0o1777); // sticky, like /tmp: no one renames what they do not own
  assert.equal(f.launch().code, 0, 'a sticky folder above the root is fine');
  chmodSync(grand, 0o755);
});

test('production: a world-writable config folder, audit-log folder or log file gets no line, each named', () => {
  const f = fixture('production');
  const conf = join(f.base, 'conf');
  chmodSync(conf, 0o777);
  const config = f.launch();
  assert.equal(config.code, 2);
  assert.ok(
    config.stderr.includes(`the config folder "${conf}" is writable by other users (mode 0777)`),
    config.stderr,
  );
  chmodSync(conf, 0o1777);
  assert.equal(f.launch().code, 0, 'a sticky config folder is fine (others cannot replace a file they do not own)');
  const logs = join(f.base, 'logs');
  chmodSync(logs, 0o1777); // sticky or not: anyone could create the log's name (or a symlink) first
  const log = f.launch();
  assert.equal(log.code, 2);
  assert.equal(log.stdout, '');
  assert.ok(log.stderr.includes(`the audit log folder "${logs}" is writable by other users (mode 01777)`), log.stderr);
  assert.match(log.stderr, /anyone could replace, pre-create or remove the audit log; fix: chmod o-w/);
  chmodSync(logs, 0o700);
  writeFileSync(f.log, '');
  chmodSync(f.log, 0o602);
  const file = f.launch();
  assert.equal(file.code, 2);
  assert.ok(file.stderr.includes(`the audit log "${f.log}" is writable by other users (mode 0602)`), file.stderr);
  chmodSync(f.log, 0o600);
  assert.equal(f.launch().code, 0);
});

// Outside attack (sbe17): `user:3101:rw-` in an ACL shows as group write (the mask), which launch only warned about
// while printing its line; the attacker then rewrote the config and deleted the log history. Refused like others' write.
test('production: a group-writable config, config folder, log folder or log file gets no line; development warns', () => {
  const f = fixture('production');
  writeFileSync(f.log, '');
  chmodSync(f.log, 0o600);
  assert.equal(f.launch().code, 0);
  const places: [string, number, string][] = [
    [f.config, 0o664, 'the config file'],
    [join(f.base, 'conf'), 0o775, 'the config folder'],
    [join(f.base, 'logs'), 0o770, 'the audit log folder'],
    [f.log, 0o620, 'the audit log'],
  ];
  for (const [path, mode, what] of places) {
    const before = statSync(path).mode & 0o7777;
    chmodSync(path, mode);
    const r = f.launch();
    assert.equal(r.code, 2, `${what}: ${r.stderr}`);
    assert.equal(r.stdout, '', 'no launch line');
    const said =
      `${what} "${path}" is writable by its group or by a user an ACL names (group bits show an ACL's mask; ` +
      `docwarden cannot read ACLs) (mode 0${mode.toString(8)})`;
    assert.ok(r.stderr.includes(said) && r.stderr.includes(`fix: chmod g-w "${path}"`), r.stderr);
    chmodSync(path, before);
  }
  const d = fixture('development');
  chmodSync(d.config, 0o664);
  const dev = run(['launch', '--config', d.config]);
  assert.equal(dev.code, 0, dev.stderr);
  assert.match(dev.stderr, /the config file .* is writable by its group or by a user an ACL names/);
  assert.notEqual(dev.stdout, '', 'the line is still printed');
});

test('production: a log whose folder is missing, in a shared sticky folder: the mkdir it says to run is the fix', () => {
  const f = fixture('production');
  const shared = join(f.base, 'shared'); // stands for /tmp, inside this test's own folder
  mkdirSync(shared);
  chmodSync(shared, 0o1777);
  const log = join(shared, 'dw', 'audit.jsonl');
  writeFileSync(
    f.config,
    JSON.stringify({ roots: [{ name: 'docs', path: join(f.base, 'g/p/docs') }], audit: { path: log } }),
  );
  const r = f.launch();
  assert.equal(r.code, 2);
  assert.ok(r.stderr.includes(`the folder that will hold the audit log folder "${shared}" is writable`), r.stderr);
  const mkdir = `mkdir -p -m 700 ${join(shared, 'dw')}`;
  assert.ok(r.stderr.includes(`or create the audit log's folder first, writable by you only: ${mkdir}`), r.stderr);
  mkdirSync(join(shared, 'dw'), { mode: 0o700 }); // what it says
  const fixed = f.launch();
  assert.equal(fixed.code, 0, fixed.stderr);
  chmodSync(shared, 0o755);
});

test('development: the same findings are warnings on stderr and the line is still printed', () => {
  const f = fixture('development');
  const grand = join(f.base, 'g');
  chmodSync(grand, 0o777);
  const r = f.launch();
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.includes(BUNDLE), r.stdout);
  assert.ok(
    r.stderr.includes(`docwarden launch: warning: a folder above root "docs" "${grand}" is writable by other users`),
    r.stderr,
  );
  chmodSync(grand, 0o755);
});

test('`check` reports the same guard rails and says that production refuses', () => {
  const f = fixture('production');
  const clean = run(['check', '--config', f.config]);
  assert.equal(clean.code, 0, clean.stderr);
  assert.match(clean.stdout, /\nstart-up guard rails: nothing to fix\n/);
  const parent = join(f.base, 'g', 'p');
  chmodSync(parent, 0o777);
  const r = run(['check', '--config', f.config]);
  assert.equal(r.code, 0, 'a report: the config is valid');
  assert.ok(
    r.stdout.includes(
      `start-up guard rails:\n  refuse: a folder above root "docs" "${parent}" is writable by other users (mode 0777)`,
    ),
    r.stdout,
  );
  assert.match(
    r.stdout,
    /\n {2}the server refuses to start and `docwarden launch` prints no line \(production mode\)\n/,
  );
  chmodSync(parent, 0o755);
});

// Why `launch` must check: the server started by the printed line cannot read the mode of a folder outside its
// grants, so the same swap-prone layout that `launch` now refuses only earns a `note` in the server's audit log.
test('under the printed Deno line the server itself only notes the folder it cannot check; launch refuses it', {
  skip: existsSync(DENO) ? false : 'no Deno in test/runtimes: npm test installs it',
}, () => {
  const f = fixture('production');
  const printed = run(['launch', '--config', f.config, '--runtime', 'deno', '--command', DENO]);
  assert.equal(printed.code, 0, printed.stderr);
  const words = spawnSync('sh', ['-c', `set -- ${printed.stdout.trim()}; printf '%s\\0' "$@"`], { encoding: 'utf8' });
  const [command = '', ...args] = words.stdout.split('\0').slice(0, -1);
  assert.equal(command, DENO);
  const grand = join(f.base, 'g');
  chmodSync(grand, 0o777);
  const served = spawnSync(command, args, { input: '', encoding: 'utf8', timeout: 60_000 });
  assert.equal(served.status, 0, `the locked-down server starts: it cannot see the mode\n${served.stderr}`);
  const guard = readFileSync(f.log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
    .find((r: { event?: string }) => r.event === 'guard') as { detail: string[] } | undefined;
  assert.ok(
    guard?.detail.includes(
      `note: a folder above root "docs" "${grand}" was not checked: no permission to read its metadata (sandboxed)`,
    ),
    JSON.stringify(guard),
  );
  const refused = run(['launch', '--config', f.config, '--runtime', 'deno', '--command', DENO]);
  assert.equal(refused.code, 2);
  assert.ok(refused.stderr.includes(`"${grand}" is writable by other users (mode 0777)`), refused.stderr);
  chmodSync(grand, 0o755);
});

// Outside attack (sbe12): oplogs 0700 inside a world-writable `shared`; renaming oplogs away and planting one whose
// audit.jsonl links to ~/.bashrc sent the records there. And a 0755 folder owned by another user lets that user do
// the same. `launch` (unsandboxed) now refuses both, naming the folder, the problem and the fix; `check` says so.
const AS_ROOT = process.getuid?.() === 0 ? false : 'giving a folder to another uid (chown) needs root';

test('production: a shared folder above the audit log, or a folder owned by another user, gets no line', {
  skip: AS_ROOT,
}, () => {
  const f = fixture('production');
  const shared = join(f.base, 'shared'), oplogs = join(shared, 'oplogs');
  mkdirSync(oplogs, { recursive: true, mode: 0o700 });
  const config = { mode: 'production', roots: [{ name: 'docs', path: join(f.base, 'g/p/docs') }] };
  writeFileSync(f.config, JSON.stringify({ ...config, audit: { path: join(oplogs, 'audit.jsonl') } }));
  assert.equal(f.launch().code, 0);
  chmodSync(shared, 0o777);
  const r = f.launch();
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.ok(
    r.stderr.includes(
      `a folder above the audit log "${shared}" is writable by other users (mode 0777): anyone could swap the audit ` +
        `log folder for their own; fix: chmod o-w "${shared}"`,
    ),
    r.stderr,
  );
  chmodSync(shared, 0o755);
  const g = join(f.base, 'g');
  chownSync(g, 3102, 3102); // "another user" (tests run as root here), inside this test's own folder
  const owned = f.launch();
  assert.equal(owned.code, 2);
  const me = process.getuid?.();
  assert.ok(
    owned.stderr.includes(
      `a folder above root "docs" "${g}" is owned by uid 3102, another user (you are uid ${me}): they could swap the ` +
        `root for another folder; fix: chown ${me} "${g}" (as root)`,
    ),
    owned.stderr,
  );
  const checked = run(['check', '--config', f.config]);
  assert.ok(checked.stdout.includes(`refuse: a folder above root "docs" "${g}" is owned by uid 3102`), checked.stdout);
  chownSync(g, me ?? 0, me ?? 0);
  assert.equal(f.launch().code, 0);
});

// Outside attack (sbe12): a name that is not valid UTF-8 reaches the program with U+FFFD for the bad byte, which
// names another folder (created here as the attacker would). The server and launch both refuse, naming the problem.
test('a --root whose name is not valid UTF-8 is refused by the server and by launch', () => {
  const base = tempDir('dw-guards-');
  mkdirSync(Buffer.from(`${base}/docs\xff`, 'latin1'));
  makeTree({ 'docs\uFFFD/secret.md': '# not yours\n' }, base);
  for (const words of ['', 'launch']) {
    const line = `exec "$0" "$1" ${words} --root "$2$(printf '\\377')"`;
    const r = spawnSync('sh', ['-c', line, process.execPath, BUNDLE, join(base, 'docs')], {
      input: '',
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(r.status, 2, `${words}: ${r.stderr}`);
    assert.match(r.stderr, /^docwarden: Cannot use root "[^"]*docs\uFFFD": it contains U\+FFFD/, words);
    assert.equal(r.stdout, '');
  }
});

// Deno's printed line denies --allow-sys, which Deno needs to say which user it runs as: a root owned by another user
// is only a `note` for that server (it cannot compare), and `launch`, unsandboxed, refuses it.
test('under the printed Deno line a root owned by another user is noted, not compared; launch refuses it', {
  skip: existsSync(DENO) ? AS_ROOT : 'no Deno in test/runtimes: npm test installs it',
}, () => {
  const f = fixture('production');
  const printed = run(['launch', '--config', f.config, '--runtime', 'deno', '--command', DENO]);
  assert.equal(printed.code, 0, printed.stderr);
  const words = spawnSync('sh', ['-c', `set -- ${printed.stdout.trim()}; printf '%s\\0' "$@"`], { encoding: 'utf8' });
  const [command = '', ...args] = words.stdout.split('\0').slice(0, -1);
  const docs = join(f.base, 'g/p/docs');
  chownSync(docs, 3102, 3102);
  const served = spawnSync(command, args, { input: '', encoding: 'utf8', timeout: 60_000 });
  assert.equal(served.status, 0, served.stderr);
  const guard = readFileSync(f.log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
    .find((r: { event?: string }) => r.event === 'guard') as { detail: string[] } | undefined;
  assert.ok(
    guard?.detail.includes(
      `note: root "docs" "${docs}" is owned by uid 3102, not compared with yours (the runtime hides it)`,
    ),
    JSON.stringify(guard),
  );
  const refused = run(['launch', '--config', f.config, '--runtime', 'deno', '--command', DENO]);
  assert.equal(refused.code, 2);
  assert.ok(refused.stderr.includes(`root "docs" "${docs}" is owned by uid 3102, another user`), refused.stderr);
  chownSync(docs, process.getuid?.() ?? 0, process.getgid?.() ?? 0);
});

// The server judges the log it opened by its owner too (sbe18: the attacker's own 0600 file reached through their
// link); launch, which opens nothing, judges the file at the path by the same rules, and names it once.
test('production: an audit log owned by another user gets no line, named once', { skip: AS_ROOT }, () => {
  const f = fixture('production');
  writeFileSync(f.log, '', { mode: 0o600 });
  assert.equal(f.launch().code, 0, 'ours: fine');
  chownSync(f.log, 3102, 3102);
  const r = f.launch();
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  const line = `the audit log "${f.log}" is owned by uid 3102, another user (you are uid ${process.getuid?.()})`;
  assert.equal(r.stderr.split(line).length - 1, 1, r.stderr);
});
