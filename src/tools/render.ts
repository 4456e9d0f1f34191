// Text renderings mark document content as data, so text from a file cannot pass for tool output
// or instructions (SECURITY.md "Output" family).
export function beginData(label: string): string {
  return `<<<document ${label}`;
}

export function endData(label: string): string {
  return `>>>end of document ${label}`;
}
