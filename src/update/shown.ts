// What the updater prints, made safe to show: some of it comes from the candidate (its name, version,
// tool descriptions, stderr). On top of escapeName (controls, bidi, zero-width characters) this makes
// visible what a terminal renders as nothing, so a change made only of them cannot look like no change:
// TAG characters U+E0000-U+E007F (text a model reads and a person does not see), the invisible
// operators U+2060-U+2064, the soft hyphen U+00AD, the Hangul fillers U+115F, U+1160, U+3164, U+FFA0,
// and any surrogate half without its pair.
import { escapeName } from '../text/escape.ts';

const INVISIBLE = /[\u00AD\u115F\u1160\u2060-\u2064\u3164\uFFA0\u{E0000}-\u{E007F}]|\p{Cs}/gu;

function visible(c: string): string {
  const cp = c.codePointAt(0) ?? 0;
  return cp > 0xffff ? `\\u{${cp.toString(16)}}` : `\\u${cp.toString(16).padStart(4, '0')}`;
}

/** One line as the updater prints it: nothing in it can move the cursor, hide text or fake a line. */
export function shown(line: string): string {
  return escapeName(line).replace(INVISIBLE, visible);
}
