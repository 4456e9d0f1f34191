// Tokenizer for the "words" search mode: Unicode words, identifier splitting, a light English stemmer.
// Keeps the resource-limit rule: tokens over 64 characters and blob-like runs are never indexed.

const MAX_TOKEN_LENGTH = 64;
// A run of letters/digits this long is a hash, a base64 blob or minified code, not words.
const MAX_WORD_LENGTH = 256;
const MAX_QUERY_TERMS = 32;

// `_` joins identifier parts ("worker_threads"); marks (\p{M}) keep combining accents inside a word.
const WORD = /[\p{L}\p{N}][\p{L}\p{M}\p{N}]*(?:_+[\p{L}\p{M}\p{N}]+)*/gu;
const SNAKE_PART = /[^_]+/g;
// camelCase / PascalCase parts: "XMLHttpRequest" -> XML, Http, Request; "parseJSON" -> parse, JSON.
const CAMEL_PART = /\p{Lu}+(?=\p{Lu}\p{Ll})|\p{Lu}*[^\p{Lu}]+|\p{Lu}+/gu;
const CAMEL_HINT = /[^\p{Lu}]\p{Lu}|\p{Lu}\p{Lu}\p{Ll}/u;

// Function words of English questions: they carry no topic ("how do I read a file" asks about reading files).
const STOP_WORDS: ReadonlySet<string> = new Set([
  'the a an of to in and or is are was be been it its this that these those how what which who when where why do does',
  'did i me my we our you your can could should would may might will shall for on with by from as at into about so if',
  'there their then than has have had were being he him his she her they them us am but because while all any both',
  'each every few more most other another some such no nor not own same too very just also again here get got let one',
  'ones many much several something anything everything nothing whether though although even still yet want way thing',
  'things ok okay please inside within without together across along around onto upon via',
].join(' ').split(' '));

// Words the suffix rules would mangle ("embed" is not a past tense, "alias" is not a plural).
const STEM_EXCEPTIONS: ReadonlyMap<string, string> = new Map([
  ['embed', 'embed'], ['during', 'during'], ['always', 'always'], ['news', 'news'], ['series', 'series'],
  ['alias', 'alias'], ['canvas', 'canvas'], ['atlas', 'atlas'], ['bias', 'bias'], ['using', 'use'], ['used', 'use'],
]);

const VOWEL = /[aeiouy]/;
const SHORT_CVC = /^[^aeiouy][aeiouy][^aeiouwxy]$/;
const DERIVED = /(?:ization|isation|ation|ition|tion|sion|ally|ness|ment|ity)$/;

// Words a reader uses for what documentation names otherwise ("folder" for directory, "delete" for remove): a
// query term also matches its alternates. Both are stemmed like query terms ("delete" -> "delet") so they meet.
// Only general synonyms and abbreviations any reader might write, never a word pair that serves one question.
const ALTERNATES: ReadonlyMap<string, readonly string[]> = new Map(([
  ['folder', ['directory']], ['directory', ['folder']], ['delete', ['remove', 'rm']], ['remove', ['delete']],
  ['erase', ['remove', 'delete']], ['sleep', ['wait', 'delay']], ['join', ['concat']], ['concatenate', ['concat']],
  ['decompress', ['inflate', 'unzip', 'uncompress']], ['compress', ['deflate', 'zip']], ['extension', ['ext']],
  ['fake', ['mock']], ['cap', ['limit', 'max']], ['argument', ['arg']], ['parameter', ['param', 'arg']],
  ['setting', ['option']],
] as const).map(([word, others]) => [stem(word), others.map(stem)]));

/** A stemmed query term and the words it also matches. */
export function alternatesOf(term: string): readonly string[] {
  return [term, ...(ALTERNATES.get(term) ?? [])];
}

/** Receives each token with the UTF-16 offset of its first character in the scanned text. */
export type TokenSink = (token: string, offset: number) => void;

/** Lowercased, stemmed tokens of `text` in reading order; identifiers also yield their compound form. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  forEachToken(text, (token) => void out.push(token));
  return out;
}

/** Distinct tokens of a query, first occurrence first, at most 32. */
export function queryTerms(query: string): string[] {
  const seen = new Set<string>();
  forEachToken(query, (token) => void (seen.size < MAX_QUERY_TERMS && seen.add(token)));
  return [...seen];
}

