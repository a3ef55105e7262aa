import type { ReadinessCheck } from "./readyz_route.ts";

/** Readiness of Deno KV: a read round trip. */
export function kvReadiness(kv: Deno.Kv): ReadinessCheck {
  return {
    name: "kv",
    async check() {
      await kv.get(["readyz"]);
      return "reachable";
    },
  };
}

/**
 * Readiness of an HTTP endpoint (Bedrock Runtime): any HTTP answer within
 * `timeoutMs` counts as reachable; a connection failure or timeout does not.
 * With `requireOk` (the auth service's JWKS), only a 2xx answer does.
 */
export function httpReadiness(
  name: string,
  url: string,
  options: { fetch?: typeof fetch; timeoutMs?: number; requireOk?: boolean } = {},
): ReadinessCheck {
  const fetchImpl = options.fetch ?? fetch;
  return {
    name,
    async check() {
      const response = await fetchImpl(url, {
        method: "GET",
        signal: AbortSignal.timeout(options.timeoutMs ?? 2_000),
      }).catch((err) => {
        throw new Error(`Cannot reach ${url}: ${err instanceof Error ? err.name : "error"}`);
      });
      await response.body?.cancel();
      if (options.requireOk && !response.ok) {
        throw new Error(`${url} answered HTTP ${response.status}`);
      }
      return `reachable (HTTP ${response.status})`;
    },
  };
}
