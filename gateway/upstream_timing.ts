import type { Context, MiddlewareHandler } from "hono";
import { endTime, startTime } from "hono/timing";

/** Server-Timing name of ccgate's own work before the Bedrock call. */
const GATEWAY = "gateway";
/** Server-Timing name of the Bedrock call, from sending to the first byte. */
const BEDROCK = "bedrock";

/**
 * Starts the `gateway` Server-Timing timer as the request arrives (right
 * after Hono's `timing()` middleware): {@linkcode upstreamTiming} ends it
 * when the Bedrock request goes out; a request that never reaches Bedrock
 * has it end with the response.
 */
export const gatewayTimer: MiddlewareHandler = (c, next) => {
  startTime(c, GATEWAY, "ccgate before the Bedrock call");
  return next();
};

/** The two hooks of one Bedrock call, for the `Server-Timing` header. */
export interface UpstreamTiming {
  /** Pass as `BedrockInvocation.sending`: each attempt going out. */
  sending: () => void;
  /** Call when the first byte (or the whole JSON answer) arrived. */
  firstByte: () => void;
}

/**
 * The `Server-Timing` hooks of one Bedrock call: `gateway` ends as the first
 * attempt goes out (so it is ccgate's own work: reading, checking and
 * translating the request, policy, SDK signing), `bedrock` runs from the
 * last attempt going out to the first byte (retries and their backoff
 * included). `deno task bench` reads `gateway` to report the gateway's own
 * share of the added latency, which the load generator's and emulator's
 * noise does not reach.
 *
 * @param c The request's context (with Hono's `timing()` middleware).
 * @returns The hooks.
 */
export function upstreamTiming(c: Context): UpstreamTiming {
  let sent = false;
  return {
    sending() {
      if (!sent) endTime(c, GATEWAY);
      sent = true;
      startTime(c, BEDROCK, "Bedrock, to the first byte");
    },
    firstByte() {
      if (sent) endTime(c, BEDROCK);
    },
  };
}
