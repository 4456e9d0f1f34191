// Text renderings mark document content as data, so text from a file cannot pass for tool output or
// instructions (docs/security.md, "Output"). Each block's markers carry a random tag the document
// cannot know, so a file containing ">>>end of document" cannot close the block early.
export function dataFrame(label: string, randomBytes: (n: number) => Uint8Array) {
  const tag = Array.from(randomBytes(6), (b) => b.toString(16).padStart(2, '0')).join('');
  return { begin: `<<<document ${label} [${tag}]`, end: `>>>end of document ${label} [${tag}]` };
}