/** The scanner behind `tokenize`, with offsets, so snippets can report where a term starts. */
export function forEachToken(text: string, sink: TokenSink): void {
  for (const match of text.matchAll(WORD)) {
    const word = match[0];
    if (word.length <= MAX_WORD_LENGTH) emitWord(word, match.index, sink);
  }
}

function emitWord(word: string, offset: number, sink: TokenSink): void {
  // Fast path first: most words are plain lowercase words.
  const snake = word.includes('_');
  if (!snake && !CAMEL_HINT.test(word)) {
    emitPart(word, offset, sink);
    return;
  }
  const segments = snake ? piecesOf(word, SNAKE_PART) : [{ text: word, offset: 0 }];
  const single = segments.length === 1 ? segments[0] : undefined;
  // Compounds are identifiers: kept whole and unstemmed so "readFileSync" matches exactly.
  emitCompound(word, offset, sink);
  for (const segment of segments) {
    const parts = CAMEL_HINT.test(segment.text) ? piecesOf(segment.text, CAMEL_PART) : [];
    if (parts.length > 1) {
      if (single === undefined) emitCompound(segment.text, offset + segment.offset, sink);
      for (const part of parts) emitPart(part.text, offset + segment.offset + part.offset, sink);
    } else {
      emitPart(segment.text, offset + segment.offset, sink);
    }
  }
}

function emitCompound(text: string, offset: number, sink: TokenSink): void {
  if (text.length <= MAX_TOKEN_LENGTH) sink(text.toLowerCase(), offset);
}

function emitPart(text: string, offset: number, sink: TokenSink): void {
  if (text.length > MAX_TOKEN_LENGTH) return;
  const lower = text.toLowerCase();
  if (!STOP_WORDS.has(lower)) sink(stem(lower), offset);
}

type Piece = { readonly text: string; readonly offset: number };

/** The matches of `pattern` (never empty) in `text`, with their offsets. */
function piecesOf(text: string, pattern: RegExp): Piece[] {
  return [...text.matchAll(pattern)].map((m) => ({ text: m[0], offset: m.index }));
}

/** Light English stemming of ASCII words: plural, -ed, -ing and -ly, then Porter's derivational endings (shortened). */
export function stem(word: string): string {
  const base = inflection(word);
  const cut = DERIVED.exec(base); // "randomization" meets "randomize", "attachments" "attached"
  return cut && cut.index >= 5 ? base.slice(0, cut.index) : base;
}

function inflection(word: string): string {
  const exception = STEM_EXCEPTIONS.get(word);
  if (exception !== undefined) return exception;
  if (word.length < 4 || !/^[a-z]+$/.test(word)) return word;
  if (word.endsWith('ies') && word.length > 4) return `${word.slice(0, -3)}y`;
  if (/(?:x|zz|ch|sh)es$/.test(word)) return word.slice(0, -2);
  // "processes" -> "process", but "cases" -> "case": a stem under 4 letters kept its "e"
  if (word.endsWith('ses') && word.length >= 6) return word.slice(0, -2);
  if (word.endsWith('s')) {
    return /(?:ss|us|is)$/.test(word) ? word : dropFinalE(word.slice(0, -1));
  }
  if (word.endsWith('ied') && word.length > 4) return `${word.slice(0, -3)}y`;
  if (word.endsWith('ed') && !word.endsWith('eed')) return verbStem(word.slice(0, -2), word);
  if (word.endsWith('ing')) return verbStem(word.slice(0, -3), word);
  if (word.endsWith('ly')) {
    const base = word.slice(0, -2);
    // "directly" -> "direct", but not "apply", "assembly", "anomaly"
    return base.length >= 5 && /[^aeiouybp]$/.test(base) ? base : word;
  }
  return dropFinalE(word);
}

/** Undoes -ed/-ing so that it meets the bare form: "running" -> run, "making" -> make, "parsing" -> pars. */
function verbStem(base: string, word: string): string {
  if (base.length < 3 || !VOWEL.test(base)) return word;
  const last = base[base.length - 1] ?? '';
  if (base.length >= 4 && last === base[base.length - 2] && !'aeiouylsz'.includes(last)) return base.slice(0, -1);
  if (base.length === 3 && SHORT_CVC.test(base)) return `${base}e`;
  return base;
}

/** "parse" -> "pars" so it meets "parsing"; short words ("file", "code") keep their "e". */
function dropFinalE(word: string): string {
  return word.length >= 5 && /[^aeiouy]e$/.test(word) ? word.slice(0, -1) : word;
}
