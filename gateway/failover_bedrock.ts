import {
  ConverseStreamCommand,
  InvokeModelWithResponseStreamCommand,
} from "@aws-sdk/client-bedrock-runtime";
import { backoffDelay } from "./backoff_delay.ts";
import type { BedrockClient, Served } from "./bedrock_upstream.ts";
import type { CircuitBreaker } from "./circuit_breaker.ts";
import {
  ModelNotAllowedError,
  OverloadedError,
  UpstreamError,
  UpstreamTimeoutError,
} from "./errors.ts";
import type { FailoverBedrockOptions } from "./failover_bedrock_options.ts";
import { type FailoverReason, failoverReason, isRetryable } from "./failover_reason.ts";
import type { MemoryReservation } from "./gateway_lifecycle.ts";
import { type UpstreamCandidate, upstreamCandidates } from "./upstream_candidates.ts";
import { GuardedEvents, UpstreamCall } from "./upstream_call.ts";
import { connectionErrorText } from "./connection_error_text.ts";

/** What `send` accepts besides the command: the call's abort signal and who to tell where it went. */
interface SendOptions {
  abortSignal?: AbortSignal;
  served?: Served;
  /** Passed on to each attempt's `send` (see `BedrockInvocation.sending`). */
  sending?: () => void;
  /** The request's memory reservation, taken over by the call's admission. */
  reservation?: MemoryReservation;
  /**
   * The only region × model ids this call may go to (the policy's catalogue
   * entry, see `upstreamScope`; `BedrockInvocation.upstreams`); the others
   * are skipped. Absent: every configured upstream.
   */
  upstreams?: (region: string, modelId: string) => boolean;
  /**
   * The gateway's request id (`BedrockInvocation.requestId`): `request_id`
   * on the log lines about this call's attempts. Absent: not logged.
   */
  requestId?: string;
}

// deno-lint-ignore no-explicit-any
type _Command = { input: Record<string, unknown>; constructor: new (input: any) => _Command };
type _Output = Record<string, unknown>;
interface _Opened {
  output: _Output;
  field: string;
  events: AsyncIterator<unknown>;
  first: unknown;
  attempt: AbortController;
}

/**
 * A Bedrock client (it has the SDK client's `send`) that makes every call
 * resilient, so every route that calls Bedrock through it gets the same
 * behaviour:
 *
 * - **Failover before the first byte.** A call that is throttled, fails with
 *   a 5xx, cannot connect, or (streamed) sends no first event within
 *   `firstByteMs` is retried after a jittered backoff on the next upstream:
 *   the same model id in the next region, then each alternative inference
 *   profile. A streamed call counts as answered once its first event has
 *   arrived; from then on nothing is retried.
 * - **Scope.** A call sent with `upstreams` (an admitted request's
 *   `upstreams`, see `BedrockInvocation.upstreams`) tries only the region × model
 *   ids it allows, the first included; when none is allowed the call is a
 *   403 {@linkcode ModelNotAllowedError} and nothing is sent.
 * - **Circuit breaker** per region × model id: an upstream that keeps failing
 *   is skipped until a probe succeeds. When every upstream's circuit is open
 *   the call fails fast with 529.
 * - **Timeouts**: first byte (fail over), idle between events and total
 *   (the stream's iterator throws {@linkcode UpstreamTimeoutError}, which the
 *   SSE stream turns into a final `event: error`).
 * - **Admission and drain** through the `GatewayLifecycle` (option `lifecycle`).
 *
 * Cost on a healthy call: three timers per streamed call (total, first byte,
 * idle — the idle one is re-armed at most once per idle period, not per
 * event) and one clock read per event.
 *
 * @example
 * ```ts ignore
 * const bedrock = new FailoverBedrock({ regions: [{ region: "us-east-1", client }], ... });
 * await invokeModelStream(bedrock, { modelId, body, signal });
 * ```
 */
export class FailoverBedrock {
  /** Same contract as the SDK client's `send` (promise form only). */
  readonly send: BedrockClient["send"];
  readonly #options: FailoverBedrockOptions;
  readonly #clients: Map<string, BedrockClient>;
  readonly #regionNames: string[];

