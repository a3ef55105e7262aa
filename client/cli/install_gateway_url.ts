import { discover } from "../discover.ts";
import type { CliConfig } from "./cli_config.ts";

/**
 * The gateway a ccgate URL given to `ccgate install` stands for: what goes
 * into Claude Code's `ANTHROPIC_BASE_URL`. Where the gateway is deployed apart
 * from the auth service, the URL may be the auth service's: the gateway is
 * then the one this machine's sign-in to it keeps (`config.json`), else the
 * one the auth service publishes (`ccgate_gateway_url`). Any other URL, one
 * that cannot be asked (offline, an older server) and a gateway's own URL
 * stand for themselves.
 *
 * @param url The URL given, checked (`gatewayUrl()`), without trailing slashes.
 * @param config This machine's `config.json`, if any.
 * @param fetch The `fetch` that asks the URL's metadata.
 * @returns The gateway's URL, without trailing slashes.
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
 * const gateway = await installGatewayUrl("https://auth.example.com", config, fetch);
 * console.assert(gateway === "https://gateway.example.com");
 * ```
 */
export async function installGatewayUrl(
  url: string,
  config: CliConfig | undefined,
  fetch: typeof globalThis.fetch,
): Promise<string> {
  if (config !== undefined && (config.url === url || config.gatewayUrl === url)) {
    return config.gatewayUrl ?? url;
  }
  try {
    const metadata = await discover(url, { fetch, timeoutMs: 5_000 });
    return metadata.gatewayUrl?.replace(/\/+$/, "") ?? url;
  } catch {
    return url;
  }
}
