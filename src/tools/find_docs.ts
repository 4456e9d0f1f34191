// find_docs: documents whose root-relative path matches a glob (**, *, ?, {a,b}, [...]).
import { mediaTypeOf } from '../formats/media_type.ts';
import { narrowingAllowsPath } from '../policy/client_roots.ts';
import { rootFolder, type ConfinedPath } from '../policy/resolver.ts';
import { walk } from '../policy/walker.ts';
import { escapeControls, escapeName } from '../text/escape.ts';
import { array, boolean, integer, nullable, object, string } from '../validate/schema.ts';
import { encodeCursor } from '../validate/cursor.ts';
import {
  CURSOR_ARG, cursorOffset, defineTool, globArg, isoTime, limitArg, pageFrom, pickRoot, ROOT_ARG, type ToolContext,
} from './context.ts';

const OUTPUT = object({
  root: string({ description: 'Root searched', maxLength: 32 }),
  pattern: string({ description: 'The glob', maxLength: 512 }),
  matches: array(object({
    path: string({ description: 'Root-relative path', maxLength: 1024 }),
    size: integer({ description: 'Bytes', minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    modified: string({ description: 'Last modification, ISO 8601', maxLength: 32 }),
  }, ['path', 'size', 'modified']), { description: 'Matching documents in path order', maxItems: 10000 }),
  nextCursor: nullable(string({ description: 'Pass as cursor for more matches', maxLength: 512 })),
  truncated: boolean('True when more matches exist than this page shows'),
}, ['root', 'pattern', 'matches', 'nextCursor', 'truncated']);

export function findDocsTool(maxEntries: number) {
  const fallback = Math.min(200, maxEntries);
  return defineTool({
    name: 'find_docs',
    title: 'Find documents by name',
    description:
      'Find documents whose path matches a glob: "*" within a name, "**" across folders, "?", "{a,b}", "[a-z]". ' +
      'A pattern without "/" matches file names anywhere (e.g. "*.md"); with "/" it matches the whole root-relative ' +
      'path (e.g. "guide/**/*.rst").',
    input: object({
      pattern: string({ description: 'Glob pattern', minLength: 1, maxLength: 512 }),
      root: ROOT_ARG,
      limit: limitArg(maxEntries, fallback),
      cursor: CURSOR_ARG,
    }, ['pattern']),
    output: OUTPUT.json,
    async run(args, ctx: ToolContext) {
      const glob = globArg('pattern', args.pattern);
      const root = pickRoot(ctx, args.root);
      const limit = args.limit ?? fallback;
      const query = ctx.confinement.host.sha256Hex(`${root.name}\u0000${args.pattern}`).slice(0, 32);
      const skip = cursorOffset('find_docs', args.cursor, query, 'pattern');
      // Pages in walk order, whichever source serves them, so a cursor stays valid across both.
      const { page, take: keep } = pageFrom<{ path: string; size: number; modified: string }>(skip, limit);
      const take = (path: string, size: number, mtimeMs: number) => keep({ path, size, modified: isoTime(mtimeMs) });
      const matches = page.items;
      const wanted = (p: ConfinedPath) => glob.matches(p.rel) && narrowingAllowsPath(ctx.narrowing, root.name, p);
      const limits = { maxDepth: ctx.limits.depth, maxVisited: ctx.limits.walkEntries, signal: ctx.signal };
      // A snapshot taken moments ago by search_docs or find_docs makes repeated name searches nearly
      // free; otherwise a walk with the glob as its filter stats only the matching files.
      const snap = ctx.corpus.fresh({ confinement: ctx.confinement, root, ...limits });
      if (snap) {
        for (const f of snap.files) if (wanted(f.path) && !take(f.path.rel, f.size, f.mtimeMs)) break;
      } else {
        await walk(ctx.confinement, rootFolder(root), { ...limits, keep: (p) => p.kind === 'file' && wanted(p) },
          (e) => take(e.path.rel, e.size, e.mtimeMs));
      }
      const nextCursor = page.more ? encodeCursor('find_docs', { q: query, o: skip + matches.length }) : null;
      const found = `${matches.length} document${matches.length === 1 ? '' : 's'}`;
      const text = [
        `${found} in ${root.name} match ${escapeName(JSON.stringify(args.pattern))}`,
        ...matches.map((m) => `${escapeName(m.path)}  (${m.size} bytes)`),
        ...(nextCursor ? [`More matches: call again with cursor "${nextCursor}"`] : []),
      ].join('\n');
      const pattern = escapeControls(args.pattern);
      const links = matches.slice(0, 20).map(({ path, size }) =>
        ({ root: root.name, path, mimeType: mediaTypeOf(path), size }));
      return { structured: { root: root.name, pattern, matches, nextCursor, truncated: page.more }, text, links };
    },
  });
}