  /** @param options Regions, profiles, retry, timeouts, breaker, timers, lifecycle. */
  constructor(options: FailoverBedrockOptions) {
    if (options.regions.length === 0) throw new TypeError("Cannot fail over: no Bedrock region");
    this.#options = options;
    this.#clients = new Map(options.regions.map((r) => [r.region, r.client]));
    this.#regionNames = options.regions.map((r) => r.region);
    this.send = ((command: _Command, sendOptions?: unknown) => {
      if (typeof sendOptions === "function") {
        throw new TypeError("Cannot send: callbacks are not supported, use the promise");
      }
      return this.#send(command, sendOptions as SendOptions | undefined);
    }) as unknown as BedrockClient["send"];
  }

  async #send(command: _Command, options?: SendOptions): Promise<_Output> {
    const streaming = command instanceof InvokeModelWithResponseStreamCommand ||
      command instanceof ConverseStreamCommand;
    const call = new UpstreamCall(
      this.#options.timers,
      this.#options.timeouts,
      options?.abortSignal,
    );
    const body = command.input.body;
    call.start(
      this.#options.lifecycle,
      body instanceof Uint8Array ? body.byteLength : 0,
      options?.reservation,
    );
    try {
      const result = await this.#attempts(command, call, streaming, options ?? {});
      if (!streaming) {
        call.finish();
        return result as _Output;
      }
      const opened = result as _Opened;
      call.streaming();
      const events = new GuardedEvents(opened.first, opened.events, call, opened.attempt);
      return { ...opened.output, [opened.field]: events };
    } catch (err) {
      call.finish();
      throw err;
    }
  }

  async #attempts(
    command: _Command,
    call: UpstreamCall,
    streaming: boolean,
    options: SendOptions,
  ): Promise<unknown> {
    const { breaker, maxAttempts, backoff, log } = this.#options;
    const requested = typeof command.input.modelId === "string" ? command.input.modelId : undefined;
    const regional = this.#options.regionalModelId;
    const candidates = _inScope(
      upstreamCandidates(requested, this.#regionNames, this.#options.profiles ?? []).map((c) =>
        regional === undefined || c.modelId === undefined
          ? c
          : { ...c, modelId: regional(c.modelId, c.region) ?? c.modelId }
      ),
      options.upstreams,
      requested,
    );
    const unusable = new Set<number>();
    let lastRetryable: unknown;
    let lastError: unknown;
    let cursor = 0;
    /** The failed attempt before this one: a failover from its region, counted when the next goes out. */
    let failed: { region: string; reason: FailoverReason } | undefined;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (attempt > 1) {
        await call.sleep(backoffDelay(attempt - 1, { ...backoff, random: this.#options.random }));
      }
      const pick = _pick(candidates, unusable, cursor, breaker);
      if (pick < 0) break;
      cursor = pick + 1;
      const candidate = candidates[pick]!;
      const key = _key(candidate);
      if (failed !== undefined) {
        this.#options.metrics?.increment("ccgate_upstream_failovers_total", {
          from_region: failed.region,
          to_region: candidate.region,
          reason: failed.reason,
        });
      }
      try {
        const out = await this.#attempt(candidate, command, call, streaming, options.sending);
        breaker.success(key);
        options.served?.(candidate.region, candidate.modelId);
        if (attempt > 1) {
          log?.({
            level: "info",
            msg: "bedrock failover",
            request_id: options.requestId,
            region: candidate.region,
            model_id: candidate.modelId,
            attempt,
          });
        }
        return out;
      } catch (err) {
        if (call.ended) {
          breaker.release(key);
          throw call.reason ?? err;
        }
        const retryable = isRetryable(err);
        log?.({
          level: "warn",
          msg: "bedrock attempt failed",
          request_id: options.requestId,
          region: candidate.region,
          model_id: candidate.modelId,
          attempt,
          error: _errorName(err),
          // A network failure's cause (DNS, refused, TLS, reset); an answered error's name again.
          detail: connectionErrorText(err),
          retryable,
        });
        failed = { region: candidate.region, reason: failoverReason(err, retryable) };
        if (!retryable) {
          // The upstream answered, so it is healthy; the request itself is refused.
          breaker.success(key);
          if (pick === 0) throw err;
          unusable.add(pick);
          lastError ??= err;
          continue;
        }
        breaker.failure(key);
        lastRetryable = err;
      }
    }
    if (lastRetryable !== undefined) throw lastRetryable;
    if (lastError !== undefined) throw lastError;
    const waitMs = Math.min(...candidates.map((c) => breaker.retryAfterMs(_key(c))));
    throw new OverloadedError(
      "Bedrock is failing for this model in every configured region; retry later",
      Math.max(1, Math.ceil(waitMs / 1000)),
    );
  }

  async #attempt(
    candidate: UpstreamCandidate,
    command: _Command,
    call: UpstreamCall,
    streaming: boolean,
    sending: (() => void) | undefined,
  ): Promise<unknown> {
    const { timers, timeouts } = this.#options;
    const client = this.#clients.get(candidate.region)!;
    const send = candidate.modelId === command.input.modelId
      ? command
      : new command.constructor({ ...command.input, modelId: candidate.modelId });
    const attempt = new AbortController();
    const callSignal = call.signal;
    if (callSignal.aborted) throw call.reason ?? callSignal.reason;
    const onCallAbort = () => attempt.abort(callSignal.reason);
    callSignal.addEventListener("abort", onCallAbort, { once: true });
    let firstByte: UpstreamTimeoutError | undefined;
    const timer = streaming
      ? timers.setTimeout(() => {
        firstByte = new UpstreamTimeoutError("first_byte", timeouts.firstByteMs);
        attempt.abort(firstByte);
      }, timeouts.firstByteMs)
      : undefined;
    let opened = false;
    try {
      // deno-lint-ignore no-explicit-any
      const output = await client.send(send as any, {
        abortSignal: attempt.signal,
        sending,
      } as { abortSignal: AbortSignal }) as unknown as _Output;
      if (!streaming) return output;
      const field = output.body !== undefined ? "body" : "stream";
      const iterable = output[field] as AsyncIterable<unknown> | undefined;
      if (iterable === undefined || typeof iterable[Symbol.asyncIterator] !== "function") {
        throw _noEvents("Bedrock returned no event stream");
      }
      const events = iterable[Symbol.asyncIterator]();
      const first = await events.next();
      if (first.done) throw _noEvents("Bedrock closed the stream without an event");
      const exception = _exceptionMember(first.value);
      if (exception !== undefined) throw exception;
      opened = true;
      return { output, field, events, first: first.value, attempt } satisfies _Opened;
    } catch (err) {
      attempt.abort();
      if (call.reason !== undefined) throw call.reason;
      if (call.ended) throw err;
      throw firstByte ?? err;
    } finally {
      if (timer !== undefined) timers.clearTimeout(timer);
      if (!opened) callSignal.removeEventListener("abort", onCallAbort);
    }
  }
}

