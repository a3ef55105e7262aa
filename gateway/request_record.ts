import type { MiddlewareHandler } from "hono";
import type { GatewayDeps } from "./app.ts";
import { errorTypeOf, isUpstreamError } from "./error_type.ts";
import { IncompleteBodyError } from "./errors.ts";
import type { LedgerEntry, LedgerOutcome } from "./ledger/ledger_entry.ts";
import { estimateBodyInputTokens, estimateBytesInputTokens } from "./estimate_input_tokens.ts";
import { costUsd } from "./model_price.ts";
import { recordMetrics } from "./record_metrics.ts";
import { requestLedgerEntry } from "./request_ledger_entry.ts";
import { RequestSpans } from "./request_spans.ts";
import type { StreamOutcome } from "./sse_stream.ts";
import { StreamMeter } from "./stream_meter.ts";
import { toUpstreamError } from "./upstream_error.ts";
import { EMPTY_USAGE, type TokenUsage } from "./usage.ts";

declare module "hono" {
  interface ContextVariableMap {
    /** The request's usage record: routes fill in the model, usage and stream end. */
    record: RequestRecord;
  }
}

/** Model routes whose requests are recorded. */
export type RecordedRoute =
  | "messages"
  | "chat_completions"
  | "bedrock_invoke"
  | "bedrock_invoke_stream"
  | "count_tokens";

/** What a recorded request learned before it ended. */
interface RecordFields {
  model: string | null;
  bedrockModel: string | null;
  /** AWS region that answered (after any failover), `null` until one has. */
  region: string | null;
  stream: boolean;
  usage: TokenUsage;
  /**
   * Whether `usage` holds estimates: the stream meter's output count (a stream cut short), or
   * the input of a call that ended before Bedrock's first byte (`settleUnanswered`).
   */
  estimated?: boolean;
  /**
   * Bedrock service tier (`X-Amzn-Bedrock-Service-Tier`) of a Bedrock-native request: the one
   * asked for, then the one Bedrock said served it. Absent: the standard tier.
   */
  serviceTier?: string;
  /** Extra log-only fields (never a token, never prompt text). */
  note?: Record<string, string | number | boolean>;
}

/** The status recorded for a request whose client went away before its answer. */
const CLIENT_CLOSED = 499;

/** How long after a request's total timeout its open ledger record may be rolled up as interrupted, ms. */
const OPEN_MARGIN_MS = 10 * 60_000;

/**
 * One request's record, finished exactly once: the structured log line, the
 * usage ledger entry and the metrics. The {@linkcode requestRecord}
 * middleware creates it and finishes it when the handler returns or throws;
 * a streamed answer calls {@linkcode RequestRecord.streaming} and finishes
 * it itself when the stream ends (completed, failed or aborted).
 */
