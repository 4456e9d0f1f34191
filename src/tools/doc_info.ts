// doc_info: facts about one document without its text: size, dates, lines, media type, SHA-256.
import { lineTable } from '../document/document.ts';
import { countRedactions } from '../audit/redact.ts';
import { formatOf, parseHeadingsInSlices } from '../formats/headings.ts';
import { isTextMediaType, mediaTypeOf } from '../formats/media_type.ts';
import { openConfined } from '../policy/resolver.ts';
import { sha256InSlices } from '../sched/slice.ts';
import { boolean, integer, nullable, object, string } from '../validate/schema.ts';
import { docUri } from '../formats/doc_uri.ts';
import { defineTool, isoTime, PATH_ARG, pickFile, ROOT_ARG, type ToolContext } from './context.ts';

const OUTPUT = object({
  root: string({ description: 'Root name', maxLength: 32 }),
  path: string({ description: 'Root-relative path', maxLength: 1024 }),
  uri: string({ description: 'Resource URI', maxLength: 4096 }),
  size: integer({ description: 'Bytes', minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
  modified: string({ description: 'Last modification, ISO 8601', maxLength: 32 }),
  mediaType: string({ description: 'Media type', maxLength: 64 }),
  text: nullable(boolean('True when the document is valid UTF-8 text (null: needs consent)')),
  lines: nullable(integer({ description: 'Line count (text only)', minimum: 0, maximum: 1e9 })),
  headings: nullable(integer({ description: 'Heading count (text only)', minimum: 0, maximum: 1e9 })),
  sha256: nullable(string({
    description: 'SHA-256 of what is served, hex (null: needs consent, or not served)', maxLength: 64,
  })),
  needsConsent: boolean('True when it needs the user\'s confirmation: only name, size and date are shown'),
}, ['root', 'path', 'uri', 'size', 'modified', 'mediaType', 'text', 'lines', 'headings', 'sha256', 'needsConsent']);

export function docInfoTool() {
  return defineTool({
    name: 'doc_info',
    title: 'Document facts',
    description: 'Size, modification time, line count, media type, heading count and SHA-256 of one document, ' +
      'without its text (only name, size and date for a document that needs the user\'s confirmation).',
    input: object({ root: ROOT_ARG, path: PATH_ARG }, ['path']),
    output: OUTPUT.json,
    async run(args, ctx: ToolContext) {
      const { root, path, label } = await pickFile(ctx, args, 'describe');
      // A document that needs consent shows what a listing shows (name, size, date) and nothing
      // derived from its bytes: a hash or a line count would confirm a guessed text offline.
      const mediaType = mediaTypeOf(path.rel);
      const open = await openConfined(ctx.confinement, path);
      const stat = open.stat;
      const gated = ctx.confirmPolicy.needs(path, stat.size, stat.nlink);
      // Bytes, text and lines are held together: the load waits its turn on the memory budget, goes in slices.
      const load = gated ? 0 : Math.min(stat.size, ctx.confinement.maxFileBytes);
      const info = await ctx.docs.withBytes(open, load, ctx.signal, async (read, tick) => {
        const bytes = gated ? null : read;
        const decoded = bytes !== null ? await ctx.docs.decode(bytes, tick) : null;
        const lines = decoded === null ? null : await lineTable(decoded, tick);
        // Describes what is served: the redacted text when something was redacted (a hash of the file would confirm
        // a guessed secret offline); nothing for a text type that is not UTF-8, or raw bytes that are not served.
        let marked = false; // looked for a MiB per step; a marker is 26 characters at most: the windows overlap by 32
        for (let at = 0; decoded !== null && !marked && at < decoded.length; at += 1 << 20) {
          marked = (await tick(), countRedactions(decoded.slice(at, at + (1 << 20) + 32))) !== null;
        }
        const served = marked ? decoded : decoded === null && (isTextMediaType(mediaType) ||
          !(await ctx.docs.servesRaw(bytes ?? new Uint8Array(), tick))) ? null : bytes;
        return {
          root: root.name, path: path.rel, uri: docUri(root.name, path.rel), size: stat.size,
          modified: isoTime(stat.mtimeMs), mediaType, text: gated ? null : lines !== null,
          lines: lines === null ? null : lines.length,
          headings: lines === null ? null : (await parseHeadingsInSlices(lines, formatOf(path.rel), tick)).length,
          sha256: served === null ? null : await sha256InSlices(ctx.confinement.host, served, tick),
          needsConsent: gated,
        };
      }).finally(() => open.handle.close().catch(() => undefined));
      const kind = info.text !== false ? '' : info.sha256 ? ' (binary)' : ' (not UTF-8 text: not served)';
      const text = [
        label,
        `size: ${info.size} bytes`, `modified: ${info.modified}`,
        `media type: ${mediaType}${kind}`,
        ...(info.lines === null ? [] : [`lines: ${info.lines}`, `headings: ${info.headings}`]),
        gated ? 'needs the user\'s confirmation: lines, headings and SHA-256 are shown once read_doc obtains it'
          : `sha256: ${info.sha256}`,
      ].join('\n');
      const link = { root: root.name, path: path.rel, mimeType: mediaType, size: stat.size };
      return { structured: info, text, links: [link] };
    },
  });
}
