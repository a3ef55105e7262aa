import { type CcgateMetadata, discover } from "../discover.ts";
import type { CliConfig } from "./cli_config.ts";
import { installGatewayCheck } from "./install_gateway_check.ts";

/** What `ccgate install` learnt about the ccgate URL it was given. */
export interface InstallGateway {
  /** The gateway: what goes into Claude Code's `ANTHROPIC_BASE_URL`, without trailing slashes. */
  url: string;
  /** The URL whose metadata was read, when it was read. */
  asked?: string;
  /**
   * That metadata: what `ccgate login` signs in with (its `gatewayUrl` is
   * {@linkcode InstallGateway.url} or none), so that it does not ask again.
   */
  metadata?: CcgateMetadata;
}

/** Options of {@linkcode installGatewayUrl}. */
export interface InstallGatewayUrlOptions {
  /** The `fetch` that asks the URL's metadata. */
  fetch: typeof globalThis.fetch;
  /**
   * Refuse a URL that does not answer as a ccgate server
   * ({@linkcode installGatewayCheck}: exit 4, nothing changed) instead of
   * taking it as given.
   * @default {false}
   */
  check?: boolean;
}

/**
 * The gateway a ccgate URL given to `ccgate install` stands for, asking the
 * ccgate metadata at most once. Where the gateway is deployed apart from the
 * auth service, the URL may be the auth service's: the gateway is then the
 * one this machine's sign-in to it keeps (`config.json`, not asked unless
 * `check`: the gateway is asked then), else the one the auth service
 * publishes (`ccgate_gateway_url`). Any other URL, one that cannot be asked
 * without `check` (offline, an older server) and a gateway's own URL stand
 * for themselves.
 *
 * @param url The URL given, checked (`gatewayUrl()`), without trailing slashes.
 * @param config This machine's `config.json`, if any.
 * @param options `fetch`, and whether to refuse a URL that is not ccgate.
 * @returns The gateway's URL, and the metadata when it was read.
 * @throws {UnavailableError} With `check`, as {@linkcode installGatewayCheck}.
 *
 * @example
 * ```ts
 * import { installGatewayUrl } from "./install_gateway_url.ts";
 *
 * const config = {
 *   url: "https://auth.example.com",
 *   store: "file" as const,
 *   gatewayUrl: "https://gateway.example.com",
 * };
 * const gateway = await installGatewayUrl("https://auth.example.com", config, { fetch });
 * console.assert(gateway.url === "https://gateway.example.com");
 * console.assert(gateway.metadata === undefined); // not asked
 * ```
 */
export async function installGatewayUrl(
  url: string,
  config: CliConfig | undefined,
  options: InstallGatewayUrlOptions,
): Promise<InstallGateway> {
  const kept = config !== undefined && (config.url === url || config.gatewayUrl === url)
    ? config.gatewayUrl ?? url
    : undefined;
  const gatewayOf = (metadata: CcgateMetadata) =>
    kept ?? metadata.gatewayUrl?.replace(/\/+$/, "") ?? url;
  if (options.check) {
    // The gateway when it is known: its metadata leads to the auth service too (`discover`).
    const asked = kept ?? url;
    const metadata = await installGatewayCheck(asked, options.fetch);
    return { url: gatewayOf(metadata), asked, metadata };
  }
  if (kept !== undefined) return { url: kept };
  try {
    const metadata = await discover(url, { fetch: options.fetch, timeoutMs: 5_000 });
    return { url: gatewayOf(metadata), asked: url, metadata };
  } catch {
    return { url };
  }
}
