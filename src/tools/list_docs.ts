// list_docs: the entries under a folder, breadth limited by depth and paged by cursor. Denied, hidden
// and out-of-root entries never appear (the walker applies the read rules).
import { failure } from '../errors/failure.ts';
import { resolveIn, visibleRoots } from '../policy/client_roots.ts';
import { walk } from '../policy/walker.ts';
import { throwIfStopped } from '../sched/slice.ts';
import { escapeName } from '../text/escape.ts';
import { array, boolean, integer, nullable, object, oneOf, string } from '../validate/schema.ts';
import { encodeCursor } from '../validate/cursor.ts';
import {
  CURSOR_ARG, cursorOffset, defineTool, FOLDER_ARG, isoTime, limitArg, narrowedWalk, pageFrom, pickRoot, ROOT_ARG,
  type ToolContext,
} from './context.ts';

const ENTRY = object({
  path: string({ description: 'Root-relative path', maxLength: 1024 }),
  kind: oneOf(['file', 'dir'], 'file or dir'),
  size: nullable(integer({ description: 'Bytes (files)', minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
  modified: string({ description: 'Last modification, ISO 8601', maxLength: 32 }),
}, ['path', 'kind', 'size', 'modified']);

const ROOT_NAME = string({ description: 'root name', maxLength: 32 });
const OUTPUT = object({
  root: string({ description: 'Root listed', maxLength: 32 }),
  roots: array(ROOT_NAME, { description: 'All roots you may use', maxItems: 32 }),
  path: string({ description: 'Folder listed ("" is the root)', maxLength: 1024 }),
  entries: array(ENTRY, { description: 'Entries, depth-first, sorted by name', maxItems: 10000 }),
  nextCursor: nullable(string({ description: 'Pass as cursor for the next page', maxLength: 512 })),
  truncated: boolean('True when more entries exist than this page shows'),
}, ['root', 'roots', 'path', 'entries', 'nextCursor', 'truncated']);

export function listDocsTool(maxDepth: number, maxEntries: number) {
  return defineTool({
    name: 'list_docs',
    title: 'List documents',
    description:
      'List the documents and folders under a folder of a documentation root, with kind, size and modification time. ' +
      'Start here to see what exists. depth 1 lists only direct children. Paged: pass nextCursor back as cursor.',
    input: object({
      root: ROOT_ARG,
      path: FOLDER_ARG,
      depth: integer({
        description: `Folder levels to descend (default 1, max ${maxDepth})`, minimum: 1, maximum: maxDepth,
      }),
      cursor: CURSOR_ARG,
      limit: limitArg(maxEntries, Math.min(200, maxEntries)),
    }, []),
    output: OUTPUT.json,
    async run(args, ctx: ToolContext) {
      const root = pickRoot(ctx, args.root);
      const folder = await resolveIn(ctx, root, args.path ?? '');
      const notFolder = 'Cannot list: the path is a file; use read_doc or doc_info';
      if (folder.kind !== 'dir') throw failure('not_a_directory', notFolder);
      const depth = args.depth ?? 1;
      const limit = args.limit ?? Math.min(200, maxEntries);
      const query = `${root.name}\u0000${folder.rel}\u0000${depth}`;
      const skip = cursorOffset('list_docs', args.cursor, query, 'listing');
      type Entry = { path: string; kind: 'file' | 'dir'; size: number | null; modified: string };
      const { page, take } = pageFrom<Entry>(skip, limit);
      const entries = page.items;
      await walk(ctx.confinement, folder, narrowedWalk(ctx, root, depth), (e) => {
        throwIfStopped(ctx.signal);
        const size = e.path.kind === 'file' ? e.size : null;
        return take({ path: e.path.rel, kind: e.path.kind, size, modified: isoTime(e.mtimeMs) });
      });
      const nextCursor = page.more ? encodeCursor('list_docs', { q: query, o: skip + entries.length }) : null;
      const roots = visibleRoots(ctx.roots, ctx.narrowing).map((r) => r.name);
      const lines = entries.map((e) => escapeName(e.path) +
        (e.kind === 'dir' ? '/' : `  (${e.size} bytes, ${e.modified.slice(0, 10)})`));
      const where = `${root.name}:${folder.rel === '' ? '/' : folder.rel}`;
      const head = `${where} — ${entries.length} entries` + (skip > 0 ? ` (after ${skip})` : '');
      const more = nextCursor ? [`More entries: call again with cursor "${nextCursor}"`] : [];
      const text = [head, ...lines, ...more].join('\n');
      const structured = { root: root.name, roots, path: folder.rel, entries, nextCursor, truncated: page.more };
      return { structured, text, links: [] };
    },
  });
}
