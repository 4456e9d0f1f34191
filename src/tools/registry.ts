// The closed set of tools. Anything not in this table is unknown (-32602); none of them writes.
import type { Config } from '../config/load.ts';
import type { Tool } from './context.ts';
import { docInfoTool } from './doc_info.ts';
import { findDocsTool } from './find_docs.ts';
import { listDocsTool } from './list_docs.ts';
import { outlineDocTool } from './outline_doc.ts';
import { readDocTool } from './read_doc.ts';
import { searchDocsTool } from './search_docs.ts';

export type ToolTable = ReadonlyMap<string, Tool>;

export function createToolTable(limits: Config['limits']): ToolTable {
  const tools = [
    listDocsTool(limits.depth, limits.listEntries),
    readDocTool(limits.responseBytes),
    searchDocsTool(limits.searchResults, Math.min(20, limits.searchResults)),
    findDocsTool(limits.listEntries),
    outlineDocTool(),
    docInfoTool(),
  ];
  return new Map(tools.map((t) => [t.name, t]));
}

/** The wire form of a tool for tools/list. */
export function describeTool(t: Tool, withOutputSchema: boolean, withTitle: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { name: t.name };
  if (withTitle) out['title'] = t.title;
  out['description'] = t.description;
  out['inputSchema'] = t.input.json;
  if (withOutputSchema && t.output) out['outputSchema'] = t.output;
  const hints = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };
  out['annotations'] = { ...(withTitle ? { title: t.title } : {}), ...hints };
  return out;
}
