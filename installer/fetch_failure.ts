/**
 * Why a `fetch` failed, in a few words for a one-line message (`ccgate
 * status` and `ccgate doctor` say it of an unreachable server): Deno rejects
 * every network failure as `TypeError: fetch failed`, with the reason only in
 * its `cause` (connection refused, a host name that does not resolve, TLS).
 * A timeout (`AbortSignal.timeout`) is "no answer in time". Never the URL.
 *
 * @param err What `fetch` rejected with.
 * @returns The reason, lower case.
 *
 * @example
 * ```ts
 * import { fetchFailure } from "./fetch_failure.ts";
 *
 * const err = await fetch("http://127.0.0.1:1/").catch((e) => e);
 * console.assert(fetchFailure(err) === "connection refused");
 * ```
 */
export function fetchFailure(err: unknown): string {
  if (err instanceof DOMException && err.name === "TimeoutError") return "no answer in time";
  const message = (e: unknown) => e instanceof Error ? e.message : String(e);
  const text = err instanceof Error && err.cause !== undefined ? message(err.cause) : message(err);
  if (/connection refused/i.test(text)) return "connection refused";
  if (/dns error|lookup address/i.test(text)) return "the host name does not resolve";
  // Deno's "error sending request for url (<url>): <reason>": the reason only.
  return text.replace(/^error sending request for url \(.*?\):\s*/, "") || "network error";
}
