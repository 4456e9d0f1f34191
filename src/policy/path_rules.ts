// Step 2 of the path-resolution algorithm (docs/security.md, "Path resolution"): checks a request string
// before any syscall. Rejects, never repairs. The same segment rules decide what listings show, so that
// everything listed is readable and nothing unreadable is ever listed.
import { compileGlob, type Glob } from './glob.ts';

export type PathRules = {
  readonly extensions: ReadonlySet<string>;
  readonly hidden: boolean;
  /** Deny globs without "/": checked against every path segment. */
  readonly segmentDeny: readonly Glob[];
  /** Deny globs with "/": checked against the whole root-relative path. */
  readonly pathDeny: readonly Glob[];
};

export const MAX_PATH_CHARS = 1024;
export const MAX_SEGMENTS = 64;
export const MAX_SEGMENT_CHARS = 255;

// C0, DEL, C1, soft hyphen, U+2028/9, bidi controls, zero-width characters, BOM, the "other format"
// class and the TAG characters U+E0000-E007F (invisible text that models read: "ASCII smuggling").
const FORBIDDEN_CHARS = new RegExp('[\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u2028\\u2029\\u200b-\\u200f' +
  '\\u202a-\\u202e\\u2060-\\u2069\\ufeff\\u061c\\ufff9-\\ufffb\\u{e0000}-\\u{e007f}]', 'u');
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;
// A Windows 8.3 short name ("SECRE~1.MD") opens the long-named file it abbreviates, past its rules.
const SHORT_NAME = /^[^.~]{1,6}~[0-9][^.]{0,6}(\.[^.]{1,3})?$/;

/**
 * A name as a case-insensitive file system may see it (APFS, NTFS, ext4 casefold): NFKC plus full case folding,
 * which `toLowerCase` is not: "ſ" folds to "s", "ß" to "ss", "ﬁ" to "fi". Upper- then lower-casing to a fixed point
 * folds every such character (and a few more, like dotless "ı" to "i": a wider match only denies or asks more).
 * Final "ς" folds to "σ" as full case folding does (lower-casing picks by what follows: `κωδικός*` missed it).
 */
export function foldName(name: string): string {
  if (/^[\x00-\x7f]*$/.test(name)) return name.toLowerCase();
  let folded = name.normalize('NFKC');
  for (let i = 0; i < 4; i++) {
    const next = folded.toUpperCase().toLowerCase().normalize('NFKC');
    if (next === folded) break;
    folded = next;
  }
  return folded.replaceAll('ς', 'σ');
}

/** What a rule is matched against: the whole fold and, where it differs, a fold character by character in which
 * one that folds to several (ß, ﬁ, ½, İ) is ONE character no literal equals (U+FFFF), as `?` and `[…]` read it. */
export const folds = (text: string): string[] => /^[\x00-\x7f]*$/.test(text) ? [text.toLowerCase()] // ASCII: same
  : [...new Set([foldName(text), [...text].map((c) => foldChar(c)).join('')])];
const CHAR_FOLDS = new Map<string, string>(); // names repeat few characters: the first 20,000 met are kept (< 2 MB)
function foldChar(c: string): string { // a CJK name folded twice as slowly (9 µs more) without the map
  const f = CHAR_FOLDS.get(c) ?? ([...foldName(c)].length === 1 ? foldName(c) : '\uffff');
  if (CHAR_FOLDS.size < 20000) CHAR_FOLDS.set(c, f);
  return f;
}
/** Each fold of a root-relative path cut at every folder: "a/b/c" gives "a", "a/b", "a/b/c" (the last: all of it). */
export const pathFolds = (p: string) => folds(p).map((f) => [...f.matchAll(/\/|$/g)].map((m) => f.slice(0, m.index)));

/** A rule's "//", "/./" and a trailing "/." read as "/", as a path would (deny and consent rules alike), and so does
 * a character that folds to "/" (`plans／**`): no listed name holds one. Other characters are folded by the glob. */
export const sameFolder = (rule: string): string => rule.replace(/[^\x00-\x7f]/gu, (c) => (foldName(c).includes('/') ?
  foldName(c) : c)).replace(/\/(\.?\/)+|(?<=.)\/\.$/g, '/');

/** The glob one files.deny rule stands for: `./x` is `/x` (anchored at the root), a trailing "/" names the folder. */
export const denyGlob = (rule: string): string => sameFolder(rule).replace(/^(\.\/)+/, '/').replace(/(.)\/+$/, '$1');
export const foldedGlob = (p: string) => compileGlob(p, { fold: foldName }); // glob syntax is read as written

