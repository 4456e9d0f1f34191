// What every updater command receives: the install folder's layout, its audit trail, where to print,
// and how to start servers. Built once in main.ts, so commands stay free of argv and environment.
import type { Layout } from './layout.ts';
import type { RuntimeChoice } from './launch.ts';
import type { Trail } from './trail.ts';

export type UpdateContext = {
  readonly layout: Layout;
  readonly trail: Trail;
  readonly out: (line: string) => void;
  readonly runtime: RuntimeChoice;
  /** Environment handed to servers under test: PATH only, like a client's minimal launch. */
  readonly childEnv: Readonly<Record<string, string>>;
  /** Test-only hook: called after each named step of switch and rollback (crash simulation). */
  readonly afterStep: (step: string) => void;
};

/** Exit status of a command: 0 done, 1 refused or failed (nothing live changed). */
export type CommandStatus = 0 | 1;
