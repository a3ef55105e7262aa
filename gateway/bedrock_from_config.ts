import { createBedrockClient } from "./bedrock_client.ts";
import { CircuitBreaker } from "./circuit_breaker.ts";
import { circuitReporter } from "./circuit_reporter.ts";
import type { GatewayConfig } from "./config.ts";
import { FailoverBedrock } from "./failover_bedrock.ts";
import type { GatewayLifecycle } from "./gateway_lifecycle.ts";
import type { GatewayMetrics } from "./gateway_metrics.ts";
import type { Log } from "./log.ts";
import type { Timers } from "./timers.ts";

/** Dependencies of {@linkcode bedrockFromConfig}. */
export interface BedrockFromConfigDeps {
  /** Clock and timers. */
  timers: Timers;
  /** Admission and drain. */
  lifecycle?: GatewayLifecycle;
  /** Log sink. */
  log?: Log;
  /** Failover and circuit metrics (`ccgate_upstream_failovers_total`, `ccgate_circuit_open`). */
  metrics?: GatewayMetrics;
  /** Random source for the backoff jitter. @default Math.random */
  random?: () => number;
  /** Explicit credentials (the emulator); unset means the AWS credential chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Endpoint for every region, overriding the configuration (the local emulator). */
  endpoint?: string;
  /** Per-region model ids (the policy file's), see `FailoverBedrockOptions.regionalModelId`. */
  regionalModelId?: (modelId: string, region: string) => string | undefined;
}

/**
 * The gateway's Bedrock client from its configuration: one AWS SDK client
 * per configured region (endpoint: the per-region override, else
 * `AWS_ENDPOINT_URL_BEDROCK_RUNTIME` for the first region), wrapped in a
 * {@linkcode FailoverBedrock} with the configured retries, circuit breaker
 * and timeouts.
 *
 * @param config Validated gateway configuration.
 * @param deps Timers, lifecycle, log, credentials.
 * @returns The client to pass as `GatewayDeps.bedrock`.
 */
export function bedrockFromConfig(
  config: GatewayConfig,
  deps: BedrockFromConfigDeps,
): FailoverBedrock {
  const regions = config.bedrockRegions.map((region, i) => ({
    region,
    client: createBedrockClient({
      region,
      endpoint: deps.endpoint ?? config.bedrockEndpoints[region] ??
        (i === 0 ? config.bedrockEndpoint : undefined),
      credentials: deps.credentials,
    }),
  }));
  return new FailoverBedrock({
    regions,
    profiles: config.failoverProfiles,
    maxAttempts: config.retry.maxAttempts,
    backoff: { baseMs: config.retry.baseMs, maxMs: config.retry.maxDelayMs },
    timeouts: config.timeouts,
    breaker: new CircuitBreaker({
      failureThreshold: config.breaker.failures,
      cooldownMs: config.breaker.cooldownMs,
      now: () => deps.timers.now(),
      changed: circuitReporter({
        log: deps.log,
        metrics: deps.metrics,
        regions: config.bedrockRegions,
      }),
    }),
    timers: deps.timers,
    lifecycle: deps.lifecycle,
    random: deps.random,
    log: deps.log,
    metrics: deps.metrics,
    regionalModelId: deps.regionalModelId,
  });
}
