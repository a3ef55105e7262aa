import type { Context } from "hono";
import { TOOL_SEARCH_ASKED_BY, TOOL_SEARCH_BETA } from "./bedrock_compat.ts";
import { droppedHeader } from "./dropped_header.ts";
import type { GatewayMetrics } from "./gateway_metrics.ts";
import type { Log } from "./log.ts";
import {
  isToolSearchRefusal,
  isValidationException,
  type RefusalScope,
  refusalScope,
} from "./tool_search_refusal.ts";
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
  /**
   * Bedrock refused tool search, and the request sent without it was not
   * refused: remember it.
   *
   * @param dropped What the body sent again went without (see `withoutToolSearch`).
   */
  refused(dropped: readonly string[], scope: RefusalScope): void;
}

/**
 * The safety net of a call to `modelId` whose body forwarded tool search:
 * when told Bedrock refused it for the model (`scope` `"model"`), the model id is remembered (the next
 * requests are translated without tool search at once), one log line
 * `tool search refused` says so (request id, model id; nothing of the
 * request) and `ccgate_tool_search_refused_total{model}` counts it; the
 * response's `x-ccgate-dropped` then says what the body sent went without
 * (the tool search beta by the name the client gave it, `defer_loading`,
 * `tool_reference`; positions in `messages` are those of the body sent), not
 * what the refused one did.
 *
 * @param deps The refusals, the log, the metrics.
 * @param c The request's context (its request id, its response headers).
 * @param modelId The Bedrock model id invoked.
 * @param dropped What the translation that forwarded tool search dropped
 * (`BedrockRequest.dropped`, the response's `x-ccgate-dropped` so far).
 * @returns The fallback to pass to the call.
 */
export function toolSearchFallback(
  deps: ToolSearchFallbackDeps,
  c: Context,
  modelId: string,
  dropped: readonly string[],
): ToolSearchFallback {
  return {
    refused(without, scope) {
      c.header("x-ccgate-dropped", droppedHeader(_droppedWithout(dropped, without)));
      if (scope === "request") {
        deps.log({
          level: "info",
          msg: "tool search refused for one request",
          request_id: c.get("requestId"),
          model_id: modelId,
          detail:
            "A tool_reference named a tool the request does not declare: sent again without tool search; the model keeps it",
        });
        return;
      }
      deps.toolSearchRefusals?.remember(modelId);
      deps.log({
        level: "warn",
        msg: "tool search refused",
        request_id: c.get("requestId"),
        model_id: modelId,
        detail:
          "Bedrock refused tool search for this model: its requests go without it (deferred tools sent as ordinary ones) for a while",
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
    const scope = refusalScope(err);
    const dropped: string[] = [];
    let retried: T;
    try {
      retried = await send(withoutToolSearch(body, dropped));
    } catch (again) {
      if (!isValidationException(again)) fallback.refused(dropped, scope);
      throw again;
    }
    fallback.refused(dropped, scope);
    return retried;
  }
}

/**
 * What a request sent again without tool search went without: the
 * translation's entries, a tool search beta it renamed now dropped instead
 * (`rewrite:beta:advanced-tool-use-2025-11-20` becomes
 * `beta:advanced-tool-use-2025-11-20`; Bedrock's name is listed only when
 * none was renamed: the client sent that one), then what `withoutToolSearch`
 * dropped.
 */
function _droppedWithout(forwarded: readonly string[], without: readonly string[]): string[] {
  let renamed = false;
  const out = forwarded.map((entry) => {
    const beta = entry.startsWith("rewrite:beta:") ? entry.slice("rewrite:beta:".length) : "";
    if (!TOOL_SEARCH_ASKED_BY.includes(beta)) return entry;
    renamed = true;
    return `beta:${beta}`;
  });
  for (const entry of without) {
    if (!(renamed && entry === `beta:${TOOL_SEARCH_BETA}`)) out.push(entry);
  }
  return out;
}
