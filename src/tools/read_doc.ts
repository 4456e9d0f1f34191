// read_doc: a document's text, a line range or one heading's section, in pages that fit the reply
// budget (never a 40 MB reply). Every page is cut from the whole served text (the document cache's,
// secrets redacted there), so pages, ranges and cursors all describe the same text; reading a part of
// the file by byte range would let a range that starts inside a private-key block escape redaction.
import { fingerprint, lineTable, type LineTable } from '../document/document.ts';
import { failure } from '../errors/failure.ts';
import { findHeading, sectionRange } from '../formats/headings.ts';
import { mediaTypeOf } from '../formats/media_type.ts';
import { openWithConsent } from '../policy/confirm.ts';
import { escapeControls } from '../text/escape.ts';
import { jsonBytes, utf8Prefix } from '../text/utf8.ts';
import { boolean, integer, object, string } from '../validate/schema.ts';
import { cursorInt, decodeCursor, encodeCursor, invalidCursor } from '../validate/cursor.ts';
import { CURSOR_ARG, defineTool, invalidArgument, PATH_ARG, pickFile, ROOT_ARG, type ToolContext } from './context.ts';
import { dataFrame } from './render.ts';

const MAX_LINE = 1_000_000_000;

type Page = { startLine: number; endLine: number; text: string; next: { l: number; c: number } | null };

/** Takes whole lines from `lines[from-1]` (starting at column `col`) up to `to` within `budget` bytes of
 * JSON string (escaped as they will be sent). */
function pageOfLines(lines: LineTable, from: number, col: number, to: number, budget: number, numbers: boolean): Page {
  const out: string[] = [];
  let used = 0, n = from;
  for (; n <= to; n++) {
    const line = lines.at(n - 1).slice(n === from ? col : 0);
    const prefix = numbers ? `${n}\t` : '';
    // Its 2 quotes pay for the "\n" that joins it; a line longer than the budget is not escaped whole to learn it.
    const cost = prefix.length + line.length > budget ? Infinity : jsonBytes(escapeControls(prefix + line));
    if (used + cost > budget) {
      if (out.length === 0) {
        // One line longer than the page: cut it and continue mid-line on the next page.
        let take = utf8Prefix(line, budget - prefix.length - 2);
        while (take > 1 && jsonBytes(escapeControls(prefix + line.slice(0, take))) > budget) take >>= 1;
        take = Math.max(1, take);
        out.push(prefix + line.slice(0, take));
        return { startLine: from, endLine: n, text: out.join('\n'), next: { l: n, c: (n === from ? col : 0) + take } };
      }
      break;
    }
    out.push(prefix + line);
    used += cost;
  }
  const last = n - 1;
  return { startLine: from, endLine: last, text: out.join('\n'), next: last < to ? { l: last + 1, c: 0 } : null };
}

