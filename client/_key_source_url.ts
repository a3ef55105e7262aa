/**
 * Refuses a key set (or revocation feed, `what`) URL that is not `https:`, or
 * plain `http:` to a loopback host (local runs, tests), as for Entra ID's endpoints.
 *
 * @throws {TypeError} Naming the URL (origin and path) and what is wrong.
 */
import { _isLoopback } from "./_loopback.ts";

export function _checkKeySourceUrl(url: URL, what = "the key set"): void {
  if (url.protocol === "https:" || (url.protocol === "http:" && _isLoopback(url))) return;
  const where = `"${url.origin}${url.pathname}"`;
  throw new TypeError(
    url.protocol === "http:"
      ? `Cannot use ${what} at ${where}: plain http is only allowed to a loopback host; use https`
      : `Cannot use ${what} at ${where}: it must be an https URL`,
  );
}
