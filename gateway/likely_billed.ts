import { GatewayError } from "./errors.ts";

/**
 * Whether a Bedrock call that ended without an answer most likely cost its
 * prompt, so that the gateway charges its estimated input (the ledger entry's
 * `estimated`, and the policy's budgets). Bedrock bills the tokens it
 * processed, and it bills no request it answered with an HTTP error. So:
 *
 * - never when nothing was sent (`sent` is false: refused by the policy, by
 *   load shedding or the drain, every circuit open, the client gone before the
 *   call), nor when the connection could not be opened (`fetch`'s "client
 *   error (Connect)": refused, DNS, TLS);
 * - never when Bedrock answered with an error (an exception with an HTTP
 *   status: validation, throttling, 5xx, or the stream's first event an
 *   exception), nor when the gateway's own checks refused the answer;
 * - otherwise yes: the client left after the request went out, the gateway
 *   stopped waiting (first-byte or total timeout, drain), or the connection
 *   broke after the request went out (reset before the answer's first byte).
 *
 * It errs high where it cannot tell: a client that leaves while the gateway
 * waits to retry an attempt Bedrock refused is charged too, as is a request
 * whose connection broke while its body was still being sent. Pure; it runs
 * once, when a call fails.
 *
 * @param error What the Bedrock call threw.
 * @param sent Whether an attempt's HTTP request went out (`BedrockInvocation.sending`).
 * @param clientAborted Whether the client had gone away.
 * @returns `true` when the request's input should be charged.
 *
 * @example
 * ```ts
 * import { likelyBilled } from "./likely_billed.ts";
 * const reset = new TypeError("error reading a body from connection");
 * console.assert(likelyBilled(reset, true, false));
 * console.assert(!likelyBilled(reset, false, false));
 * const throttled = Object.assign(new Error("slow down"), { name: "ThrottlingException" });
 * console.assert(!likelyBilled(throttled, true, false));
 * const refused = new TypeError("fetch failed", {
 *   cause: new Error("client error (Connect): tcp connect error: Connection refused"),
 * });
 * console.assert(!likelyBilled(refused, true, false));
 * ```
 */
export function likelyBilled(error: unknown, sent: boolean, clientAborted: boolean): boolean {
  if (!sent) return false;
  if (clientAborted) return true;
  if (error instanceof GatewayError) return GAVE_UP.has(error.code);
  if (!(error instanceof Error)) return false;
  if (/Exception$/.test(error.name)) return false;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  // The SDK also gives a 200 answer's failed body read (a reset before the first event) its status.
  if (status !== undefined && status >= 300) return false;
  return !_cannotConnect(error);
}

/** Gateway errors that end a call already sent, on the gateway's side. */
const GAVE_UP = new Set(["upstream_timeout", "shutting_down"]);

/** `fetch` failed to open the connection (its cause names hyper's `Connect` error). */
function _cannotConnect(error: Error): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; depth++) {
    if (CONNECT.test(e.message)) return true;
    e = e.cause;
  }
  return false;
}

const CONNECT = /client error \(Connect\)|tcp connect error|dns error|ConnectionRefused/;
