// search_docs: find text across a root. `words` ranks sections by relevance (BM25F over heading, heading
// path, document path and body: src/search/word_rank.ts); `literal` and `regex` list matching lines in
// path order. Regexes run on a linear-time engine, so no pattern can hang the server; every search
// honours the deadline.
import { lineTable, type LineTable } from '../document/document.ts';
import { failure } from '../errors/failure.ts';
import { mediaTypeOf } from '../formats/media_type.ts';
import { narrowingAllowsPath, resolveIn } from '../policy/client_roots.ts';
import { lineMatcher, type Match } from '../search/line_matcher.ts';
import { createSlicer } from '../sched/slice.ts';
import { bestSnippets } from '../search/snippet.ts';
import { headingPathAt } from '../search/sections.ts';
import type { Heading } from '../formats/headings.ts';
import { alternatesOf, queryTerms } from '../search/tokenize.ts';
import { escapeControls, escapeName } from '../text/escape.ts';
import { array, boolean, integer, nullable, object, oneOf, string, type Infer } from '../validate/schema.ts';
import { encodeCursor } from '../validate/cursor.ts';
import {
  CURSOR_ARG, cursorOffset, defineTool, FOLDER_ARG, globArg, invalidArgument, limitArg, pickRoot, ROOT_ARG,
  type ToolContext,
} from './context.ts';
import type { CorpusEntry } from '../search/corpus.ts';
import { rankByWords, type RankInput, type RankSource } from '../search/word_rank.ts';

const SNIPPET_CHARS = 240;
const MAX_CONTEXT = 5;
const MODES = ['words', 'literal', 'regex'] as const;
const CONTEXT_LINE = string({ description: 'line', maxLength: 1024 });

const HIT = object({
  path: string({ description: 'Root-relative path', maxLength: 1024 }),
  line: integer({ description: 'Line (1-based)', minimum: 1, maximum: 1e9 }),
  column: integer({ description: 'Column of the match (1-based, UTF-16 units)', minimum: 1, maximum: 1e9 }),
  snippet: string({ description: 'The matching line, cut around the match', maxLength: 1024 }),
  heading: nullable(string({ description: 'Heading of the section holding the line', maxLength: 256 })),
  headingPath: array(string({ description: 'heading', maxLength: 256 }), {
    description: 'Headings from the outermost down to the section holding the line', maxItems: 8,
  }),
  score: nullable(integer({ description: 'Relevance x1000 (words mode)', minimum: 0, maximum: 1e12 })),
  before: array(CONTEXT_LINE, { description: 'Context lines before', maxItems: MAX_CONTEXT }),
  after: array(CONTEXT_LINE, { description: 'Context lines after', maxItems: MAX_CONTEXT }),
}, ['path', 'line', 'column', 'snippet', 'heading', 'headingPath', 'score', 'before', 'after']);

const OUTPUT = object({
  root: string({ description: 'Root searched', maxLength: 32 }),
  mode: oneOf(MODES, 'Search mode'),
  hits: array(HIT, { description: 'Hits, best or first first', maxItems: 1000 }),
  filesSearched: integer({ description: 'Files considered', minimum: 0, maximum: 1e9 }),
  nextCursor: nullable(string({ description: 'Pass as cursor for more hits', maxLength: 512 })),
  truncated: boolean('True when more hits exist than this page shows'),
  notSearched: string({ description: 'Which documents the search left out, when some need consent', maxLength: 256 }),
}, ['root', 'mode', 'hits', 'filesSearched', 'nextCursor', 'truncated']);

type Hit = Infer<typeof HIT>;

function cutAround(line: string, column: number, length: number): string {
  const clean = line.trimEnd();
  if (clean.length <= SNIPPET_CHARS) return escapeControls(clean.trimStart());
  const start = Math.max(0, Math.min(column - 1 - 80, clean.length - SNIPPET_CHARS));
  const piece = clean.slice(start, start + Math.max(SNIPPET_CHARS, Math.min(length, 400)));
  return escapeControls((start > 0 ? '…' : '') + piece + (start + piece.length < clean.length ? '…' : ''));
}

