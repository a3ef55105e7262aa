/**
 * Whether a listing of the admin API answers CSV rather than JSON:
 * `format=csv`, or no `format` and an `Accept` that starts with `text/csv`.
 *
 * @param format The `format` query parameter, if any.
 * @param accept The `Accept` header, if any.
 * @param invalid Builds the service's 400 error from a message.
 * @returns `true` for CSV.
 * @throws What `invalid` builds, when `format` is neither `json` nor `csv`.
 *
 * @example
 * ```ts
 * import { wantsCsv } from "./wants_csv.ts";
 * const invalid = (m: string) => new Error(m);
 * console.assert(wantsCsv(undefined, "text/csv", invalid));
 * console.assert(!wantsCsv("json", "text/csv", invalid));
 * ```
 */
export function wantsCsv(
  format: string | undefined,
  accept: string | undefined,
  invalid: (message: string) => Error,
): boolean {
  if (format !== undefined && format !== "json" && format !== "csv") {
    throw invalid('format: "json" or "csv"');
  }
  return format === "csv" || (format === undefined && (accept ?? "").startsWith("text/csv"));
}
