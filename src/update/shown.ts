// What the updater prints, made safe to show: some of it comes from the candidate (its name, version,
// tool descriptions, stderr). escapeName (src/text/escape.ts) makes controls, bidi, zero-width, TAG and
// the other invisible characters visible. On top of it, for a review in a terminal: the Hangul fillers
// U+115F, U+1160, U+3164, U+FFA0 (text in a document, so the server leaves them; drawn blank here) and a
// surrogate half without its pair (drawn as U+FFFD, whichever half it was), so a change made only of
// them is still a visible change. Differences are cut between whole characters (surface.ts).
import { escapeName } from '../text/escape.ts';

const BLANK = /[\u115F\u1160\u3164\uFFA0]|\p{Cs}/gu;

/** One line as the updater prints it: nothing in it can move the cursor, hide text or fake a line. */
export function shown(line: string): string {
  return escapeName(line).replace(BLANK, (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`);
}