const AGAIN_BYTES = 1 << 20;

export function searchDocsTool(maxResults: number, defaultLimit: number) {
  return defineTool({
    name: 'search_docs',
    title: 'Search documents',
    description:
      'Search the documents of a root. mode "words" (default) ranks sections by relevance to a natural-language ' +
      'query (titles, headings and file names weigh most); "literal" finds an exact string; "regex" a regular ' +
      'expression (linear-time subset: no backreferences or lookaround). Narrow with path (a folder) or glob (e.g. ' +
      '"**/*.md"). Hits give path, line, column, snippet and the section\'s heading path; open them with read_doc ' +
      '(heading: ...).',
    input: object({
      query: string({ description: 'Words, a literal string or a regex, per mode', minLength: 1, maxLength: 1000 }),
      mode: oneOf(MODES, 'words (default), literal or regex'),
      root: ROOT_ARG,
      path: FOLDER_ARG,
      glob: string({ description: 'Only files whose path matches this glob', minLength: 1, maxLength: 256 }),
      caseSensitive: boolean('Match case exactly (default false)'),
      limit: limitArg(maxResults, defaultLimit),
      contextLines: integer({
        description: `Lines of context before and after each hit (default 0, max ${MAX_CONTEXT})`, minimum: 0,
        maximum: MAX_CONTEXT,
      }),
      cursor: CURSOR_ARG,
    }, ['query']),
    output: OUTPUT.json,
    async run(args, ctx: ToolContext) {
      const mode = args.mode ?? 'words';
      const caseSensitive = args.caseSensitive ?? false;
      const limit = args.limit ?? defaultLimit;
      const contextLines = args.contextLines ?? 0;
      const root = pickRoot(ctx, args.root);
      const folder = await resolveIn(ctx, root, args.path ?? '');
      const notFolder = 'Cannot search: path must be a folder; use glob to pick files';
      if (folder.kind !== 'dir') throw failure('not_a_directory', notFolder);
      const glob = args.glob === undefined ? null : globArg('glob', args.glob);
      const keyParts = [mode, args.query, root.name, folder.rel, args.glob ?? '', caseSensitive, contextLines];
      const queryKey = ctx.confinement.host.sha256Hex(JSON.stringify(keyParts)).slice(0, 32);
      const again = 'search; repeat the same arguments with the cursor';
      const skip = cursorOffset('search_docs', args.cursor, queryKey, again, 1_000_000);
      const wanted = skip + limit + 1;
      // The same limits as find_docs, so both share the root's snapshot.
      const limits = { maxDepth: ctx.limits.depth, maxVisited: ctx.limits.walkEntries, signal: ctx.signal };
      const corpusOptions = { confinement: ctx.confinement, root, ...limits };
      const prefix = folder.rel === '' ? '' : folder.rel + '/';
      // Documents that need the user's consent are left out HERE, where the set is chosen, before any
      // matching or ranking: nothing derived from their bytes (a hit, a total, a cursor, a term's
      // document frequency) can then reach a reply (docs/security.md, "Consent as information flow").
      const searchable = (f: CorpusEntry): boolean =>
        f.path.rel.startsWith(prefix) && !ctx.confirmPolicy.needs(f.path, f.size, f.links) &&
        narrowingAllowsPath(ctx.narrowing, root.name, f.path) && (glob === null || glob.matches(f.path.rel));
      const page = (more: boolean) => result(root.name, mode, hits, done,
        more ? encodeCursor('search_docs', { q: queryKey, o: skip + limit }) : null, ctx.confirmPolicy.active);
      const tooMany = () => failure('limit_reached', `Cannot finish: the search covers more than ` +
        `${ctx.limits.searchFiles} files (limits.searchFiles); narrow it with \`path\` or \`glob\``);
      // Every loop below whose length the client controls (files, lines, VM steps) yields through it.
      const slice = createSlicer(ctx.confinement.host, ctx.signal);
      let done = 0;
      const tick = (total: number | null): Promise<void> | undefined => { // a promise only when it yields
        if (++done % 64 === 0) {
          ctx.progress(done, total, total === null ? `Searched ${done} files` : `Searched ${done} of ${total} files`);
        }
        return slice.due() ? slice.pause() : undefined;
      };
      const hits: Hit[] = [];

      if (mode === 'words') {
        const files: CorpusEntry[] = []; // a hostile glob over 20,000 paths is seconds of work: sliced
        const take = (f: CorpusEntry) => void (searchable(f) && files.push(f));
        const listed = ctx.corpus.fresh(corpusOptions)?.files; // a fresh snapshot: an await only when the slice is up
        for (const f of listed ?? []) if ((take(f), slice.due())) await slice.pause(); // a glob may be costly per file
        if (!listed) await ctx.corpus.stream(corpusOptions, async (f) => (take(f), await slice.tick(), true));
        if (files.length > ctx.limits.searchFiles) throw tooMany();
        const terms = queryTerms(args.query);
        const noWords = '`query` has no searchable words (only stop words or symbols); try mode "literal"';
        if (terms.length === 0) throw invalidArgument(noWords);
        const byKey = new Map(files.map((f) => [f.path.rel, f]));
        const input = (f: CorpusEntry, text: string): RankInput => ({ key: f.path.rel, path: f.path.rel, text,
          memo: ctx.corpus.rankMemo(f, text), sections: () => ctx.corpus.sections(f, text, slice.tick) });
        // A cached text is ranked at once; another while its read is charged to the memory budget (its counts are
        // kept, not the text).
        const read = (f: CorpusEntry, visit: (input: RankInput) => Promise<void>, held = ctx.corpus.cached(f)) =>
          held !== null ? visit(input(f, held))
          : ctx.corpus.text(ctx.confinement, f, ctx.signal, slice.tick, (text) => visit(input(f, text)));
        const source: RankSource = {
          async each(visit) {
            for (const f of files) await read(f, visit);
          },
          async again(key, visit) {
            const f = byKey.get(key); // read again only when cached or small: a planted 60 MB text is not read twice
            if (f && (f.size <= AGAIN_BYTES || ctx.corpus.cached(f) !== null)) await read(f, visit);
          },
        };
        const ranked = await rankByWords(source, args.query, wanted,
          (file) => (file ? tick(files.length) : slice.pause()), slice.tick);
        for (const r of ranked.slice(skip, skip + limit)) {
          const f = byKey.get(r.key);
          const text = f ? await ctx.corpus.text(ctx.confinement, f, ctx.signal, slice.tick) : null;
          if (!f || text === null) continue;
          const { section } = r;
          const lines = await lineTable(text, slice.tick); // not kept: fifty hits may be fifty 4 M-line tables
          // The best line in the section (a view of it); the heading itself when only the heading names a term.
          const at = (k: number) => lines.at(section.line + k - 1);
          const within = { length: section.endLine - section.line + 1, at };
          const best = (await bestSnippets(within, terms.flatMap(alternatesOf), 1, slice.tick))[0];
          const line = section.line - 1 + (best?.line ?? 1);
          hits.push({
            path: r.key, line, column: best?.column ?? 1,
            snippet: best ? escapeControls(best.text) : cutAround(lines.at(line - 1), 1, 0),
            heading: section.title === null ? null : escapeControls(section.title),
            headingPath: [...section.path, ...(section.title === null ? [] : [section.title])].map(escapeControls),
            score: Math.round(r.score * 1000), ...context(lines, line, contextLines),
          });
        }
        return page(ranked.length > skip + limit);
      }

      const matcher = lineMatcher(mode, args.query, caseSensitive);
      let count = 0;
      let searched = 0;
      // Files are scanned as the walk finds them: a page that fills early ends the walk too.
      await ctx.corpus.stream(corpusOptions, async (f) => {
        await slice.tick();
        if (!searchable(f)) return true;
        if (++searched > ctx.limits.searchFiles) throw tooMany();
        await tick(null);
        // Matched, and its hits cut, while the memory charge of reading it is held (outside attack N7).
        await ctx.corpus.text(ctx.confinement, f, ctx.signal, slice.tick, async (text) => {
          const found: Match[] = [];
          await matcher(text, slice, (m) => ++count <= skip || (count <= skip + limit && found.push(m) > 0));
          if (found.length === 0) return;
          const lines = await lineTable(text, slice.tick); // a hit may sit in a file of 4 M lines
          const headings = await ctx.corpus.headings(f, text, slice.tick); // parsed once per file, not per hit
          for (const m of found) hits.push(lineHit(f.path.rel, lines, m, headings, contextLines));
        });
        return count <= skip + limit;
      });
      return page(count > skip + limit);
    },
  });
}