/**
 * The candidates `allows` lets through (all without it); none left is a 403:
 * the admitted id goes nowhere the policy allows in the configured regions.
 */
function _inScope(
  candidates: UpstreamCandidate[],
  allows: SendOptions["upstreams"],
  requested: string | undefined,
): UpstreamCandidate[] {
  if (allows === undefined) return candidates;
  const kept = candidates.filter((c) => c.modelId === undefined || allows(c.region, c.modelId));
  if (kept.length > 0) return kept;
  throw new ModelNotAllowedError(
    `Model ${
      JSON.stringify(requested ?? "")
    } is not allowed in any configured Bedrock region: its entry in the gateway policy's model catalogue lists none of them (rule: models)`,
  );
}

function _key(candidate: UpstreamCandidate): string {
  return `${candidate.region} ${candidate.modelId ?? "-"}`;
}

/** The next usable candidate from `cursor` on (wrapping) whose circuit lets a call through, or -1. */
function _pick(
  candidates: readonly UpstreamCandidate[],
  unusable: ReadonlySet<number>,
  cursor: number,
  breaker: CircuitBreaker,
): number {
  for (let k = 0; k < candidates.length; k++) {
    const i = (cursor + k) % candidates.length;
    if (!unusable.has(i) && breaker.tryAcquire(_key(candidates[i]!))) return i;
  }
  return -1;
}

/** A modelled exception delivered as the first union member instead of being thrown. */
function _exceptionMember(event: unknown): Error | undefined {
  if (event === null || typeof event !== "object") return undefined;
  for (const [key, value] of Object.entries(event)) {
    if (value === undefined || !key.endsWith("Exception")) continue;
    const name = key.charAt(0).toUpperCase() + key.slice(1);
    const message = (value as { message?: unknown }).message;
    return Object.assign(new Error(typeof message === "string" ? message : name), { name });
  }
  return undefined;
}

function _noEvents(message: string): UpstreamError {
  return new UpstreamError(message, { status: 502, type: "api_error" });
}

function _errorName(err: unknown): string {
  const name = err instanceof Error ? err.name : typeof err;
  return /^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(name) ? name : "Error";
}
