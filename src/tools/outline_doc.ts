// outline_doc: a document's heading tree (levels and line numbers) and its front-matter fields.
import { parseFrontMatter } from '../formats/front_matter.ts';
import { sectionRange } from '../formats/headings.ts';
import { escapeControls, escapeName } from '../text/escape.ts';
import { array, boolean, integer, nullable, object, string, stringMap } from '../validate/schema.ts';
import { openWithConsent } from '../policy/confirm.ts';
import { closeOf } from '../policy/resolver.ts';
import { encodeCursor } from '../validate/cursor.ts';
import { docUri } from '../formats/doc_uri.ts';
import { CURSOR_ARG, cursorOffset, defineTool, PATH_ARG, pickFile, ROOT_ARG, type ToolContext } from './context.ts';

const PAGE = 500;

const OUTPUT = object({
  root: string({ description: 'Root name', maxLength: 32 }),
  path: string({ description: 'Root-relative path', maxLength: 1024 }),
  uri: string({ description: 'Resource URI', maxLength: 4096 }),
  format: string({ description: 'markdown, rst, asciidoc or text', maxLength: 16 }),
  totalLines: integer({ description: 'Lines in the document', minimum: 0, maximum: 1e9 }),
  headings: array(object({
    level: integer({ description: 'Heading level, 1 = top', minimum: 1, maximum: 12 }),
    title: string({ description: 'Heading text', maxLength: 256 }),
    line: integer({ description: 'Line of the heading (1-based)', minimum: 1, maximum: 1e9 }),
    endLine: integer({ description: 'Last line of its section', minimum: 1, maximum: 1e9 }),
  }, ['level', 'title', 'line', 'endLine']), { description: 'Headings in document order', maxItems: PAGE }),
  frontMatter: stringMap('Front-matter fields (YAML/TOML key: value pairs)'),
  nextCursor: nullable(string({ description: 'Pass as cursor for more headings', maxLength: 512 })),
  truncated: boolean('True when more headings exist than this page shows'),
}, ['root', 'path', 'uri', 'format', 'totalLines', 'headings', 'frontMatter', 'nextCursor', 'truncated']);

export function outlineDocTool() {
  return defineTool({
    name: 'outline_doc',
    title: 'Outline a document',
    description:
      'Show the heading tree of a document (Markdown, reStructuredText, AsciiDoc) with levels and line numbers, ' +
      'plus its front-matter fields. Use a heading with read_doc to read just that section.',
    input: object({ root: ROOT_ARG, path: PATH_ARG, cursor: CURSOR_ARG }, ['path']),
    output: OUTPUT.json,
    async run(args, ctx: ToolContext) {
      const { root, path, label: named } = await pickFile(ctx, args, 'outline');
      const open = await openWithConsent(ctx, 'outline_doc', path); // consent and read on one descriptor
      const doc = await ctx.docs.loadOpen(open, ctx.signal).finally(() => closeOf(open));
      ctx.servedFrom(doc.text);
      const skip = cursorOffset('outline_doc', args.cursor, named, 'document');
      const all = doc.headings;
      const headings = all.slice(skip, skip + PAGE).map((h, i) => ({
        level: h.level, title: escapeControls(h.title), line: h.line,
        endLine: sectionRange(all, skip + i, doc.lines.length).endLine,
      }));
      const more = skip + PAGE < all.length;
      const nextCursor = more ? encodeCursor('outline_doc', { q: named, o: skip + PAGE }) : null;
      const fields = Object.entries(parseFrontMatter(doc.lines)?.fields ?? {});
      const frontMatter = Object.fromEntries(fields.map(([k, v]) => [escapeControls(k), escapeControls(v)]));
      const marks = (level: number) => '  '.repeat(level - 1) + '#'.repeat(Math.min(level, 6));
      const text = [
        `${named} — ${all.length} headings, ${doc.lines.length} lines (${doc.format})`,
        ...Object.entries(frontMatter).map(([k, v]) => `${escapeName(k)}: ${escapeName(v)}`),
        ...headings.map((h) => `${marks(h.level)} ${escapeName(h.title)}  (lines ${h.line}-${h.endLine})`),
        ...(nextCursor ? [`More headings: call again with cursor "${nextCursor}"`] : []),
      ].join('\n');
      const structured = {
        root: root.name, path: path.rel, uri: docUri(root.name, path.rel), format: doc.format,
        totalLines: doc.lines.length, headings, frontMatter, nextCursor, truncated: more,
      };
      return { structured, text, links: [] };
    },
  });
}
