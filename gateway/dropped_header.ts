const MAX = 1024;

/**
 * The `x-ccgate-dropped` header value for what the translation removed.
 * Entries carry names from the request (unknown field names, beta flags,
 * tool names), so anything outside printable ASCII is percent-encoded — a
 * newline or a non-Latin-1 character would otherwise make the response
 * headers invalid — and the value is cut at about 1,024 characters with `, ...`.
 *
 * @param dropped The translation's `dropped` list.
 * @returns A valid header value.
 *
 * @example
 * ```ts
 * import { droppedHeader } from "./dropped_header.ts";
 * console.assert(droppedHeader(["field:a\nb", "beta:x"]) === "field:a%0Ab, beta:x");
 * ```
 */
export function droppedHeader(dropped: readonly string[]): string {
  let out = "";
  for (const entry of dropped) {
    const safe = /^[\x20-\x7e]*$/.test(entry) && !entry.includes("%") ? entry : _encode(entry);
    const next = out === "" ? safe : `${out}, ${safe}`;
    if (next.length > MAX) return `${out}, ...`;
    out = next;
  }
  return out;
}

function _encode(entry: string): string {
  let out = "";
  for (const byte of new TextEncoder().encode(entry)) {
    out += byte >= 0x20 && byte <= 0x7e && byte !== 0x25
      ? String.fromCharCode(byte)
      : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}
