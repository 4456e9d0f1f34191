// What a tool receives and returns, and the pieces every tool shares. Tools never see the host, the
// session or the wire: they get a confinement, limits, a cancellation signal and a way to report
// progress; the root, path, cursor and limit arguments, root selection under the client's narrowing,
// paging by offset and timestamps are here.
import type { Config } from '../config/schema.ts';
import type { DocumentCache } from '../document/document.ts';
import { denied, failure, type Failure } from '../errors/failure.ts';
import {
  narrowingAllowsPath, narrowingMayEnter, resolveIn, visibleRoots, type Narrowing,
} from '../policy/client_roots.ts';
import { compileGlob, type Glob } from '../policy/glob.ts';
import type { AskConsent, ConfirmPolicy } from '../policy/confirm.ts';
import type { ConfinedPath, Confinement, Root } from '../policy/resolver.ts';
import type { SearchCorpus } from '../search/corpus.ts';
import { cursorInt, decodeCursor } from '../validate/cursor.ts';
import { integer, string, type JsonSchema, type Schema } from '../validate/schema.ts';

export type ToolContext = {
  readonly confinement: Confinement;
  readonly roots: readonly Root[];
  readonly narrowing: Narrowing | null;
  readonly limits: Config['limits'];
  readonly docs: DocumentCache;
  readonly corpus: SearchCorpus;
  readonly signal: AbortSignal;
  readonly progress: (done: number, total: number | null, message: string) => void;
  /** Which reads need the user's consent, and how to ask for it in this session's era. */
  readonly confirmPolicy: ConfirmPolicy;
  readonly askConsent: AskConsent;
  /** Root-relative files this call touched, "root:path", for the audit record. */
  readonly touched: string[];
  readonly servedFrom: (source: string | Uint8Array) => void; // a reply's one document, for its read receipt
};

export type ResourceLinkInfo = Readonly<{ root: string; path: string; mimeType: string; size?: number }>;

export type ToolResult = {
  /** Absent for read_doc, whose page travels once, in the text (docs/protocol.md, "Tools"). */
  readonly structured?: Readonly<Record<string, unknown>>;
  readonly text: string;
  readonly links: readonly ResourceLinkInfo[];
};

/** A tool as written: `run` takes exactly what its `input` reader returns. */
export type ToolDefinition<A> = {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly input: Schema<A>;
  readonly output?: JsonSchema;
  readonly run: (args: A, ctx: ToolContext) => Promise<ToolResult>;
};

/** A tool in the table. `prepare` is the only way to run it: it reads the arguments with the tool's own
 * reader (throwing ArgumentError) and binds the result, so each tool keeps its argument type. */
export type Tool = Omit<ToolDefinition<unknown>, 'run'> & {
  readonly prepare: (rawArgs: unknown) => (ctx: ToolContext) => Promise<ToolResult>;
};

export function defineTool<A>(tool: ToolDefinition<A>): Tool {
  const { run, ...described } = tool;
  return {
    ...described,
    prepare(rawArgs) {
      const args = tool.input.read(rawArgs, 'arguments');
      return (ctx) => run(args, ctx);
    },
  };
}

export const ROOT_ARG = string({
  description: 'Root name as configured (default: the first root)', minLength: 1, maxLength: 32,
  pattern: { source: '^[A-Za-z0-9][A-Za-z0-9_-]*$', hint: 'must be a root name (letters, digits, "-", "_")' },
});
export const PATH_ARG = string({
  description: 'Root-relative path with "/" separators, e.g. "guide/install.md"', minLength: 1, maxLength: 1024,
});
export const FOLDER_ARG = string({ description: 'Root-relative folder ("" or omitted: the root)', maxLength: 1024 });
export const CURSOR_ARG = string({ description: 'nextCursor from the previous page', minLength: 1, maxLength: 512 });

export function limitArg(max: number, fallback: number): ReturnType<typeof integer> {
  return integer({ description: `Most items to return (default ${fallback})`, minimum: 1, maximum: max });
}

export function pickRoot(ctx: ToolContext, name: string | undefined): Root {
  const roots = visibleRoots(ctx.roots, ctx.narrowing);
  const root = name === undefined ? roots[0] : roots.find((r) => r.name === name); // by default the first
  if (root) return root;
  if (name === undefined) throw denied('narrowed_by_client', 'client roots exclude every configured root');
  const available = roots.map((r) => r.name).join(', ') || '(none)';
  throw failure('invalid_argument', `Unknown root ${JSON.stringify(name.slice(0, 32))}; available roots: ${available}`);
}

/** The one document a tool names, recorded as touched; a folder is refused, saying what the tool would `verb`. */
export async function pickFile(ctx: ToolContext, args: { root?: string | undefined; path: string }, verb: string) {
  const root = pickRoot(ctx, args.root);
  const path = await resolveIn(ctx, root, args.path);
  if (path.kind !== 'file') throw failure('is_a_directory', `Cannot ${verb}: the path is a folder; use list_docs`);
  const label = `${root.name}:${path.rel}`;
  ctx.touched.push(label);
  return { root, path, label };
}

/** Walk options for `root` that show only what the client's roots allow: folders that may hold an allowed path, allowed
 * files; `maxDepth` levels deep. */
export function narrowedWalk(ctx: ToolContext, root: Root, maxDepth: number) {
  const enterDir = (rel: string) => narrowingMayEnter(ctx.narrowing, root.name, rel);
  const allows = (p: ConfinedPath) => narrowingAllowsPath(ctx.narrowing, root.name, p);
  const keep = (p: ConfinedPath) => (p.kind === 'dir' ? enterDir(p.rel) : allows(p));
  return { maxDepth, maxVisited: ctx.limits.walkEntries, signal: ctx.signal, enterDir, keep };
}

/** Arguments wrong in a way their schema cannot say: a glob that does not compile, a line range. */
export const invalidArgument = (why: string): Failure => failure('invalid_argument', `Invalid arguments: ${why}`);

export function globArg(name: string, pattern: string): Glob {
  try {
    return compileGlob(pattern);
  } catch (err) {
    throw invalidArgument(`\`${name}\`: ${err instanceof Error ? err.message : 'invalid glob'}`);
  }
}

export function isoTime(ms: number): string {
  return new Date(Math.floor(ms)).toISOString();
}

/** Where a paged call resumes: 0 without a cursor; a cursor must come from the same `query`. */
export function cursorOffset(
  tool: string, cursor: string | undefined, query: string, what: string, max = 10_000_000,
): number {
  if (cursor === undefined) return 0;
  const c = decodeCursor(tool, cursor);
  if (c['q'] !== query) throw failure('invalid_cursor', `Invalid cursor: it belongs to a different ${what}`);
  return cursorInt(c, 'o', max);
}

/** One page of a walk in walk order: skips `skip` items, keeps `limit`; `take` is false once the page is full. */
export function pageFrom<T>(skip: number, limit: number) {
  const page = { items: [] as T[], more: false, seen: 0 };
  const take = (item: T): boolean => {
    if (page.seen++ < skip) return true;
    page.more = page.items.length >= limit; // one item past the page: there is a next one
    if (!page.more) page.items.push(item);
    return !page.more;
  };
  return { page, take };
}
