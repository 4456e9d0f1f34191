// Texts in memory as a RankSource (src/search/word_rank.ts), handed out as search_docs hands out the files it reads.
import type { RankInput, RankSource } from '../../src/search/word_rank.ts';

export function rankSource(list: readonly RankInput[]): RankSource {
  return {
    each: async (visit) => {
      for (const input of list) await visit(input);
    },
    again: async (key, visit) => {
      const input = list.find((i) => i.key === key);
      if (input) await visit(input);
    },
  };
}
