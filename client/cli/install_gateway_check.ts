import { type CcgateMetadata, discover } from "../discover.ts";
import { TokenRequestError } from "../errors.ts";
import { UnavailableError } from "./exit_codes.ts";

/**
 * Checks, before `ccgate install` changes anything, that the ccgate URL it
 * was given answers as a ccgate server (its RFC 8414 metadata, as `ccgate
 * login` reads it): a wrong or unreachable URL would otherwise end up in
 * Claude Code's settings. `--no-login` installs skip it (golden images,
 * scripts run where ccgate is not reachable yet).
 *
 * @param url The URL given, checked (`gatewayUrl()`).
 * @param fetch The `fetch` that asks it.
 * @returns The metadata it answered.
 * @throws {UnavailableError} In one line naming the URL and the reason
 * (unreachable, an HTTP error, not a ccgate server), and that nothing was
 * changed (exit code 4).
 *
 * @example
 * ```ts
 * import { installGatewayCheck } from "./install_gateway_check.ts";
 *
 * const fakeFetch: typeof fetch = () => Promise.reject(new TypeError("connection refused"));
 * await installGatewayCheck("http://127.0.0.1:9", fakeFetch).catch((err) => {
 *   console.assert(err.message.startsWith('Cannot reach ccgate at "http://127.0.0.1:9"'));
 * });
 * ```
 */
export async function installGatewayCheck(
  url: string,
  fetch: typeof globalThis.fetch,
): Promise<CcgateMetadata> {
  try {
    return await discover(url, { fetch });
  } catch (err) {
    if (!(err instanceof TokenRequestError)) throw err;
    throw new UnavailableError(
      `${err.message}; nothing was changed: check --url (or pass --no-login to install without reaching ccgate now)`,
      { cause: err },
    );
  }
}
