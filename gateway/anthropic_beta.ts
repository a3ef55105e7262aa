/**
 * Parses `anthropic-beta` header values: each may be comma-separated and the
 * header may be repeated (or already joined with ", " by the Fetch `Headers`
 * API). Flags are trimmed, empty ones skipped, duplicates removed, first
 * occurrence order kept.
 *
 * @param values The header's values: one string, several, or none.
 * @returns The distinct flags in order.
 *
 * @example Repeated and comma-separated values
 * ```ts
 * import { parseAnthropicBeta } from "./anthropic_beta.ts";
 * const flags = parseAnthropicBeta(["a, b", "b,c"]);
 * console.assert(flags.join() === "a,b,c");
 * ```
 */
export function parseAnthropicBeta(
  values: string | readonly string[] | null | undefined,
): string[] {
  if (values === null || values === undefined) return [];
  const list = typeof values === "string" ? [values] : values;
  const seen = new Set<string>();
  for (const value of list) {
    for (const part of value.split(",")) {
      const flag = part.trim();
      if (flag !== "") seen.add(flag);
    }
  }
  return [...seen];
}