/** `n` context lines before and after `line` (1-based), each cut like a snippet. */
function context(lines: LineTable, line: number, n: number): Pick<Hit, 'before' | 'after'> {
  const around = (from: number, to: number): string[] => {
    const out: string[] = [];
    for (let k = Math.max(1, from); k <= Math.min(to, lines.length); k++) out.push(cutAround(lines.at(k - 1), 1, 0));
    return out;
  };
  return { before: around(line - n, line - 1), after: around(line + 1, line + n) };
}

function lineHit(path: string, lines: LineTable, m: Match, headings: readonly Heading[], contextLines: number): Hit {
  const line = lines.lineOf(m.index) + 1;
  const column = m.index - lines.start(line - 1) + 1;
  const headingPath = headingPathAt(headings, line).map(escapeControls);
  return {
    path, line, column, snippet: cutAround(lines.at(line - 1), column, m.length),
    heading: headingPath[headingPath.length - 1] ?? null,
    headingPath, score: null, ...context(lines, line, contextLines),
  };
}

/** Said whenever consent rules exist, whatever the query found: its presence depends on the config alone. */
export const CONSENT_SKIPPED = 'Documents that need the user\'s confirmation (confirm.paths, confirm.largerThan) ' +
  'are not searched; read_doc asks for it.';

