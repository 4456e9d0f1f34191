// Descriptors the updater inherited from whoever started it (a shell's `exec 7</home/alice`, a leaky
// terminal or IDE) would pass straight on to every server it starts: spawn closes only descriptors
// marked close-on-exec, and the sandboxes do not check them. A directory descriptor opens the whole
// folder through /proc/self/fd/N; a file descriptor can be read or written with no grant at all.
// The updater needs none of them, so it closes them all before it starts anything (docs/updating.md).
import * as fs from 'node:fs';

/** O_CLOEXEC as Linux prints it in /proc/self/fdinfo/N ("flags:" in octal). */
const O_CLOEXEC = 0o2000000;

function target(fd: number): string {
  try {
    return fs.readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return '?';
  }
}

/**
 * Closes every descriptor above 2 that a child would inherit (no close-on-exec): Node opens all of its
 * own with close-on-exec, so these came from our parent. Returns what was closed, e.g. "57 (/home/a)".
 * Linux only: elsewhere there is no /proc/self/fdinfo to tell ours from theirs (a documented limit).
 */
export function closeInheritedDescriptors(): string[] {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc/self/fdinfo');
  } catch {
    return [];
  }
  const closed: string[] = [];
  for (const fd of entries.map(Number).filter((n) => Number.isInteger(n) && n > 2)) {
    let flags: number;
    try {
      flags = parseInt(/^flags:\s*([0-7]+)/m.exec(fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1] ?? '', 8);
    } catch {
      continue; // the descriptor that listed the folder, gone already
    }
    if (Number.isNaN(flags) || (flags & O_CLOEXEC) !== 0) continue;
    const what = target(fd);
    fs.closeSync(fd);
    closed.push(`${fd} (${what})`);
  }
  return closed;
}
