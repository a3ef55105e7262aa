/**
 * Readiness of Bedrock Runtime across the configured regions: the instance
 * can serve while any region answers, because failover carries requests to
 * the regions that do.
 *
 * @module
 */
import type { GatewayConfig } from "./config.ts";
import { httpReadiness } from "./readiness_checks.ts";
import type { ReadinessCheck } from "./readyz_route.ts";

/** One region's Bedrock Runtime endpoint, as the readiness check probes it. */
export interface BedrockProbeTarget {
  /** AWS region (`us-east-1`). */
  region: string;
  /** The endpoint the gateway's client for that region calls. */
  url: string;
}

/**
 * The endpoints the gateway calls, one per configured region, resolved as
 * `bedrockFromConfig` resolves them: `endpoint` (the local emulator) for
 * every region, else the region's `CCGATE_BEDROCK_ENDPOINTS` override, else
 * `AWS_ENDPOINT_URL_BEDROCK_RUNTIME` for the first region, else AWS's public
 * endpoint of the region.
 *
 * @param config The regions and endpoint settings.
 * @param endpoint Endpoint of every region (the local emulator), if any.
 * @returns One target per region, in the configured order.
 */
export function bedrockProbeTargets(
  config: Pick<GatewayConfig, "bedrockRegions" | "bedrockEndpoints" | "bedrockEndpoint">,
  endpoint?: string,
): BedrockProbeTarget[] {
  return config.bedrockRegions.map((region, i) => ({
    region,
    url: endpoint ?? config.bedrockEndpoints[region] ??
      (i === 0 ? config.bedrockEndpoint : undefined) ??
      `https://bedrock-runtime.${region}.amazonaws.com/`,
  }));
}

/** Options of {@linkcode bedrockReadiness}. */
export interface BedrockReadinessOptions {
  /**
   * The `fetch` the probes go through.
   * @default {globalThis.fetch}
   */
  fetch?: typeof fetch;
  /**
   * How long one probe may take, ms.
   * @default {2000}
   */
  timeoutMs?: number;
}

/**
 * The `bedrock` readiness check: probes every region's endpoint at once
 * (each distinct URL once) and passes when any of them answers over HTTP —
 * a request is then served, through failover if need be. The detail names
 * each region's state, so a region that is down is visible while the
 * instance stays ready; the check fails only when no region answers.
 *
 * @param targets The regions and their endpoints ({@linkcode bedrockProbeTargets}).
 * @param options `fetch` and the probe timeout.
 * @returns The check.
 *
 * @example
 * ```ts
 * const check = bedrockReadiness([
 *   { region: "us-east-1", url: "https://bedrock-runtime.us-east-1.amazonaws.com/" },
 *   { region: "us-west-2", url: "https://bedrock-runtime.us-west-2.amazonaws.com/" },
 * ]);
 * console.assert(check.name === "bedrock");
 * ```
 */
export function bedrockReadiness(
  targets: BedrockProbeTarget[],
  options: BedrockReadinessOptions = {},
): ReadinessCheck {
  const probes = new Map<string, ReadinessCheck>();
  for (const { url } of targets) {
    if (!probes.has(url)) probes.set(url, httpReadiness("bedrock", url, options));
  }
  return {
    name: "bedrock",
    async check() {
      const byUrl = new Map<string, { ok: boolean; detail: string }>();
      await Promise.all([...probes].map(async ([url, probe]) => {
        try {
          byUrl.set(url, { ok: true, detail: await probe.check() });
        } catch (err) {
          byUrl.set(url, { ok: false, detail: err instanceof Error ? err.message : String(err) });
        }
      }));
      const states = targets.map(({ region, url }) => ({ region, ...byUrl.get(url)! }));
      const up = states.filter((s) => s.ok).length;
      const each = states.map((s) => `${s.region}: ${s.detail}`).join("; ");
      if (up === 0) throw new Error(`No Bedrock region reachable: ${each}`);
      return `${up} of ${states.length} regions reachable: ${each}`;
    },
  };
}
