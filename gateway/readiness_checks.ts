import type { ReadinessCheck } from "./readyz_route.ts";
import type { GatewayLifecycle } from "./gateway_lifecycle.ts";
import { connectionErrorText } from "./connection_error_text.ts";

/**
 * Readiness of Deno KV: a read round trip, at most once per `ttlMs` however
 * often `/readyz` is called (it needs no credential, and KV reads are
 * billed), its result reused meanwhile ({@linkcode cachedReadiness}).
 *
 * @param kv The gateway's KV.
 * @param options The reuse window and the clock.
 * @returns The `kv` check.
 */
export function kvReadiness(kv: Deno.Kv, options: CachedReadinessOptions): ReadinessCheck {
  return cachedReadiness({
    name: "kv",
    async check() {
      await kv.get(["readyz"]);
      return "reachable";
    },
  }, options);
}

/**
 * Readiness of an HTTP endpoint (Bedrock Runtime): any HTTP answer within
 * `timeoutMs` counts as reachable; a connection failure or timeout does not.
 * With `requireOk` (the auth service's JWKS), only a 2xx answer does.
 *
 * The detail is `reachable`: the probe is an unsigned `GET` of the URL,
 * which Bedrock Runtime (and its emulator) answers 403 or 404, as expected,
 * so a 4xx status is not shown; a 5xx is (`reachable (answered HTTP 503)`).
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
        throw new Error(`Cannot reach ${url}: ${connectionErrorText(err)}`);
      });
      await response.body?.cancel();
      if (options.requireOk && !response.ok) {
        throw new Error(`${url} answered HTTP ${response.status}`);
      }
      return response.status >= 500 ? `reachable (answered HTTP ${response.status})` : "reachable";
    },
  };
}

/** Options of {@linkcode cachedReadiness}. */
export interface CachedReadinessOptions {
  /** How long one result (pass or fail) is reused, ms. */
  ttlMs: number;
  /** The clock, ms (`Timers.now`). */
  now: () => number;
}

/**
 * A check whose result is reused for `ttlMs`, and whose concurrent callers
 * share one run: however often `/readyz` is called (it needs no credential),
 * the probes behind the check go out at most once per `ttlMs`.
 *
 * @param inner The check to run.
 * @param options The reuse window and the clock.
 * @returns The same check, cached.
 */
export function cachedReadiness(
  inner: ReadinessCheck,
  options: CachedReadinessOptions,
): ReadinessCheck {
  let last: { at: number; result: Promise<string> } | undefined;
  return {
    name: inner.name,
    check() {
      const now = options.now();
      if (last === undefined || now - last.at >= options.ttlMs) {
        const result = inner.check();
        result.catch(() => {}); // a failure is reported to every caller, never unhandled
        last = { at: now, result };
      }
      return last.result;
    },
  };
}

/**
 * Readiness of the instance's lifecycle: fails with `draining` as soon as
 * the shutdown begins (while requests are still served during
 * `CCGATE_DRAIN_DELAY_MS`), so a load balancer stops sending new ones.
 *
 * @param lifecycle The gateway's lifecycle.
 * @returns The `lifecycle` check.
 */
export function lifecycleReadiness(
  lifecycle: Pick<GatewayLifecycle, "stopping" | "active">,
): ReadinessCheck {
  return {
    name: "lifecycle",
    check: () =>
      lifecycle.stopping
        ? Promise.reject(new Error("draining: shutting down"))
        : Promise.resolve(`accepting (${lifecycle.active} in flight)`),
  };
}
