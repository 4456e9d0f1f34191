// The hostile case table of test/security/attack_suite.test.ts: every attack family of docs/security.md,
// "Attack families" spelled many ways (family x spelling), to be sent through every entry point that takes a
// path. Spellings name their target in the world of hostile_fixture.ts and what a safe server must do.
import {
  CONTROL_NAMES,
  type HostileWorld,
  LOOKALIKE_CYRILLIC,
  NFC_NAME,
  NFD_NAME,
  NFD_ONLY,
} from './hostile_fixture.ts';

export type ConfigName = 'deny' | 'within';
export type Family = 'containment' | 'secrets' | 'links' | 'exhaustion' | 'output' | 'legit';

/** What the request names: a root (default "docs") and a root-relative path string, sent as is. */
export type Target = { readonly root?: string; readonly path: string };

/**
 * refused: every entry point refuses; generic: also answers exactly like a missing file.
 * served: answered as `path` of `root` with the text of the legitimate document `content`.
 */
export type Outcome =
  | { readonly kind: 'refused'; readonly generic: boolean }
  | { readonly kind: 'served'; readonly root: string; readonly path: string; readonly content: string };

export type Spelling = {
  readonly family: Family;
  readonly target: Target;
  readonly outcome: (cfg: ConfigName) => Outcome;
};

const refused = (): Outcome => ({ kind: 'refused', generic: false });
const hidden = (): Outcome => ({ kind: 'refused', generic: true });
const served = (path: string, root = 'docs') => (): Outcome => ({ kind: 'served', root, path, content: path });
const servedWithin = (path: string, content: string) =>
(
  cfg: ConfigName,
): Outcome => (cfg === 'within' ? { kind: 'served', root: 'docs', path, content } : { kind: 'refused', generic: true });

// Ways to say "go up one folder": every one must be refused, none repaired or decoded.
export const UP = [
  '../',
  '..\\',
  '..%2f',
  '..%2F',
  '%2e%2e/',
  '%2e%2e%2f',
  '%2E%2E%2F',
  '%252e%252e%252f',
  '..%252f',
  '%c0%ae%c0%ae/',
  '%c0%ae%c0%ae%c0%af',
  '%e0%80%ae%e0%80%ae/',
  '..%c0%af',
  '..%255c',
  '\uff0e\uff0e\uff0f',
  '\uff0e\uff0e/',
  '..\uff0f',
  '\u2024\u2024/',
  '..\u2215',
  '..\u2044',
  '\ufe52\ufe52/',
  '....//',
  '.../',
  '..;/',
  '..\u0000/',
  '.\u0000./',
  '..\u200b/',
  '\u202e../',
  ' ../',
  '.. /',
  '..//',
  'a/../../',
  'guide/../../',
  'nonexistent/../../',
  './../',
  'guide/./../../',
  'sub/../sub/../../',
  '..\u00a0/',
  '\u2025/',
];

/** Canary targets one level above the root: outside, the `<root>-private` sibling, the parent, /etc-style. */
const ABOVE = [
  'outside/canary.md',
  'docs-private/secret.md',
  'secret.md',
  'etc/passwd.md',
  'docs-private/a.md',
  'a.md',
];

function containment(w: HostileWorld): string[] {
  const out: string[] = [];
  UP.forEach((up, i) => {
    out.push(up + (ABOVE[i % ABOVE.length] as string), up + (ABOVE[(i + 1) % ABOVE.length] as string));
  });
  out.push(
    `${w.base}/outside/canary.md`,
    `${w.base}/docs-private/secret.md`,
    `${w.root}/../outside/canary.md`,
    `${w.root}/.env`,
    `${w.root}/a.md`,
    `${w.sibling}/a.md`,
    `${w.etc}/passwd`,
    '/etc/passwd',
    '//etc/passwd',
    '/proc/self/environ',
    '/dev/zero',
    '~/.ssh/id_rsa',
    '~',
    '~root/.profile',
    '~/../../etc/passwd',
    'file:///etc/passwd',
    `file://${w.base}/outside/canary.md`,
    `file:${w.base}/secret.md`,
    'file://localhost/etc/passwd',
    'C:\\Windows\\win.ini',
    'C:/x.md',
    'c:x.md',
    'C:..\\secret.md',
    '\\\\server\\share\\x.md',
    '\\\\?\\C:\\x.md',
    '//server/share/x.md',
    'a.md::$DATA',
    'a.md:stream.md',
    'a.md:$DATA',
    'a.md\u0000',
    'a.md\u0000.txt',
    '../secret.md\u0000a.md',
    'a.md%00',
    '../docs-private',
    '../docs',
    '../docs/a.md',
    '../docs-private/../docs/a.md',
    '..',
    './a.md',
    'a.md.',
    'a.md ',
    'a.md/',
    'guide//x.md',
    '/a.md',
    'guide/x.md/.',
    'CON.md',
    'nul',
    'aux.md',
    'com1.md',
    'LPT1',
    `${'x/'.repeat(70)}a.md`,
    `${'a'.repeat(1100)}.md`,
    `${'x'.repeat(300)}.md`,
    'docs-private/secret.md',
    'outside/canary.md',
    '...',
    '.../outside/canary.md',
    '..../secret.md',
  );
  return out;
}

