/** Where the CLI reads a ccgate URL's metadata (RFC 8414), on the gateway too. */
export const DISCOVERY_PATH = "/.well-known/oauth-authorization-server";

/** Options of {@linkcode gatewayDiscoveryRoute}. */
export interface GatewayDiscoveryOptions {
  /** The auth service's URL (`CCGATE_ISSUER`): where the client signs in. */
  issuer: string;
}

/**
 * `GET /.well-known/oauth-authorization-server` of the gateway deployed apart
 * from the auth service (`gateway/main.ts`): a pointer, not the auth service's
 * metadata, naming the auth service as `issuer` and this gateway (the origin
 * the request came to) as `ccgate_gateway_url`. `ccgate login --url <gateway>`
 * follows `issuer` to the auth service's own metadata and keeps the gateway's
 * URL for Claude Code. In `main.ts` the path is the auth service's, which
 * names the gateway itself.
 *
 * @param options The issuer.
 * @returns A handler: the answer to `GET` or `HEAD` of the path, `undefined`
 * for any other request (the gateway app's).
 *
 * @example
 * ```ts
 * import { gatewayDiscoveryRoute } from "./gateway_discovery_route.ts";
 *
 * const discovery = gatewayDiscoveryRoute({ issuer: "https://auth.example.com" });
 * const response = discovery(new Request("https://gw.example.com/.well-known/oauth-authorization-server"));
 * console.assert((await response!.json()).ccgate_gateway_url === "https://gw.example.com");
 * ```
 */
export function gatewayDiscoveryRoute(
  options: GatewayDiscoveryOptions,
): (request: Request) => Response | undefined {
  const issuer = options.issuer.replace(/\/+$/, "");
  return function gatewayDiscovery(request) {
    if (request.method !== "GET" && request.method !== "HEAD") return undefined;
    const url = new URL(request.url);
    if (url.pathname !== DISCOVERY_PATH) return undefined;
    const body = JSON.stringify({ issuer, ccgate_gateway_url: url.origin });
    return new Response(request.method === "HEAD" ? null : body, {
      headers: { "content-type": "application/json", "cache-control": "public, max-age=3600" },
    });
  };
}
