import type { CliConfig } from "./cli_config.ts";
import { discover } from "../discover.ts";
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

/**
 * The server a URL given to `status` or `doctor` stands for where the
 * gateway and the auth service are deployed apart: its ccgate metadata names
 * the auth service (`issuer`) and the gateway (`ccgate_gateway_url`), so the
 * auth service's URL and the gateway's both lead to the pair, as they do for
 * `login` and `install`. The server signed in to (its pair is known), and a
 * URL whose metadata cannot be read (down, not ccgate: the checks say so),
 * are taken as they are.
 *
 * @param server The server `serverUrls()` chose.
 * @param fetch The `fetch` that asks the URL's metadata.
 * @returns The server, with its auth service and gateway as its metadata names them.
 *
 * @example
 * ```ts
 * import { withPublishedGateway } from "./server_urls.ts";
 *
 * const signedIn = { url: "https://auth.example.com", gatewayUrl: "https://gw.example.com", signedIn: true };
 * console.assert((await withPublishedGateway(signedIn, fetch)) === signedIn); // not asked
 * ```
 */
export async function withPublishedGateway(
  server: ServerUrls,
  fetch: typeof globalThis.fetch,
): Promise<ServerUrls> {
  if (server.signedIn) return server;
  try {
    const metadata = await discover(server.url, { fetch, timeoutMs: 5_000 });
    const auth = metadata.issuer.replace(/\/+$/, "");
    const gateway = metadata.gatewayUrl?.replace(/\/+$/, "") ?? server.gatewayUrl ?? auth;
    return { url: auth, gatewayUrl: gateway, signedIn: false };
  } catch {
    return server;
  }
}
