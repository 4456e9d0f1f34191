// Which of two release versions is older, by Semantic Versioning's precedence: MAJOR.MINOR.PATCH
// numerically, a pre-release (1.0.0-rc.1) before its release, build metadata (+abc) ignored. Stage
// uses it to refuse an authentic but older release (a replayed downgrade) unless the operator says so.

type Parsed = { readonly core: readonly number[]; readonly pre: readonly string[] };

function parse(v: string): Parsed | null {
  const m = /^v?(\d{1,9}(?:\.\d{1,9}){0,3})(?:-([0-9A-Za-z.-]{1,64}))?(?:\+[0-9A-Za-z.-]*)?$/.exec(v.trim());
  if (m === null) return null;
  return { core: (m[1] as string).split('.').map(Number), pre: m[2] === undefined ? [] : m[2].split('.') };
}

function comparePre(a: readonly string[], b: readonly string[]): number {
  // A release sorts after its pre-releases.
  if (a.length === 0 || b.length === 0) return (a.length === 0 ? 1 : 0) - (b.length === 0 ? 1 : 0);
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x === y) continue;
    const xn = /^\d+$/.test(x);
    const yn = /^\d+$/.test(y);
    if (xn && yn) return Number(x) - Number(y);
    if (xn !== yn) return xn ? -1 : 1; // numeric identifiers sort before alphanumeric ones
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** Negative if `a` is older than `b`, positive if newer, 0 if equal; NaN when either is not a version. */
export function compareVersions(a: string, b: string): number {
  const x = parse(a);
  const y = parse(b);
  if (x === null || y === null) return NaN;
  for (let i = 0; i < Math.max(x.core.length, y.core.length); i++) {
    const d = (x.core[i] ?? 0) - (y.core[i] ?? 0);
    if (d !== 0) return d;
  }
  return comparePre(x.pre, y.pre);
}
