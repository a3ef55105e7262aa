/**
 * The audit log's page cursor: the last key a page read, as base64url JSON,
 * and the error of an `after` that is not one. Pure.
 *
 * @module
 */

/** `after` is not a `next` cursor of the queried day range. */
export class AuditCursorError extends Error {
  constructor() {
    super('Cannot read the audit log: "after" must be the "next" value of the previous page');
    this.name = "AuditCursorError";
  }
}

/**
 * The text form of a cursor: the last key read, as base64url JSON.
 *
 * @param key The key parts after `"audit"`.
 * @returns The cursor.
 */
export function formatAuditCursor(key: readonly string[]): string {
  const bytes = new TextEncoder().encode(JSON.stringify(key));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
}

/**
 * Parses {@linkcode formatAuditCursor}'s text form.
 *
 * @param text The cursor.
 * @returns The key parts after `"audit"` (three, or four for a denied record), or `undefined` if
 *   the text is not a cursor.
 */
export function parseAuditCursor(text: string): string[] | undefined {
  if (text.length > 2_000 || !/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  try {
    const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
    const json = new TextDecoder("utf-8", { fatal: true })
      .decode(Uint8Array.from(binary, (ch) => ch.charCodeAt(0)));
    const key: unknown = JSON.parse(json);
    if (
      !Array.isArray(key) || key.length < 3 || key.length > 4 ||
      !key.every((p) => typeof p === "string")
    ) {
      return undefined;
    }
    const parts = key as string[];
    return /^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/.test(parts[0]!) ? parts : undefined;
  } catch {
    return undefined;
  }
}
