const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Formats a key path of the policy file the way error messages and rule
 * names show it: `groups.eng.models[1]`; keys that are not identifiers are
 * quoted: `roles["ccgate.admin"].max_tokens`. Pure.
 *
 * @param path Keys and array indexes, outermost first.
 * @returns The path as text.
 *
 * @example
 * ```ts
 * import { formatKeyPath } from "./format_key_path.ts";
 * console.assert(formatKeyPath(["roles", "ccgate.admin", "models", 0]) === 'roles["ccgate.admin"].models[0]');
 * ```
 */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (typeof part === "string" && IDENTIFIER.test(part)) {
      out += out === "" ? part : `.${part}`;
    } else out += `[${JSON.stringify(String(part))}]`;
  }
  return out;
}
