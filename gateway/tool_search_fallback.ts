import type { Context } from "hono";
import type { GatewayMetrics } from "./gateway_metrics.ts";
import type { Log } from "./log.ts";
import { isToolSearchRefusal, isValidationException } from "./tool_search_refusal.ts";
import type { ToolSearchRefusals } from "./tool_search_refusals.ts";
import { withoutToolSearch } from "./without_tool_search.ts";

/** What the safety net needs of the gateway. */
export interface ToolSearchFallbackDeps {
  /** Model ids Bedrock refused tool search for lately; absent: nothing is remembered. */
  toolSearchRefusals?: ToolSearchRefusals;
  /** Structured log sink. */
  log: Log;
  /** Where the refusal is counted (`ccgate_tool_search_refused_total`); absent: not counted. */
  metrics?: GatewayMetrics;
}

/** The safety net of one Bedrock call that forwarded tool search (see {@linkcode sendWithToolSearchFallback}). */
export interface ToolSearchFallback {
  /** Bedrock refused tool search, and the request sent without it was not refused: remember it. */
  refused(): void;
}

/**
 * The safety net of a call to `modelId` whose body forwarded tool search:
 * when told Bedrock refused it, the model id is remembered (the next
 * requests are translated without tool search at once), one log line
 * `tool search refused` says so (request id, model id; nothing of the
 * request) and `ccgate_tool_search_refused_total{model}` counts it.
 *
 * @param deps The refusals, the log, the metrics.
 * @param c The request's context (its request id).
 * @param modelId The Bedrock model id invoked.
 * @returns The fallback to pass to the call.
 */
export function toolSearchFallback(
  deps: ToolSearchFallbackDeps,
  c: Context,
  modelId: string,
): ToolSearchFallback {
  return {
    refused() {
      deps.toolSearchRefusals?.remember(modelId);
      deps.log({
        level: "warn",
        msg: "tool search refused",
        request_id: c.get("requestId"),
        model_id: modelId,
        detail:
          "Bedrock refused tool search for this model: its requests go without it (every tool loaded eagerly) for a while",
      });
      deps.metrics?.increment("ccgate_tool_search_refused_total", { model: modelId });
    },
  };
}

/**
 * Sends a Bedrock body; when it forwarded tool search (`fallback` given) and
 * Bedrock refused that (`isToolSearchRefusal`, a 400 before any byte), sends
 * it once more without tool search (`withoutToolSearch`) and tells
 * `fallback`, unless that second call is refused too (then tool search was
 * not the cause: its error is what the client gets). Any other failure is
 * thrown as it came. Both calls are one request for the caller: a refused
 * call costs nothing, and is no upstream failure (the circuit breaker counts
 * a 400 as an answer).
 *
 * @param body The body to send.
 * @param send One Bedrock call (with its own failover) of a body.
 * @param fallback The safety net, when `body` forwarded tool search.
 * @returns What `send` returned.
 */
export async function sendWithToolSearchFallback<T>(
  body: Uint8Array,
  send: (body: Uint8Array) => Promise<T>,
  fallback: ToolSearchFallback | undefined,
): Promise<T> {
  if (fallback === undefined) return await send(body);
  try {
    return await send(body);
  } catch (err) {
    if (!isToolSearchRefusal(err)) throw err;
    let retried: T;
    try {
      retried = await send(withoutToolSearch(body));
    } catch (again) {
      if (!isValidationException(again)) fallback.refused();
      throw again;
    }
    fallback.refused();
    return retried;
  }
}