function result(
  root: string, mode: string, hits: readonly Hit[], filesSearched: number, nextCursor: string | null, gated: boolean,
) {
  // grep -C style: context lines are `path-N-  text` around the hit's `path:N:col [section]  snippet`.
  const lines = hits.flatMap((h) => {
    const name = escapeName(h.path);
    const where = h.headingPath.length > 0 ? ` [${h.headingPath.map(escapeName).join(' > ')}]` : '';
    return [
      ...h.before.map((l, k) => `${name}-${h.line - h.before.length + k}-  ${l}`),
      `${name}:${h.line}:${h.column}${where}  ${h.snippet}`,
      ...h.after.map((l, k) => `${name}-${h.line + 1 + k}-  ${l}`),
    ];
  });
  const text = [
    `${hits.length} hit${hits.length === 1 ? '' : 's'} in ${root} (${mode}, ${filesSearched} files searched)`,
    ...lines,
    ...(nextCursor ? [`More hits: call again with the same arguments and cursor "${nextCursor}"`] : []),
    ...(gated ? [CONSENT_SKIPPED] : []),
  ].join('\n');
  return {
    structured: {
      root, mode, hits, filesSearched, nextCursor, truncated: nextCursor !== null,
      ...(gated ? { notSearched: CONSENT_SKIPPED } : {}),
    },
    text,
    links: [...new Set(hits.map((h) => h.path))].slice(0, 20).map((p) => ({ root, path: p, mimeType: mediaTypeOf(p) })),
  };
}
