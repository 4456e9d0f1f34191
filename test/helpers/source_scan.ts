// Reads the TypeScript sources for the architecture tests: lists src/ files and blanks out comments
// (keeping strings and line structure) so rules about code are not tripped by prose, and vice versa.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

export const REPO = resolve('.');
export const SRC = join(REPO, 'src');

export type SourceFile = { readonly rel: string; readonly abs: string; readonly text: string; readonly code: string };

export function listSources(dir = SRC): SourceFile[] {
  const out: SourceFile[] = [];
  for (const name of readdirSync(dir).sort()) {
    const abs = join(dir, name);
    if (statSync(abs).isDirectory()) out.push(...listSources(abs));
    else if (name.endsWith('.ts')) {
      const text = readFileSync(abs, 'utf8');
      out.push({ rel: relative(REPO, abs).split('\\').join('/'), abs, text, code: stripComments(text) });
    }
  }
  return out;
}

const REGEX_BEFORE = new Set([...'(,=:[!&|?{};+-*%<>~^', '']);

/** Replaces comments with spaces (newlines kept). Understands strings, templates and regex literals. */
export function stripComments(src: string): string {
  let out = '';
  let i = 0;
  let lastSignificant = '';
  const n = src.length;
  while (i < n) {
    const c = src[i] as string;
    const next = src[i + 1];
    if (c === '/' && next === '/') {
      while (i < n && src[i] !== '\n') {
        out += ' ';
        i++;
      }
      continue;
    }
    if (c === '/' && next === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end === -1 ? n : end + 2;
      for (; i < stop; i++) out += src[i] === '\n' ? '\n' : ' ';
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < n && src[j] !== c) {
        if (src[j] === '\\') j++;
        else if (c !== '`' && src[j] === '\n') break;
        j++;
      }
      out += src.slice(i, j + 1);
      i = j + 1;
      lastSignificant = c;
      continue;
    }
    if (c === '/' && REGEX_BEFORE.has(lastSignificant) && !/[\w)\]$]/.test(lastSignificant)) {
      let j = i + 1;
      let inClass = false;
      while (j < n && src[j] !== '\n') {
        const d = src[j];
        if (d === '\\') j++;
        else if (d === '[') inClass = true;
        else if (d === ']') inClass = false;
        else if (d === '/' && !inClass) break;
        j++;
      }
      out += src.slice(i, j + 1);
      i = j + 1;
      lastSignificant = '/';
      continue;
    }
    out += c;
    if (!/\s/.test(c)) lastSignificant = /[\w$]/.test(c) ? 'w' : c;
    i++;
  }
  return out;
}

/** Every module specifier a file imports or re-exports (static and dynamic with a literal). */
export function importSpecifiers(code: string): string[] {
  const specs: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^;'"`]*?\bfrom\s*(['"])([^'"]+)\1/g,
    /^\s*import\s*(['"])([^'"]+)\1/gm, // a side-effect import starts its line ('--deny-import' is no import)
    /\bimport\s*\(\s*(['"])([^'"]+)\1/g,
    /\brequire\s*\(\s*(['"])([^'"]+)\1/g,
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) specs.push(m[2] as string);
  return specs;
}