export class RequestRecord {
  readonly #deps: GatewayDeps;
  readonly #route: RecordedRoute;
  readonly #requestId: string;
  readonly #claims: { sub: string; sid: string; tid?: string; groups: string[]; roles: string[] };
  readonly #at: Date;
  readonly #started = performance.now();
  readonly #ledger: boolean;
  /** The request's OpenTelemetry spans. */
  readonly #spans: RequestSpans;
  #firstByteMs: number | null = null;
  /** A stream's meter: estimates the output of a stream cut before Bedrock's final count. */
  #meter: StreamMeter | undefined;
  #maxOutput: number | undefined;
  #deferred = false;
  #finished = false;
  readonly #fields: RecordFields = {
    model: null,
    bedrockModel: null,
    region: null,
    stream: false,
    usage: { ...EMPTY_USAGE },
  };

  /** @internal Built by {@linkcode requestRecord}. */
  constructor(
    deps: GatewayDeps,
    route: RecordedRoute,
    requestId: string,
    claims: { sub: string; sid: string; tid?: string; groups: string[]; roles: string[] },
    ledger: boolean,
  ) {
    this.#deps = deps;
    this.#route = route;
    this.#requestId = requestId;
    this.#claims = claims;
    this.#at = deps.now();
    this.#ledger = ledger;
    this.#spans = new RequestSpans(route, requestId, claims.sub);
  }

  /** Whether the stream will finish this record (set by {@linkcode RequestRecord.streaming}). */
  get deferred(): boolean {
    return this.#deferred;
  }

  /** Whether the record was written. */
  get finished(): boolean {
    return this.#finished;
  }

  /**
   * Sets what is known so far: model names, stream flag, usage, log notes.
   *
   * @param fields The fields to overwrite.
   */
  set(fields: Partial<RecordFields>): void {
    Object.assign(this.#fields, fields);
    this.#spans.set(fields);
  }

  /** Marks the start of the Bedrock call (an OpenTelemetry span until the first byte). */
  upstreamStarted(): void {
    this.#spans.upstreamStarted(this.#fields.bedrockModel ?? "");
  }

  /** Marks the first byte from Bedrock (latency to first byte). */
  firstByte(): void {
    this.#firstByteMs ??= performance.now() - this.#started;
    this.#spans.firstByte();
  }

  /**
   * Marks a non-streamed Bedrock call in flight: if it still runs at the
   * usage ledger's next refresh (`CCGATE_LEDGER_OPEN_REFRESH_MS`), an open record of it is
   * written (`UsageLedger.openLater`: status 0, its input estimated from
   * `body`), so a gateway that dies before the answer leaves the request in
   * the ledger as `interrupted`. Most calls end first and write nothing.
   *
   * The record holds `body` only weakly: while the call holds it (until the
   * answer, usually), the estimate reads it; after, it counts its size
   * (`estimateBytesInputTokens`). Holding it strongly from the ledger's map of
   * live requests, for the 20-odd ms of each call, made V8 run two to five
   * times as many full collections under load (9 to 24 against 4 to 5 in a
   * bench gateway's 35 s at up to 100 req/s; p99 at 100 req/s, median of six
   * runs, 34.2 against 31.7 ms: measured 2026-12-01).
   *
   * @param body The InvokeModel body sent.
   */
  invoking(body: Uint8Array): void {
    const { ledger } = this.#deps;
    if (ledger === undefined || !this.#ledger || this.#deferred || this.#finished) return;
    let usage: TokenUsage | undefined;
    const bytes = body.length;
    const sent = new WeakRef(body);
    ledger.openLater(this.#requestId, this.#until(), () => {
      if (usage === undefined) {
        const held = sent.deref();
        const inputTokens = held === undefined
          ? estimateBytesInputTokens(bytes)
          : estimateBodyInputTokens(held);
        usage = { ...EMPTY_USAGE, inputTokens };
      }
      const totalMs = performance.now() - this.#started;
      const entry = this.#entry(0, "interrupted", null, this.#cost(usage), totalMs, usage);
      entry.estimated = true;
      return entry;
    });
  }

  /**
   * Starts metering a stream: its chunks go to the returned meter, which
   * estimates the output of a stream cut before Bedrock's final count (see
   * {@linkcode StreamMeter}) for the open record and the final entry.
   *
   * @param maxOutput The request's `max_tokens` as sent: the estimate's ceiling.
   * @returns The meter to read every upstream chunk into.
   */
  meter(maxOutput: number | undefined): StreamMeter {
    this.#maxOutput = maxOutput;
    return this.#meter ??= new StreamMeter();
  }

  /**
   * Hands the record to the stream: it is finished by
   * {@linkcode RequestRecord.finishStream}. Until then the usage ledger holds
   * an open record of it (outcome `interrupted`), which another instance rolls
   * up if this process dies first (see `UsageLedger.open`); the record is
   * written again as the stream's output grows, so what the stream used is
   * in it up to the last refresh.
   */
  streaming(): void {
    if (this.#deferred || this.#finished) return;
    this.#deferred = true;
    const { ledger } = this.#deps;
    if (ledger !== undefined && this.#ledger) {
      const now = () => this.#interrupted();
      ledger.open(now(), this.#until(), now);
    }
    this.#deps.metrics?.add("ccgate_active_streams", { route: this.#route }, 1);
    this.#spans.streaming();
  }

  /**
   * Finishes a streamed request with what was streamed: the usage Bedrock
   * reported, with the meter's estimate of the output when the stream ended
   * before Bedrock's final count (the entry's `estimated`).
   *
   * @param end How the stream ended.
   * @param reported The usage reported in the frames sent.
   * @returns The usage recorded (to charge the same).
   */
  finishStream(end: StreamOutcome, reported: TokenUsage): TokenUsage {
    this.#fields.usage = reported;
    const { usage, estimated } = this.#measured();
    this.#fields.usage = usage;
    this.#fields.estimated = estimated;
    // What ended the stream as the gateway's upstream error (done once, at the end), so that it is
    // typed like a failure before the first byte: a reset connection is `upstream_connection`,
    // not the `TypeError` the body read threw.
    const error = end.kind === "upstream_error" ? toUpstreamError(end.error) : undefined;
    // The drain deadline of a restart ended it: the gateway's doing, not Bedrock's.
    const outcome: LedgerOutcome = error?.code === "shutting_down" ? "shutting_down" : end.kind;
    this.#finish(200, outcome, error);
    return usage;
  }

  /**
   * Finishes a request that was answered (or failed) without a stream.
   *
   * @param status The HTTP status answered (499: the client went away first).
   * @param error The error thrown by the handler, if any.
   * @param clientAborted Whether the client had gone away.
   */
  finishResponse(status: number, error: unknown, clientAborted: boolean): void {
    let outcome: LedgerOutcome = "completed";
    if (clientAborted) outcome = "client_aborted";
    else if (isUpstreamError(error)) outcome = "upstream_error";
    else if (error !== undefined || status >= 400) outcome = "rejected";
    this.#finish(status, outcome, error);
  }

  /** When the request can no longer be running: its open record's `until`, ms since the epoch. */
  #until(): number {
    // No request outlives the total timeout; the margin covers retries and a slow final write.
    return this.#at.getTime() + this.#deps.config.timeouts.totalMs + OPEN_MARGIN_MS;
  }

  /** The usage so far: as reported, or with the meter's estimate of the output. */
  #measured(): { usage: TokenUsage; estimated: boolean } {
    const reported = this.#fields.usage;
    const meter = this.#meter;
    if (meter === undefined) return { usage: reported, estimated: false };
    const max = this.#maxOutput;
    return { usage: meter.usage(reported, max), estimated: meter.estimated(reported, max) };
  }

  /** The entry to roll up if the process dies now: outcome `interrupted`, with the usage so far. */
  #interrupted(): LedgerEntry {
    const { usage, estimated } = this.#measured();
    const totalMs = performance.now() - this.#started;
    const entry = this.#entry(200, "interrupted", null, this.#cost(usage), totalMs, usage);
    if (estimated) entry.estimated = true;
    return entry;
  }

  /** The cost of `usage` from the policy's prices; `null` when the model has none. */
  #cost(usage: TokenUsage = this.#fields.usage): number | null {
    const model = this.#fields.bedrockModel;
    const price = model ? this.#deps.priceOf?.(model) : undefined;
    return price === undefined ? null : costUsd(usage, price);
  }

  /** The ledger entry of this request as known now. */
  #entry(
    status: number,
    outcome: LedgerOutcome,
    errorType: string | null,
    cost: number | null,
    totalMs: number,
    usage: TokenUsage = this.#fields.usage,
  ): LedgerEntry {
    return requestLedgerEntry({
      requestId: this.#requestId,
      at: this.#at,
      claims: this.#claims,
      route: this.#route,
      fields: this.#fields,
      firstByteMs: this.#firstByteMs,
    }, { status, outcome, errorType, costUsd: cost, totalMs, usage });
  }

  #finish(status: number, outcome: LedgerOutcome, error: unknown): void {
    if (this.#finished) return;
    this.#finished = true;
    const { metrics, log, ledger } = this.#deps;
    const f = this.#fields;
    const totalMs = performance.now() - this.#started;
    const errorType = error === undefined
      ? (outcome === "client_aborted" ? "client_aborted" : null)
      : errorTypeOf(error);
    const cost = this.#cost();

    log({
      level: "info",
      msg: this.#route,
      request_id: this.#requestId,
      user: this.#claims.sub,
      sid: this.#claims.sid,
      model: f.model ?? undefined,
      bedrock_model: f.bedrockModel ?? undefined,
      region: f.region ?? undefined,
      stream: f.stream,
      status,
      outcome,
      error_type: errorType ?? undefined,
      usage: f.usage,
      usage_estimated: f.estimated || undefined,
      service_tier: f.serviceTier,
      cost_usd: cost ?? undefined,
      first_byte_ms: this.#firstByteMs === null ? undefined : Math.round(this.#firstByteMs),
      latency_ms: Math.round(totalMs),
      at: this.#at.toISOString(),
      ...f.note,
    });

    if (ledger !== undefined && this.#ledger) {
      ledger.append(this.#entry(status, outcome, errorType, cost, totalMs));
    }

    if (metrics !== undefined) {
      recordMetrics(metrics, {
        route: this.#route,
        status,
        outcome,
        errorType,
        error,
        usage: f.usage,
        bedrockModel: f.bedrockModel,
        cost,
        totalMs,
        firstByteMs: this.#firstByteMs,
        streamed: this.#deferred,
      });
    }

    this.#spans.end(status, outcome, errorType, f.usage);
  }
}