export function readDocTool(responseBytes: number) {
  // The page is sent once, in the text block (no structuredContent: docs/protocol.md, "Tools"); the
  // budget counts its JSON-escaped bytes, the header, frame and links fit in the 4 KB left.
  const budget = Math.max(1024, responseBytes - 4096);
  return defineTool({
    name: 'read_doc',
    title: 'Read a document',
    description:
      'Read a document as text. Give startLine/endLine for a line range, or heading for just that section ' +
      '(Markdown, reStructuredText, AsciiDoc). Long documents come in pages: pass nextCursor back as cursor. ' +
      'lineNumbers: true prefixes each line with its number, for citing.',
    input: object({
      root: ROOT_ARG,
      path: PATH_ARG,
      startLine: integer({ description: 'First line to return (1-based)', minimum: 1, maximum: MAX_LINE }),
      endLine: integer({ description: 'Last line to return (inclusive)', minimum: 1, maximum: MAX_LINE }),
      heading: string({
        description: 'Return only the section under this heading (title or slug)', minLength: 1, maxLength: 200,
      }),
      cursor: CURSOR_ARG,
      lineNumbers: boolean('Prefix each line with its line number and a tab'),
    }, ['path']),
    async run(args, ctx: ToolContext) {
      if (args.heading !== undefined && (args.startLine !== undefined || args.endLine !== undefined)) {
        throw invalidArgument('give either heading or startLine/endLine, not both');
      }
      if (args.startLine !== undefined && args.endLine !== undefined && args.endLine < args.startLine) {
        throw invalidArgument(`endLine (${args.endLine}) is before startLine (${args.startLine})`);
      }
      const { root, path, label } = await pickFile(ctx, args, 'read');
      const numbers = args.lineNumbers ?? false;
      const key = [root.name, path.rel, args.heading ?? '', args.startLine ?? 0, args.endLine ?? 0, numbers]
        .join('\u0000');
      const q = ctx.confinement.host.sha256Hex(key).slice(0, 32);
      let resume: { l: number; c: number; f: string } | null = null;
      if (args.cursor !== undefined) {
        const c = decodeCursor('read_doc', args.cursor);
        const other = 'Invalid cursor: it belongs to a different read; repeat the same arguments with the cursor';
        if (c['q'] !== q) throw failure('invalid_cursor', other);
        if (typeof c['f'] !== 'string') throw invalidCursor('f', 'must be the fingerprint of the document it pages');
        resume = { l: cursorInt(c, 'l', MAX_LINE, 1), c: cursorInt(c, 'c', 1e12), f: c['f'] };
      }
      // One descriptor for the whole call: consent and paging decide on the very file that is read. Every page
      // asks (a cursor is client data and cannot carry consent); the session remembers a "yes".
      const open = await openWithConsent(ctx, 'read_doc', path);
      try {
        const size = open.stat.size;
        const fp = fingerprint(open.stat);
        const changed = 'Invalid cursor: the document changed since the previous page; read it again without cursor';
        if (resume && resume.f !== fp) throw failure('invalid_cursor', changed);
        const doc = args.heading === undefined ? null : await ctx.docs.loadOpen(open, ctx.signal);
        const served = doc?.text ?? await ctx.docs.text(open, ctx.signal);
        ctx.servedFrom(served);
        const lines = doc?.lines ?? await lineTable(served, ctx.docs.ticker(ctx.signal)); // found in slices
        const headings = doc?.headings ?? [];
        const totalLines = lines.length;
        let from = args.startLine ?? 1;
        let to = Math.min(args.endLine ?? totalLines, totalLines);
        if (args.heading !== undefined) {
          const i = findHeading(headings, args.heading);
          if (i < 0) {
            const known = headings.slice(0, 15).map((h) => JSON.stringify(h.title)).join(', ');
            const wanted = JSON.stringify(args.heading.slice(0, 60));
            throw failure('heading_not_found', `Cannot find heading ${wanted} in this document` +
              (known ? `; headings include ${known} (outline_doc lists all)` : '; it has no headings'));
          }
          ({ startLine: from, endLine: to } = sectionRange(headings, i, totalLines));
        }
        if (from > totalLines && totalLines > 0) {
          throw invalidArgument(`startLine ${from} is past the end (the document has ${totalLines} lines)`);
        }
        const { l, c } = resume ?? { l: from, c: 0 };
        if (resume && (l < from || l > to)) throw invalidCursor('l', `must be a line from ${from} to ${to}`);
        if (c > lines.at(l - 1).length) throw invalidCursor('c', 'must be in its line');
        const page = pageOfLines(lines, l, c, to, budget, numbers);
        const nextCursor = page.next ? encodeCursor('read_doc', { q, f: fp, ...page.next }) : null;
        const text = escapeControls(page.text);
        const range = page.endLine >= page.startLine ? `lines ${page.startLine}-${page.endLine}` : 'no lines';
        const frame = dataFrame(label, ctx.confinement.host.randomBytes);
        const render = [
          `${label} — ${range} of ${totalLines}${args.heading ? ` (section ${JSON.stringify(args.heading)})` : ''}`,
          frame.begin, text, frame.end,
          ...(nextCursor ? [`More: call read_doc again with the same arguments and cursor "${nextCursor}"`] : []),
        ].join('\n');
        return { text: render, links: [{ root: root.name, path: path.rel, mimeType: mediaTypeOf(path.rel), size }] };
      } finally {
        await open.handle.close().catch(() => undefined);
      }
    },
  });
}
