import type { CliConfig } from "./cli_config.ts";
import { gatewayUrl } from "./gateway_url.ts";

/** The ccgate server `status` and `doctor` look at. */
export interface ServerUrls {
  /** The ccgate URL: the auth service's, or the one app's. */
  url: string;
  /** The gateway's, when it is not `url` (or when `url` is given, not remembered). */
  gatewayUrl?: string;
  /** Whether it is the server signed in to (`config.json`): only then may the session's token be sent to it. */
  signedIn: boolean;
}

/**
 * The server `ccgate status` and `ccgate doctor` look at, as `login` and
 * `install` choose theirs: `--url`, else `CCGATE_URL`, else the one signed in
 * to (`config.json`). A URL given is checked as theirs are (`gatewayUrl()`);
 * when it is the signed-in server's (its auth service's or its gateway's URL),
 * that server's pair is kept, else it is taken for gateway and auth service
 * on one origin.
 *
 * @param flag `--url`, if given.
 * @param env `CCGATE_URL`, if set.
 * @param config `config.json`, if any.
 * @returns The server, or `undefined` when none is known.
 * @throws {UsageError} A URL given that ccgate could not use (exit code 2).
 *
 * @example
 * ```ts
 * import { serverUrls } from "./server_urls.ts";
 *
 * const config = { url: "https://auth.example.com", gatewayUrl: "https://gw.example.com", store: "file" as const };
 * console.assert(serverUrls("https://gw.example.com/", undefined, config)?.url === "https://auth.example.com");
 * console.assert(serverUrls("https://other.example.com", undefined, config)?.signedIn === false);
 * ```
 */
export function serverUrls(
  flag: string | undefined,
  env: string | undefined,
  config: CliConfig | undefined,
): ServerUrls | undefined {
  const given = flag !== undefined
    ? gatewayUrl(flag, "Invalid --url")
    : env !== undefined && env !== ""
    ? gatewayUrl(env, "Invalid CCGATE_URL")
    : undefined;
  const trim = (url: string | undefined) => url?.replace(/\/+$/, "");
  if (
    config !== undefined &&
    (given === undefined || given === trim(config.url) || given === trim(config.gatewayUrl))
  ) {
    return { url: config.url, gatewayUrl: config.gatewayUrl, signedIn: true };
  }
  return given === undefined ? undefined : { url: given, gatewayUrl: given, signedIn: false };
}
