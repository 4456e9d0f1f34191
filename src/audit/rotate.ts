// Size-based rotation of the audit log by renames only: `log` -> `log.1` -> `log.2` ... up to `keep`
// files. No record is copied or cut; only the file beyond `keep` is replaced (docs/security.md, "Audit log").
import type { Host } from '../runtime/host.ts';

export type RotationOptions = {
  /** Rotate before a write that would make the file larger than this; 0 = never. */
  readonly rotateBytes: number;
  /** Rotated files kept next to the log (`log.1` is the newest). */
  readonly keep: number;
};

export const NO_ROTATION: RotationOptions = { rotateBytes: 0, keep: 0 };

export function rotatedName(path: string, n: number): string {
  return `${path}.${n}`;
}

/**
 * Shifts `log.(keep-1)` -> `log.keep`, ..., `log` -> `log.1`, oldest first, so an interrupted shift
 * never overwrites a file that was not copied on, and returns how many rotated files there are now (the
 * `rotate` record states it, so verify-log knows how many must exist). Throws when a rename is refused (a
 * sandbox that grants only the log file): the renames done before that point lose nothing, they only renumber.
 */
export function shiftFiles(host: Host, path: string, keep: number): number {
  let files = 1;
  for (let n = keep - 1; n >= 1; n--) if (host.renameFile(rotatedName(path, n), rotatedName(path, n + 1))) files++;
  if (!host.renameFile(path, rotatedName(path, 1))) throw new Error('Cannot rotate: the log file is gone');
  return files;
}

/** Whether writing `lineBytes` more would take a non-empty file over the limit. */
export function needsRotation({ rotateBytes, keep }: RotationOptions, size: number, lineBytes: number): boolean {
  return rotateBytes > 0 && keep > 0 && size > 0 && size + lineBytes > rotateBytes;
}
