import { applyGuardrail, type GuardrailOutcome } from "./apply_guardrail.ts";
import { authorizationError } from "./authorization_error.ts";
import type { BedrockExceptionName } from "./bedrock_exceptions.ts";
import { defaultAnswer } from "./default_answer.ts";
import { DEFAULT_ALLOWED_BETAS, DEFAULT_ALLOWED_KEYS, DEFAULT_BEDROCK_MODELS } from "./defaults.ts";
import { encodeChunkFrame } from "./encode_frames.ts";
import { errorResponse } from "./error_response.ts";
import { BedrockEmulatorError } from "./errors.ts";
import { countTokensAnswer } from "./count_tokens_answer.ts";
import { eventsToMessage } from "./events_to_message.ts";
import { sleep, streamBody, untilAborted } from "./stream_body.ts";
import { GUARDRAIL_CONFIG_FIELD, type InvokeHeaders, readInvokeHeaders } from "./invoke_headers.ts";
import { parseAuthorization } from "./parse_authorization.ts";
import type { BedrockScript } from "./scripts.ts";
import type { AnthropicStreamEvent } from "./types.ts";
import { validateInvokeBody, validateInvokeJson } from "./validate_invoke_body.ts";
import type {
  BedrockEmulator,
  BedrockEmulatorOptions,
  BedrockOperation,
  BedrockRequestRecord,
  RequestOutcome,
  ScriptInput,
} from "./bedrock_emulator_types.ts";

const PATH = /^\/model\/([^/]+)\/(invoke|invoke-with-response-stream|count-tokens)$/;
const OPERATIONS: Record<string, BedrockOperation> = {
  "invoke": "InvokeModel",
  "invoke-with-response-stream": "InvokeModelWithResponseStream",
  "count-tokens": "CountTokens",
};
/** Cross-region inference profile prefixes: CountTokens takes foundation model ids only. */

/**
 * Starts a Bedrock Runtime emulator: an HTTP server (HTTP/1.1 and h2c) that
 * answers `InvokeModel`, `InvokeModelWithResponseStream` and `CountTokens`
 * for Claude the way Bedrock does, from scripts or a deterministic default answer, and
 * records every request.
 *
 * @param options Port, accepted models/keys/betas/credentials, default answer, log.
 * @returns The running emulator.
 *
 * @example
 * ```ts
 * import { startBedrockEmulator } from "./bedrock_emulator.ts";
 * import { textAnswer } from "./text_answer.ts";
 * await using emulator = await startBedrockEmulator();
 * emulator.enqueue(textAnswer("Hello"));
 * if (!emulator.url.startsWith("http://127.0.0.1:")) throw new Error("unexpected");
 * ```
 */
