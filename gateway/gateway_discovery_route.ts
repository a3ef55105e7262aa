import type { Context, Handler } from "hono";

/** Where the CLI reads a ccgate URL's metadata (RFC 8414), on the gateway too. */
export const DISCOVERY_PATH = "/.well-known/oauth-authorization-server";

/**
 * `GET /.well-known/oauth-authorization-server` of the gateway deployed apart
 * from the auth service (`gateway/main.ts`; `GatewayDeps.discoveryIssuer`): a
 * pointer, not the auth service's metadata, naming the auth service as
 * `issuer` and this gateway (the origin the request came to) as
 * `ccgate_gateway_url`. `ccgate login --url <gateway>` follows `issuer` to the
 * auth service's own metadata and keeps the gateway's URL for Claude Code. In
 * `main.ts` the path is the auth service's, which names the gateway itself.
 *
 * @param issuer The auth service's URL (`CCGATE_ISSUER`): where the client signs in.
 * @returns The handler (register it for `GET` and `HEAD`).
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { DISCOVERY_PATH, gatewayDiscoveryRoute } from "./gateway_discovery_route.ts";
 *
 * const app = new Hono().get(DISCOVERY_PATH, gatewayDiscoveryRoute("https://auth.example.com"));
 * const response = await app.request(`https://gw.example.com${DISCOVERY_PATH}`);
 * console.assert((await response.json()).ccgate_gateway_url === "https://gw.example.com");
 * ```
 */
export function gatewayDiscoveryRoute(issuer: string): Handler {
  const auth = issuer.replace(/\/+$/, "");
  return function gatewayDiscovery(c: Context) {
    c.header("cache-control", "public, max-age=3600");
    return c.json({ issuer: auth, ccgate_gateway_url: new URL(c.req.url).origin });
  };
}
