// What a tool receives and returns. Tools never see the host, the session or the wire: they get a
// confinement, limits, a cancellation signal and a way to report progress.
import type { Config } from '../config/load.ts';
import type { Root } from '../policy/resolver.ts';
import type { DocumentCache } from '../document/document.ts';
import type { Narrowing } from '../policy/client_roots.ts';
import type { AskConsent, ConfirmPolicy } from '../policy/confirm.ts';
import type { Confinement } from '../policy/resolver.ts';
import type { SearchCorpus } from '../search/corpus.ts';
import type { JsonSchema, Schema } from '../validate/schema.ts';

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
};

export type ResourceLinkInfo = { readonly root: string; readonly path: string; readonly mimeType: string; readonly size?: number };

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