export function startBedrockEmulator(
  options: BedrockEmulatorOptions = {},
): Promise<BedrockEmulator> {
  const allowedKeys = options.allowedKeys ?? DEFAULT_ALLOWED_KEYS;
  const allowedBetas = options.allowedBetas ?? DEFAULT_ALLOWED_BETAS;
  const isKnownModel = modelPredicate(options.models ?? DEFAULT_BEDROCK_MODELS);
  const unsupported = options.countTokensUnsupported ?? [];
  const isCountUnsupported = typeof unsupported === "function"
    ? unsupported
    : (id: string) => unsupported.includes(id);
  const noToolSearch = options.toolSearchUnsupported ?? false;
  const refusesToolSearch = typeof noToolSearch === "function"
    ? noToolSearch
    : typeof noToolSearch === "boolean"
    ? () => noToolSearch
    : (id: string) => noToolSearch.includes(id);
  const authPolicy = options.auth ?? {};
  const padding = options.padding ?? true;
  const guardrails = options.guardrails ?? [];
  const log = options.log;
  const defaultScript = options.defaultScript ??
    ((r: BedrockRequestRecord) =>
      defaultAnswer((r.json ?? {}) as Record<string, unknown>, r.modelId ?? ""));

  let queue: ScriptInput[] = [];
  let requests: BedrockRequestRecord[] = [];
  let waiters: { count: number; resolve: (r: BedrockRequestRecord[]) => void }[] = [];
  const open = new Set<AbortController>();
  let closing = false;
  const frameCache = new WeakMap<readonly AnthropicStreamEvent[], Uint8Array[]>();

  const record = (r: BedrockRequestRecord) => {
    requests.push(r);
    waiters = waiters.filter((w) => {
      if (requests.length < w.count) return true;
      w.resolve(requests.slice(0, w.count));
      return false;
    });
  };

  const framesOf = (events: readonly AnthropicStreamEvent[]): Uint8Array[] => {
    let frames = frameCache.get(events);
    if (frames === undefined) {
      frames = events.map((e) => encodeChunkFrame(e, { padding }));
      frameCache.set(events, frames);
    }
    return frames;
  };

  const handler = async (request: Request, info: Deno.ServeHandlerInfo): Promise<Response> => {
    const startedAt = performance.now();
    const url = new URL(request.url);
    const match = request.method === "POST" ? PATH.exec(url.pathname) : null;
    const bodyText = await request.text();
    let json: unknown;
    try {
      json = JSON.parse(bodyText);
    } catch {
      json = undefined;
    }
    const auth = parseAuthorization(request.headers);
    const headers: Record<string, string> = {};
    request.headers.forEach((value, key) => (headers[key] = value));
    const abort = new AbortController();
    open.add(abort);
    let settle!: (outcome: RequestOutcome) => void;
    const closed = new Promise<RequestOutcome>((resolve) => {
      settle = (outcome) => {
        open.delete(abort);
        resolve(outcome);
      };
    });
    let modelId: string | null = null;
    if (match) {
      try {
        modelId = decodeURIComponent(match[1]!);
      } catch {
        modelId = match[1]!;
      }
    }
    const rec: BedrockRequestRecord = {
      index: requests.length,
      method: request.method,
      path: url.pathname,
      operation: match ? OPERATIONS[match[2]!]! : null,
      modelId,
      headers,
      bodyText,
      json,
      auth,
      signed: auth.scheme === "sigv4",
      protocol: request.headers.has("host") ? "HTTP/1.1" : "HTTP/2",
      receivedAt: Date.now(),
      status: 0,
      exception: null,
      framesSent: 0,
      closed,
    };
    record(rec);
    const requestId = crypto.randomUUID();

    // Before a response exists only `request.signal` tells that the client left. It is read
    // lazily: Deno warns about its legacy abort-on-success behaviour once it is touched.
    let beforeResponse: AbortSignal | undefined;
    const clientGoneOrClosing = () =>
      beforeResponse ??= AbortSignal.any([abort.signal, request.signal]);
    const respond = (response: Response, streaming = false): Response => {
      rec.status = response.status;
      log?.(
        `bedrock-emulator ${rec.method} ${rec.path} -> ${response.status}` +
          (rec.exception ? ` ${rec.exception}` : ""),
      );
      if (!streaming) {
        info.completed.then(() => settle("completed"), () => settle("aborted"));
      }
      return response;
    };
    const fail = (name: BedrockExceptionName, message?: string, status?: number) => {
      rec.exception = name;
      return respond(errorResponse(name, { requestId, message, status }));
    };

    if (!match || rec.operation === null || modelId === null) {
      return fail("UnknownOperationException");
    }
    const denied = authorizationError(auth, authPolicy);
    if (denied) return fail(denied.name, denied.message);
    if (!isKnownModel(modelId)) {
      return fail("ValidationException", "The provided model identifier is invalid.");
    }
    if (rec.operation === "CountTokens") {
      const counted = countTokensAnswer(modelId, json, {
        allowedKeys,
        allowedBetas,
        unsupported: isCountUnsupported,
      });
      if ("exception" in counted) return fail("ValidationException", counted.exception);
      return respond(
        Response.json({ inputTokens: counted.inputTokens }, {
          headers: { "x-amzn-requestid": requestId },
        }),
      );
    }
    // Headers are checked before the body, as the service model's constraints are.
    const object = json !== null && typeof json === "object" && !Array.isArray(json)
      ? json as Record<string, unknown>
      : undefined;
    const invoke = readInvokeHeaders(request.headers, object, guardrails);
    if (!invoke.ok) return fail("ValidationException", invoke.message);
    const bodyKeys = invoke.headers.guardrail === undefined
      ? allowedKeys
      : [...allowedKeys, GUARDRAIL_CONFIG_FIELD];
    // The body was parsed once above (`undefined`: not JSON, which the text check words).
    const checks = { allowedKeys: bodyKeys, allowedBetas, toolSearch: !refusesToolSearch(modelId) };
    const validation = json === undefined
      ? validateInvokeBody(bodyText, checks)
      : validateInvokeJson(json, checks);
    if (!validation.ok) return fail("ValidationException", validation.message);
    const guarded = invoke.headers.guardrail === undefined
      ? undefined
      : applyGuardrail(invoke.headers.guardrail.guardrail, validation.body, invoke.headers.trace);
    const answerHeaders = _answerHeaders(invoke.headers);

    // A blocked input never reaches the model: the queued script stays for the next request.
    const script = guarded?.blocked !== undefined
      ? { kind: "answer" as const, events: guarded.blocked }
      : resolveScript(queue.shift() ?? defaultScript, rec);

    if (script.kind === "hang") {
      await untilAborted(clientGoneOrClosing());
      settle("aborted");
      return respond(new Response(null, { status: 499 }));
    }
    if (script.firstByteDelayMs) {
      await sleep(script.firstByteDelayMs, clientGoneOrClosing());
      if (clientGoneOrClosing().aborted) {
        settle("aborted");
        return respond(new Response(null, { status: 499 }));
      }
    }
    if (script.kind === "error") return fail(script.exception, script.message, script.status);

    if (rec.operation === "InvokeModel") {
      if (script.failAfter) {
        return fail(
          script.failAfter.exception ?? "ModelStreamErrorException",
          script.failAfter.message,
        );
      }
      if (script.hangAfter !== undefined) {
        await untilAborted(clientGoneOrClosing());
        settle("aborted");
        return respond(new Response(null, { status: 499 }));
      }
      const message = eventsToMessage(script.events);
      const latency = Math.round(performance.now() - startedAt);
      return respond(
        new Response(JSON.stringify({ ...message, ..._guardrailFields(guarded) }), {
          status: 200,
          headers: {
            ...answerHeaders,
            "content-type": "application/json",
            "x-amzn-requestid": requestId,
            "x-amzn-bedrock-input-token-count": String(message.usage.input_tokens),
            "x-amzn-bedrock-output-token-count": String(message.usage.output_tokens),
            "x-amzn-bedrock-invocation-latency": String(latency),
            "x-amzn-bedrock-cache-read-input-token-count": String(
              message.usage.cache_read_input_tokens ?? 0,
            ),
            "x-amzn-bedrock-cache-write-input-token-count": String(
              message.usage.cache_creation_input_tokens ?? 0,
            ),
          },
        }),
      );
    }

    const events = guarded === undefined ? script.events : _withGuardrail(script.events, guarded);
    const streamed = events === script.events ? script : { ...script, events };
    const body = streamBody(streamed, rec, abort, startedAt, framesOf(events), padding);
    info.completed.then(
      () => settle(abort.signal.aborted ? "aborted" : "completed"),
      () => settle("aborted"),
    );
    return respond(
      new Response(body, {
        status: 200,
        headers: {
          ...answerHeaders,
          "content-type": "application/vnd.amazon.eventstream",
          "x-amzn-requestid": requestId,
          "x-amzn-bedrock-content-type": "application/json",
        },
      }),
      true,
    );
  };

  return new Promise((resolveStarted) => {
    const server = Deno.serve({
      port: options.port ?? 0,
      hostname: options.hostname ?? "127.0.0.1",
      onListen: () => {},
      onError: (err) => {
        log?.(`bedrock-emulator internal error: ${err}`);
        return errorResponse("InternalServerException", { requestId: crypto.randomUUID() });
      },
    }, handler);
    const addr = server.addr;
    const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
    const close = async () => {
      if (!closing) {
        closing = true;
        for (const abort of open) abort.abort();
      }
      await server.shutdown();
    };
    const emulator: BedrockEmulator = {
      url: `http://${host}:${addr.port}`,
      port: addr.port,
      get requests() {
        return requests;
      },
      get pending() {
        return queue.length;
      },
      enqueue(...scripts) {
        if (closing) {
          throw new BedrockEmulatorError("emulator_closed", "Cannot enqueue: emulator is closed");
        }
        queue.push(...scripts);
      },
      waitForRequests(count) {
        if (requests.length >= count) return Promise.resolve(requests.slice(0, count));
        return new Promise((resolve) => waiters.push({ count, resolve }));
      },
      reset() {
        queue = [];
        requests = [];
      },
      close,
      [Symbol.asyncDispose]: close,
    };
    resolveStarted(emulator);
  });
}

