// Finds the top-level "id" in the first bytes of a line too large to parse, so the client gets an
// error for that request instead of waiting for its timeout. Only an id at nesting depth 1 counts.
import type { RequestId } from './message.ts';

export function sniffId(head: string): RequestId | undefined {
  let depth = 0;
  let expectKey = false; // at depth 1, a string is a key only right after "{" or ","
  for (let i = 0; i < head.length; i++) {
    const c = head[i];
    if (c === '{' || c === '[') {
      depth++;
      expectKey = depth === 1 && c === '{';
    } else if (c === '}' || c === ']') depth--;
    else if (c === ',' && depth === 1) expectKey = true;
    else if (c === '"') {
      const end = stringEnd(head, i);
      if (end === -1) return undefined;
      const key = head.slice(i, end + 1);
      i = end;
      const isKey = depth === 1 && expectKey;
      if (depth === 1) expectKey = false;
      if (isKey && key === '"id"') {
        const m = /^\s*:\s*("(?:[^"\\\u0000-\u001f]){0,256}"|-?\d{1,15})\s*[,}]/.exec(head.slice(end + 1));
        if (!m || m[1] === undefined) return undefined;
        return m[1].startsWith('"') ? (JSON.parse(m[1]) as string) : Number(m[1]);
      }
    }
  }
  return undefined;
}

function stringEnd(s: string, start: number): number {
  for (let i = start + 1; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '"') return i;
  }
  return -1;
}