/** Options of {@linkcode requestRecord}. */
export interface RequestRecordOptions {
  /** Whether the request goes to the usage ledger (count_tokens does not: nothing is billed). @default true */
  ledger?: boolean;
}

/**
 * Middleware for a model route (after `authenticate`): gives the handler a
 * {@linkcode RequestRecord} in `c.var.record` and finishes it when the
 * handler is done — with the status answered and the error thrown, if any —
 * unless the handler handed it to a stream. So every request is recorded
 * exactly once: answered, refused, failed before the first byte, aborted by
 * the client, or streamed.
 *
 * @param deps The gateway's dependencies (log, ledger, metrics, prices, clock).
 * @param route The route's name in logs, ledger and metrics.
 * @param options Ledger or not.
 * @returns The middleware.
 */
export function requestRecord(
  deps: GatewayDeps,
  route: RecordedRoute,
  options: RequestRecordOptions = {},
): MiddlewareHandler {
  const ledger = options.ledger ?? true;
  return async function requestRecord(c, next) {
    const claims = c.get("claims");
    const record = new RequestRecord(deps, route, c.get("requestId"), claims, ledger);
    c.set("record", record);
    await next();
    if (c.error !== undefined || !record.deferred) {
      // A client gone before the answer gets none: 499 (nginx's "client closed request"), not the
      // error its leaving caused (the Bedrock call aborted with it, or its body cut short).
      if (c.req.raw.signal.aborted || c.error instanceof IncompleteBodyError) {
        record.finishResponse(CLIENT_CLOSED, undefined, true);
      } else record.finishResponse(c.res.status, c.error, false);
    }
  };
}