function resolveScript(input: ScriptInput, rec: BedrockRequestRecord): BedrockScript {
  const value = typeof input === "function" ? input(rec) : input;
  if (Array.isArray(value)) return { kind: "answer", events: value };
  const script = value as BedrockScript;
  if (script.kind !== "answer" && script.kind !== "error" && script.kind !== "hang") {
    throw new BedrockEmulatorError("invalid_script", "Cannot run script: unknown kind");
  }
  return script;
}

function modelPredicate(models: readonly string[] | ((id: string) => boolean)) {
  if (typeof models === "function") return models;
  const known = new Set(models);
  return (id: string) => {
    if (known.has(id)) return true;
    const arn =
      /^arn:aws[a-z-]*:bedrock:[^:]+:\d*:(foundation-model|inference-profile|application-inference-profile)\/(.+)$/
        .exec(id);
    if (!arn) return false;
    return arn[1] === "application-inference-profile" || known.has(arn[2]!);
  };
}

/** Response headers Bedrock adds for the invocation options asked for: the tier and latency used. */
function _answerHeaders(invoke: InvokeHeaders): Record<string, string> {
  const headers: Record<string, string> = {};
  if (invoke.serviceTier !== undefined) {
    headers["x-amzn-bedrock-service-tier"] = invoke.serviceTier;
  }
  if (invoke.performanceConfigLatency !== undefined) {
    headers["x-amzn-bedrock-performanceconfig-latency"] = invoke.performanceConfigLatency;
  }
  return headers;
}

/** The body fields a guardrail adds to an answer: its action and, when traced, its assessment. */
function _guardrailFields(guarded: GuardrailOutcome | undefined): Record<string, unknown> {
  if (guarded === undefined) return {};
  const fields: Record<string, unknown> = { "amazon-bedrock-guardrailAction": guarded.action };
  if (guarded.trace !== undefined) fields["amazon-bedrock-trace"] = guarded.trace;
  return fields;
}

/** A stream's events with the guardrail's fields on `message_stop` (a new list). */
function _withGuardrail(
  events: readonly AnthropicStreamEvent[],
  guarded: GuardrailOutcome,
): readonly AnthropicStreamEvent[] {
  return events.map((e) =>
    e.type === "message_stop" ? { ...e, ..._guardrailFields(guarded) } as AnthropicStreamEvent : e
  );
}
