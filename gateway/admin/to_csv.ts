/**
 * Renders rows as CSV (RFC 4180): a header line of `columns`, one line per
 * row, CRLF line ends; fields with a comma, quote or line break are quoted
 * (quotes doubled). Text that a spreadsheet would run as a formula (starting
 * with `=`, `+`, `-`, `@`, their full-width forms, tab or carriage return) is prefixed with `'`.
 * Numbers are written as they are; `null` and `undefined` as empty fields;
 * arrays of text joined by spaces; other objects as JSON text.
 * Pure.
 *
 * @param columns The columns, in order: each row's property names.
 * @param rows The rows.
 * @returns The CSV text.
 *
 * @example
 * ```ts
 * import { toCsv } from "./to_csv.ts";
 * const csv = toCsv(["user", "tokens"], [{ user: "a,b", tokens: 3 }]);
 * console.assert(csv === 'user,tokens\r\n"a,b",3\r\n');
 * ```
 */
export function toCsv(columns: readonly string[], rows: readonly object[]): string {
  const lines = [columns.map(_field).join(",")];
  for (const row of rows) {
    const r = row as Record<string, unknown>;
    lines.push(columns.map((c) => _field(r[c])).join(","));
  }
  return lines.join("\r\n") + "\r\n";
}

function _field(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  let text = Array.isArray(value) && value.every((v) => typeof v !== "object" || v === null)
    ? value.join(" ")
    : typeof value === "object"
    ? JSON.stringify(value)
    : String(value);
  if (/^[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
