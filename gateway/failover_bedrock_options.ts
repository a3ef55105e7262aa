/**
 * The options of `FailoverBedrock` (failover_bedrock.ts): its regions,
 * alternative profiles, retries, time limits, circuit breaker, admission,
 * log and metrics.
 *
 * @module
 */
import type { BedrockClient } from "./bedrock_upstream.ts";
import type { CircuitBreaker } from "./circuit_breaker.ts";
import type { GatewayLifecycle } from "./gateway_lifecycle.ts";
import type { GatewayMetrics } from "./gateway_metrics.ts";
import type { Log } from "./log.ts";
import type { Timers } from "./timers.ts";
import type { FailoverTimeouts } from "./upstream_call.ts";

/** One Bedrock region and its SDK client. */
export interface BedrockRegion {
  /** AWS region, e.g. `us-east-1`. */
  region: string;
  /** The client for that region (see `createBedrockClient`). */
  client: BedrockClient;
}

/** Options of `FailoverBedrock`. */
export interface FailoverBedrockOptions {
  /** Regions in order of preference; the first is the primary. */
  regions: readonly BedrockRegion[];
  /**
   * Alternative inference profile prefixes tried after every region failed
   * with the requested one (e.g. `["global"]` for `us.` ids). Another profile
   * may serve the call from another geography; a call's `upstreams` (the
   * policy's catalogue entry) skips those it does not list.
   * @default {[]}
   */
  profiles?: readonly string[];
  /** Most attempts per call, the first included. */
  maxAttempts: number;
  /** Jittered exponential backoff between attempts. */
  backoff: { baseMs: number; maxMs: number };
  /** Time limits. */
  timeouts: FailoverTimeouts;
  /** Circuits per region × model id. */
  breaker: CircuitBreaker;
  /** Clock and timers (fake in tests). */
  timers: Timers;
  /** Admission and drain; absent means no concurrency limit. */
  lifecycle?: GatewayLifecycle;
  /** Random source for the jitter. @default Math.random */
  random?: () => number;
  /**
   * Where failed attempts and failovers are reported (the request id, region,
   * model id, error name; never content).
   */
  log?: Log;
  /**
   * Where failovers are counted (`ccgate_upstream_failovers_total`, by
   * from_region, to_region and reason). @default none
   */
  metrics?: GatewayMetrics;
  /**
   * The id to invoke in a region instead of the requested one (the policy
   * file's per-region ids); `undefined` keeps it. @default none
   */
  regionalModelId?: (modelId: string, region: string) => string | undefined;
}
