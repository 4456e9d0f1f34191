// The closed set of tools. Anything not in this table is unknown (-32602); none of them writes.
import type { Config } from '../config/schema.ts';
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

/** The wire form of a tool for tools/list, with the fields the negotiated version defines (mcp/versions.ts). */
export function describeTool(t: Tool, f: { readonly structured: boolean; readonly annotations: boolean }): unknown {
  const title = f.structured ? { title: t.title } : {};
  const hints = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };
  return {
    name: t.name, ...title, description: t.description, inputSchema: t.input.json,
    ...(f.structured && t.output ? { outputSchema: t.output } : {}),
    ...(f.annotations ? { annotations: { ...title, ...hints } } : {}),
  };
}
