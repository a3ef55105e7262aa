/**
 * The emulator's deterministic stand-in for a model tokenizer: one token per
 * four characters of the JSON of `system`, `messages` and `tools` (at least
 * one). Not Claude's tokenizer — only stable, so tests can predict it.
 *
 * @param body The InvokeModel body (parsed).
 * @returns The input token count the emulator's CountTokens answers.
 *
 * @example
 * ```ts
 * import { countInputTokens } from "./count_input_tokens.ts";
 * const n = countInputTokens({ messages: [{ role: "user", content: "Hello" }] });
 * if (n !== Math.ceil('[{"role":"user","content":"Hello"}]"""[]'.length / 4)) throw new Error();
 * ```
 */
export function countInputTokens(body: Record<string, unknown>): number {
  const chars = JSON.stringify(body.messages ?? []).length +
    JSON.stringify(body.system ?? "").length +
    JSON.stringify(body.tools ?? []).length;
  return Math.max(1, Math.ceil(chars / 4));
}
