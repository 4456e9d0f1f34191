// Result rows, targets (from issue 5) and the printed table. A row holds one figure with its median,
// min and max; a target compares a ratio (or an absolute value) with its limit and says PASS or MISS.
import { round } from './measure.mjs';

export const TARGETS = {
  coldStart: { limit: 1.5, text: '≤ 1.5× node -e 0' },
  read: { limit: 0.5, text: '≤ 0.5× reference' },
  warmLiteral: { limit: 0.5, text: '≤ 0.5× rg' },
  coldLiteral: { limit: 2, text: '≤ 2× rg' },
  find: { limit: 0.1, text: '≤ 0.1× reference' },
  pipelineRss: { limit: 150, text: '≤ 150 MB' },
  searchRss: { limit: 250, text: '≤ 250 MB' },
  idle: { limit: 1.3, text: '≤ 1.3× bare node' },
};

export class Report {
  constructor() {
    this.rows = [];
    this.notes = [];
  }

  /**
   * Adds a figure. `s` is a stats object ({median,min,max,n}) or a plain number; `cmp` optional
   * { ratio, against } ; `target` optional key of TARGETS (checked against `cmp.ratio`, or against the
   * value itself when `absolute`); `growth` optional { factor, scale } for scaling rows; `check`
   * optional { text, pass } for a yes/no target.
   */
  add(section, label, s, unit, { cmp, target, absolute = false, info, growth, check } = {}) {
    const st = typeof s === 'number' || s === null ? { median: s, min: null, max: null, n: s === null ? 0 : 1 } : s;
    const row = {
      section,
      label,
      unit,
      median: round(st.median, 2),
      min: round(st.min, 2),
      max: round(st.max, 2),
      n: st.n,
    };
    if (cmp) {
      row.ratio = cmp.ratio === null || cmp.ratio === undefined ? null : round(cmp.ratio, 3);
      row.against = cmp.against;
    }
    if (target) {
      const t = TARGETS[target];
      const v = absolute ? st.median : cmp?.ratio;
      row.target = t.text;
      row.status = v === null || v === undefined ? 'n/a' : v <= t.limit ? 'PASS' : 'MISS';
    }
    if (growth) {
      row.growth = round(growth.factor, 2);
      row.target = `≤ ~${growth.scale}× (linear)`;
      // 25 % slack: one-run medians on a shared machine wobble; sub-linear is the goal.
      row.status = growth.factor === null ? 'n/a' : growth.factor <= growth.scale * 1.25 ? 'PASS' : 'MISS';
    }
    if (check) {
      row.target = check.text;
      row.status = check.pass ? 'PASS' : 'MISS';
    }
    if (info) row.info = info;
    this.rows.push(row);
    return row;
  }

  note(section, text) {
    this.notes.push({ section, text });
  }

  print(out = (l) => process.stdout.write(l + '\n')) {
    const fmt = (x, unit) => (x === null || x === undefined ? '—' : `${fmtNum(x)}${unit === 'x' ? '×' : ' ' + unit}`);
    const table = this.rows.map((r) => [
      r.section,
      r.label,
      fmt(r.median, r.unit),
      r.min !== null && r.max !== null && r.n > 1 ? `${fmtNum(r.min)}–${fmtNum(r.max)}` : '',
      r.ratio !== undefined
        ? (r.ratio === null ? '—' : `${fmtNum(r.ratio)}× ${r.against}`)
        : r.growth !== undefined
        ? `${fmtNum(r.growth)}× vs 1×`
        : '',
      r.target ?? '',
      r.status ?? '',
      r.info ?? '',
    ]);
    const head = ['section', 'figure', 'median', 'min–max', 'ratio', 'target', '', 'notes'];
    const widths = head.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
    const line = (cells) =>
      cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
    out(line(head));
    out(widths.map((w) => '─'.repeat(w)).join('  '));
    let prev = null;
    for (const row of table) {
      if (prev !== null && row[0] !== prev) out('');
      out(line(row));
      prev = row[0];
    }
    if (this.notes.length > 0) {
      out('');
      for (const n of this.notes) out(`note [${n.section}]: ${n.text}`);
    }
    const pass = this.rows.filter((r) => r.status === 'PASS').length;
    const miss = this.rows.filter((r) => r.status === 'MISS').length;
    out('');
    out(`targets: ${pass} PASS, ${miss} MISS`);
  }
}

function fmtNum(x) {
  if (typeof x !== 'number') return String(x);
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

export const ratioOf = (
  a,
  b,
) => (a === null || b === null || b === 0 || a === undefined || b === undefined ? null : a / b);