export function createPathRules(extensions: readonly string[], given: readonly string[], hidden: boolean): PathRules {
  const deny = given.map(denyGlob);
  return {
    extensions: new Set(extensions.map((e) => e.toLowerCase())), hidden,
    segmentDeny: deny.filter((p) => !p.includes('/')).map(foldedGlob),
    pathDeny: deny.filter((p) => p.includes('/')).map(foldedGlob),
  };
}

/** A problem with the path string itself: safe to tell the client, it reveals nothing about the disk. */
export type PathProblem = { readonly problem: string };

/** Validates a root-relative request path and returns its NFC segments, or a problem. "" means the root. */
export function splitRequestPath(raw: string): readonly string[] | PathProblem {
  if (raw.length > MAX_PATH_CHARS) return { problem: `path is longer than ${MAX_PATH_CHARS} characters` };
  if (raw === '' || raw === '.' || raw === '/') return [];
  if (FORBIDDEN_CHARS.test(raw)) return { problem: 'path contains a control, invisible or bidi character' };
  if (raw.includes('\\')) return { problem: 'path must use "/" as separator, not "\\"' };
  if (raw.includes(':')) return { problem: 'path must be root-relative: no ":", URLs or drive letters' };
  if (raw.includes('%')) return { problem: 'path must not be URL-encoded ("%")' };
  if (/^[/~]/.test(raw)) return { problem: 'path must be relative to the root (no leading "/" or "~")' };
  const nfc = raw.normalize('NFC');
  const segments = nfc.split('/');
  if (segments.length > MAX_SEGMENTS) return { problem: `path has more than ${MAX_SEGMENTS} segments` };
  for (const s of segments) {
    if (s === '') return { problem: 'path has an empty segment (double or trailing "/")' };
    if (s === '.' || s === '..') return { problem: 'path must not contain "." or ".." segments' };
    if (s.length > MAX_SEGMENT_CHARS) {
      return { problem: `a path segment is longer than ${MAX_SEGMENT_CHARS} characters` };
    }
    if (s.endsWith('.') || s.endsWith(' ')) return { problem: 'a path segment must not end in "." or a space' };
    if (WINDOWS_RESERVED.test(s)) return { problem: 'a path segment is a reserved device name' };
    if (SHORT_NAME.test(s)) return { problem: 'a path segment looks like a Windows short name ("NAME~1.EXT")' };
  }
  return segments;
}

export const isPathProblem = (v: readonly string[] | PathProblem): v is PathProblem => !Array.isArray(v);

/** Names a listing may show and a read may open. Never explains why a name is refused. */
export function segmentAllowed(rules: PathRules, name: string): boolean {
  if (name.length === 0 || name.length > MAX_SEGMENT_CHARS || name === '.' || name === '..') return false;
  if (FORBIDDEN_CHARS.test(name) || name.includes('\\') || name.includes(':') || name.includes('%')) return false;
  if (name.endsWith('.') || name.endsWith(' ') || WINDOWS_RESERVED.test(name) || SHORT_NAME.test(name)) return false;
  if (name.normalize('NFC') !== name) return false; // an NFD name could not be requested exactly
  if (!rules.hidden && name.startsWith('.')) return false;
  const all = folds(name); // a fold holding "/" ("／", "℅"): a rule would see only the part after it (outside attack)
  return !all[0]?.includes('/') && all.every((f) => !rules.segmentDeny.some((m) => m.matches(f)));
}

// Whole-path deny rules (patterns with "/") are checked against the relative path and each folder above it: a rule
// naming a folder (`docs/internal`) hides what is in it, as a segment rule (`.git`) does (outside attack). A rule that
// denies every entry of a `folder` (`dir/**`, `dir/**/*`, `dir/*`, `{dir/**,x}`) hides it too: its name, and links in.
export function relPathAllowed(rules: PathRules, rel: string, folder = false): boolean {
  if (rel.length > MAX_PATH_CHARS) return false; // no request can name it: listed, it was unreadable (and memory)
  if (rules.pathDeny.length === 0) return true; // the defaults have none; the walk asks for every entry, twice
  return !pathFolds(rel).some((ps) => ps.some((p, i) => rules.pathDeny.some((m) => m.matches(p, folder &&
    i === ps.length - 1))));
}

/** Lower-cased extension of a name (or a path's last segment) without the dot; '' for none or a dotfile. */
export function extensionOf(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot + 1).toLowerCase();
}

export const extensionAllowed = (rules: PathRules, name: string): boolean => rules.extensions.has(extensionOf(name));