/** Secret names inside the root, spelled as they are (generic refusal) and spelled to dodge the rules. */
export const SECRET_NAMES = [
  '.env',
  '.env.local',
  '.env.md',
  '.ENV',
  '.Env',
  '.git/config',
  '.git/notes.md',
  '.GIT/notes.md',
  'sub/.git/config',
  '.git',
  'id_rsa',
  'ID_RSA',
  'id_rsa.md',
  'server.pem',
  'Server.PEM',
  'private.key',
  'tls/cert.pem',
  '.npmrc',
  '.NPMRC',
  '.netrc',
  'credentials.json',
  'credentials.md',
  'CREDENTIALS.MD',
  'secrets/plan.md',
  'secrets',
  'secret.md',
  '.hidden.md',
  '.ssh/notes.md',
  'image.png',
  'notes.exe',
  'hard-env.md',
  'env-alias.md',
  'env-alias-abs.md',
  'git-alias/notes.md',
  'plan-alias.md',
  'env-reentry.md',
  '.\u0435nv',
  'sub/.git',
  '.env.production.md',
];
const SECRET_DODGES = [
  './.env',
  'sub/../.env',
  '.env/',
  '.env.',
  '.env ',
  '.en\u200bv',
  '%2eenv',
  '.env%00.md',
  '.env\u0000.md',
  '.git/./config',
  'guide/../.env',
  '.git//config',
  '\uff0eenv',
  '.env\\',
  'sub\\..\\.env',
];

/** Links out of the root (refused with the generic message), and two that stay inside it. */
export const LINKS = [
  'link-abs.md',
  'link-rel.md',
  'link-sib.md',
  'link-parent.md',
  'link-dir/canary.md',
  'link-dir/sub/deep.md',
  'link-dir',
  'link-dir-rel/canary.md',
  'link-etc/passwd.md',
  'link-sys-etc/passwd',
  'link-sys-etc/hostname.txt',
  'passwd.md',
  'proc-self/environ',
  'proc-self/cwd/a.md',
  'proc-self/root/etc/passwd',
  'environ.md',
  'dev-zero.md',
  'sub/urandom.md',
  'dangling.md',
  'loop.md',
  'loop-a.md',
  'loopdir/a.md',
  'loopdir',
  'hard-out.md',
  'pipe.md',
  'sub/pipe2.md',
];

/** Every spelling of the table, with its family and expected outcome. */
export function pathSpellings(w: HostileWorld): Spelling[] {
  const s: Spelling[] = [];
  const add = (family: Family, outcome: Spelling['outcome'], ...paths: string[]) => {
    for (const path of paths) s.push({ family, target: { path }, outcome });
  };
  add('containment', refused, ...containment(w));
  add('secrets', hidden, ...SECRET_NAMES);
  add('secrets', refused, ...SECRET_DODGES);
  add('links', hidden, ...LINKS);
  add('links', servedWithin('ok-alias.md', 'a.md'), 'ok-alias.md');
  add('links', servedWithin('guide-alias/x.md', 'guide/x.md'), 'guide-alias/x.md');
  add('output', refused, ...CONTROL_NAMES, 'bell\\u0007.md', 'esc\\u001b[31mred.md');
  add('output', served('ansi.md'), 'ansi.md');
  add('output', served('inject.md'), 'inject.md');
  add('legit', served('a.md'), 'a.md');
  add('legit', served('guide/x.md'), 'guide/x.md');
  add('legit', served('sub/ok.md'), 'sub/ok.md');
  add('legit', served('readme.md'), 'readme.md');
  add('legit', served(LOOKALIKE_CYRILLIC), LOOKALIKE_CYRILLIC);
  add('legit', served(NFC_NAME), NFC_NAME, NFD_NAME);
  add('legit', hidden, NFD_ONLY, NFD_ONLY.normalize('NFC'), '\uff52eadme.md', 'README.md', 're\u0430dme.md');
  add('exhaustion', served('long.md'), 'long.md');
  add('exhaustion', refused, `${'x/'.repeat(64)}a.md`, `a/${'b'.repeat(256)}.md`);
  for (const path of ['big.md'])
    s.push({ family: 'exhaustion', target: { root: 'bulk', path }, outcome: served(path, 'bulk') });
  for (const path of ['sparse.md', 'pipe.md', 'data.bin'])
    s.push({ family: 'exhaustion', target: { root: 'bulk', path }, outcome: refused });
  // Root-name variants of the sibling and of the root itself are unknown roots.
  for (
    const root of [
      'docs-private',
      'docs ',
      'docs"',
      "docs'",
      'Docs',
      'docs/',
      '../docs',
      'docs/..',
      'docs\u0000',
      'DOCS',
      'docs%20',
      'bulk/..',
      'outside',
      'etc',
    ]
  ) {
    s.push({ family: 'containment', target: { root, path: 'secret.md' }, outcome: refused });
    s.push({ family: 'containment', target: { root, path: 'a.md' }, outcome: refused });
  }
  return s;
}

