import { context, type Span, SpanStatusCode, trace } from "@opentelemetry/api";
import type { LedgerOutcome } from "./ledger/ledger_entry.ts";
import type { TokenUsage } from "./usage.ts";

const tracer = trace.getTracer("ccgate-gateway");

/**
 * One recorded request's OpenTelemetry spans (see `RequestRecord`): the
 * request's own (`ccgate <route>`), the Bedrock call's until its first byte
 * (`bedrock call`) and the stream's (`stream`), both children of the
 * request's. Without an OpenTelemetry SDK the API is a no-op. Attributes
 * name the user, model, region, outcome and token counts, never content.
 *
 * @example
 * ```ts ignore
 * const spans = new RequestSpans("messages", requestId, claims.sub);
 * spans.upstreamStarted("us.anthropic.claude-opus-4-8");
 * spans.firstByte();
 * spans.end(200, "completed", null, usage);
 * ```
 */
export class RequestSpans {
  readonly #span: Span;
  #upstreamSpan: Span | undefined;
  #streamSpan: Span | undefined;

  /**
   * Starts the request's span.
   *
   * @param route The route's name (`ccgate <route>`).
   * @param requestId The gateway's request id (`ccgate.request_id`).
   * @param user The user's id (`enduser.id`).
   */
  constructor(route: string, requestId: string, user: string) {
    this.#span = tracer.startSpan(`ccgate ${route}`, {
      attributes: { "ccgate.request_id": requestId, "enduser.id": user },
    });
  }

  /**
   * Sets the request span's model and region, those given and not empty.
   *
   * @param fields The Bedrock model id and the region that answered.
   */
  set(fields: { bedrockModel?: string | null; region?: string | null }): void {
    if (fields.bedrockModel) this.#span.setAttribute("gen_ai.request.model", fields.bedrockModel);
    if (fields.region) this.#span.setAttribute("cloud.region", fields.region);
  }

  /**
   * Starts the Bedrock call's span (once; it ends at the first byte).
   *
   * @param bedrockModel The model id called (`gen_ai.request.model`).
   */
  upstreamStarted(bedrockModel: string): void {
    this.#upstreamSpan ??= tracer.startSpan("bedrock call", {
      attributes: {
        "gen_ai.system": "aws.bedrock",
        "gen_ai.request.model": bedrockModel,
      },
    }, trace.setSpan(_context(), this.#span));
  }

  /** Ends the Bedrock call's span: its first byte arrived. */
  firstByte(): void {
    this.#upstreamSpan?.end();
  }

  /** Starts the stream's span: the answer is handed to a stream. */
  streaming(): void {
    this.#streamSpan = tracer.startSpan("stream", {}, trace.setSpan(_context(), this.#span));
  }

  /**
   * Ends every span open, the request's with its status, outcome and token
   * counts; an outcome other than `completed` marks it failed.
   *
   * @param status The HTTP status answered.
   * @param outcome How the request ended.
   * @param errorType The error's type, if any (the failed span's message).
   * @param usage The tokens used.
   */
  end(status: number, outcome: LedgerOutcome, errorType: string | null, usage: TokenUsage): void {
    this.#upstreamSpan?.end();
    if (this.#streamSpan !== undefined) {
      this.#streamSpan.setAttribute("ccgate.outcome", outcome);
      this.#streamSpan.end();
    }
    this.#span.setAttributes({
      "http.response.status_code": status,
      "ccgate.outcome": outcome,
      "gen_ai.usage.input_tokens": usage.inputTokens,
      "gen_ai.usage.output_tokens": usage.outputTokens,
    });
    if (outcome !== "completed") {
      this.#span.setStatus({ code: SpanStatusCode.ERROR, message: errorType ?? outcome });
    }
    this.#span.end();
  }
}

function _context() {
  // The active context: OpenTelemetry's API keeps it; without an SDK it is the root.
  return context.active();
}
