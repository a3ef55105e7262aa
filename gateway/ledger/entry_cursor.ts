import { MAX_ENTRY_TEXT } from "./ledger_entry.ts";

/** Where a page of entries ended: the next page starts right after this entry. */
export interface EntryCursor {
  /** The last entry's day. */
  day: string;
  /** The last entry's request id. */
  requestId: string;
}

/**
 * The text form of an entry cursor (`after`, `next`): `<day>:<requestId>`.
 *
 * @param cursor The cursor.
 * @returns Its text.
 *
 * @example
 * ```ts
 * import { formatEntryCursor, parseEntryCursor } from "./entry_cursor.ts";
 * const text = formatEntryCursor({ day: "2026-11-30", requestId: "req_1" });
 * console.assert(parseEntryCursor(text)?.requestId === "req_1");
 * ```
 */
export function formatEntryCursor(cursor: EntryCursor): string {
  return `${cursor.day}:${cursor.requestId}`;
}

/**
 * Parses {@linkcode formatEntryCursor}'s text form.
 *
 * @param text The text.
 * @returns The cursor, or `undefined` when the text is not one.
 *
 * @example
 * ```ts
 * import { parseEntryCursor } from "./entry_cursor.ts";
 * console.assert(parseEntryCursor("2026-11-30:req_1")?.day === "2026-11-30");
 * console.assert(parseEntryCursor("req_1") === undefined);
 * ```
 */
export function parseEntryCursor(text: string): EntryCursor | undefined {
  const match = /^(\d{4}-\d{2}-\d{2}):(.+)$/s.exec(text);
  if (match === null || match[2]!.length > MAX_ENTRY_TEXT) return undefined;
  return { day: match[1]!, requestId: match[2]! };
}