/** Globs for find_docs and search_docs: whatever they say, they match only visible documents. */
export function hostileGlobs(w: HostileWorld): string[] {
  return [
    '**/.env*',
    '**/*',
    '**',
    '*',
    '.*',
    '**/.*',
    '**/.git/**',
    '.git/*',
    '{.env,a.md}',
    '[.]env',
    '[.]*',
    '**/id_rsa*',
    '**/*.pem',
    '**/*.key',
    'link-dir/**',
    'link-*/**',
    '**/passwd*',
    '../**',
    '../*',
    '/**',
    '/etc/*',
    '**/../**',
    '*/../*',
    '{..,.}/**',
    `${w.base}/**`,
    `${w.outside}/*`,
    '**/*{canary,secret}*',
    'proc-self/**',
    '**/pipe*',
    '**/*.exe',
    '**/*.png',
    '\\.env',
    '**/*.[mM][dD]',
    '**/*loop*',
    '**/*alias*',
    'loopdir/**',
    '**/hard*',
    '**/*environ*',
    '**/dev-zero*',
    '**/.npmrc',
    '**/credentials*',
    'secrets/**',
    '.ssh/**',
    '**/*\u001b*',
    '**/*\u0007*',
    `{${'{a,'.repeat(40)}b${'}'.repeat(40)}}`,
    `${'*'.repeat(200)}.md`,
    `${'**/'.repeat(60)}*.md`,
    '[!a]*',
    '**/[^.]*',
    '~/**',
    'C:/**',
    'file:///**',
  ];
}

/** resources/read URIs that no spelling of a path covers. */
export function hostileUris(w: HostileWorld): string[] {
  return [
    'docs://docs-private/secret.md',
    'docs://docs/../docs-private/secret.md',
    'docs://docs/%2e%2e/docs-private/secret.md',
    'docs://docs/..%2fdocs-private%2fsecret.md',
    'docs://docs%2f..%2fdocs-private/secret.md',
    'docs://docs /a.md',
    'docs://docs"/a.md',
    'docs://Docs/a.md',
    'docs://docs//etc/passwd',
    'docs://docs/%2fetc%2fpasswd',
    'file:///etc/passwd',
    `file://${w.base}/outside/canary.md`,
    'docs:///etc/passwd',
    'docs://docs/a.md?../../secret.md',
    'docs://docs/a.md#/../../x',
    'docs://docs/%252e%252e/secret.md',
    'docs://docs/%c0%ae%c0%ae/secret.md',
    'docs://docs/.%65nv',
    'docs://docs/%2Eenv',
    'docs://docs/%2egit/config',
    'docs://docs/.env%00.md',
    'docs://user:pass@docs/a.md',
    'docs://docs@evil/a.md',
    'docs://docs:80/a.md',
    'DOCS://docs/a.md',
    'docs:/docs/a.md',
    'docs:docs/a.md',
    'docs://docs',
    'docs://docs/',
    'docs://docs/link-dir%2fcanary.md',
    'docs://docs/link%2ddir/canary.md',
    'docs://docs/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd',
    'docs://docs/\u2024\u2024/secret.md',
    'docs://docs/%EF%BC%8E%EF%BC%8E/secret.md',
    'docs://bulk/../docs/.env',
    'docs://docs/%',
    'docs://docs/%zz',
    'docs://docs/%ff%fe',
    `docs://docs/${'a/'.repeat(2100)}`,
  ];
}

/** completion/complete template URIs that are not this server's templates. */
export const HOSTILE_TEMPLATES = [
  'docs://docs-private/{+path}',
  'docs://docs/../{+path}',
  'docs://docs/{+path}/..',
  'file:///{+path}',
  'docs://{+path}',
  'docs://docs/{path}',
  'docs://docs /{+path}',
  'docs://outside/{+path}',
  'docs://__proto__/{+path}',
];

/** Method names that look like properties of an object table. */
export const PROTOTYPE_METHODS = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'prototype',
  '__defineGetter__',
  'tools/call/',
  'tools/CALL',
  'resources/read\u0000',
  '../tools/call',
  'tools/call/../resources/read',
  'Tools/call',
];
