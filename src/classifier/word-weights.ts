// Word-weight tables as the generated src/classifier/language-words.ts writes them ("word:weight ..."), parsed
// on first use.

/**
 * A table's words and weights, parsed on first use: most posts never need a table (English ones none), so a cold
 * start does not pay for building them (about 10 ms on the loaded build machine).
 */
export function lazyWeights(table: string): () => ReadonlyMap<string, number> {
  let parsed: Map<string, number> | undefined;
  return () => {
    parsed ??= weights(table);
    return parsed;
  };
}

function weights(table: string): Map<string, number> {
  return new Map(
    table
      .split(/\s+/)
      .filter(Boolean)
      .map((pair) => {
        const at = pair.lastIndexOf(':');
        return [pair.slice(0, at), Number(pair.slice(at + 1))] as [string, number];
      }),
  );
}
