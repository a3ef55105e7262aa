/**
 * The types of the Bedrock emulator: what it records of a request, its
 * options and the running emulator (`startBedrockEmulator`).
 *
 * @module
 */
import type { AuthorizationPolicy } from "./authorization_error.ts";
import type { RequestAuth } from "./parse_authorization.ts";
import type { BedrockScript } from "./scripts.ts";
import type { AnthropicStreamEvent } from "./types.ts";

/** Which Bedrock Runtime operation a request called. */
export type BedrockOperation = "InvokeModel" | "InvokeModelWithResponseStream" | "CountTokens";

/** How a request's exchange ended. */
export type RequestOutcome = "completed" | "aborted";

/** One request as the emulator received it. */
export interface BedrockRequestRecord {
  /** Position in `requests` (0-based). */
  readonly index: number;
  /** HTTP method. */
  readonly method: string;
  /** Path as sent (model id still percent-encoded). */
  readonly path: string;
  /** The operation, or `null` for a path Bedrock does not serve. */
  readonly operation: BedrockOperation | null;
  /** Decoded model id from the path, or `null`. */
  readonly modelId: string | null;
  /** Request headers, names lower-cased. */
  readonly headers: Readonly<Record<string, string>>;
  /** Raw body text. */
  readonly bodyText: string;
  /** Parsed body, or `undefined` when it is not JSON. */
  readonly json: unknown;
  /** Credentials as sent. */
  readonly auth: RequestAuth;
  /** Whether the request carried a well-formed SigV4 `authorization` header. */
  readonly signed: boolean;
  /**
   * HTTP version as far as observable: Deno does not expose it, so this is
   * inferred from the `host` header, which HTTP/1.1 requires and HTTP/2
   * replaces with `:authority` (a client may still send both).
   */
  readonly protocol: "HTTP/1.1" | "HTTP/2";
  /** `Date.now()` when the request arrived. */
  readonly receivedAt: number;
  /** Status answered (0 until decided). */
  status: number;
  /** Exception answered, by HTTP error or exception frame, if any. */
  exception: string | null;
  /** Event frames (chunks) written so far. */
  framesSent: number;
  /**
   * Settles when the exchange is over: `"completed"` once the whole response
   * was delivered, `"aborted"` when the client went away first (or the
   * emulator closed). Never rejects.
   */
  readonly closed: Promise<RequestOutcome>;
}

/** A script, a bare event list (an answer), or a function of the request returning either. */
export type ScriptInput =
  | BedrockScript
  | readonly AnthropicStreamEvent[]
  | ((request: BedrockRequestRecord) => BedrockScript | readonly AnthropicStreamEvent[]);

/** Options of `startBedrockEmulator`. */
export interface BedrockEmulatorOptions {
  /** Port; 0 picks a free one. @default 0 */
  port?: number;
  /** Interface to listen on. @default "127.0.0.1" */
  hostname?: string;
  /** Accepted model ids (exact), or a predicate. @default DEFAULT_BEDROCK_MODELS (plus ARNs of them) */
  models?: readonly string[] | ((modelId: string) => boolean);
  /** Accepted top-level body keys. @default DEFAULT_ALLOWED_KEYS */
  allowedKeys?: readonly string[];
  /** Accepted `anthropic_beta` flags. @default DEFAULT_ALLOWED_BETAS */
  allowedBetas?: readonly string[];
  /** Which credentials are accepted. @default any SigV4, no Bearer */
  auth?: AuthorizationPolicy;
  /** What to answer when the queue is empty. @default defaultAnswer() */
  defaultScript?: (
    request: BedrockRequestRecord,
  ) => BedrockScript | readonly AnthropicStreamEvent[];
  /** Add Bedrock's `"p"` padding field to chunk payloads. @default true */
  padding?: boolean;
  /** Receives one line per request. @default silent */
  log?: (line: string) => void;
  /**
   * Models whose `CountTokens` answers, as Bedrock does for models without
   * token counting, 400 ValidationException `The provided model doesn't
   * support counting tokens.` (exact ids, or a predicate). @default none
   */
  countTokensUnsupported?: readonly string[] | ((modelId: string) => boolean);
  /**
   * Models that refuse tool search: an invoke whose `anthropic_beta` has
   * `tool-search-tool-2025-10-19` is a 400 ValidationException `invalid beta
   * flag`, Bedrock's wording for a beta a model does not take (exact ids, or
   * a predicate; `true`: every model). Without the beta, `defer_loading`,
   * tool_search_tool_* tools and `tool_reference` blocks are refused anyway,
   * as Bedrock does. @default none
   */
  toolSearchUnsupported?: boolean | readonly string[] | ((modelId: string) => boolean);
  /**
   * Guardrails of the account (`X-Amzn-Bedrock-GuardrailIdentifier`): a
   * request naming another, or another version, is a ValidationException.
   * @default none
   */
  guardrails?: readonly EmulatedGuardrail[];
}

/**
 * A guardrail of the emulated account: requests naming it (by id or ARN, at
 * one of its versions) are checked against its denied words.
 */
export interface EmulatedGuardrail {
  /** The guardrail id (lower-case letters and digits). */
  id: string;
  /** Versions that exist: numbers as strings, or `DRAFT`. */
  versions: readonly string[];
  /** Words whose presence in the prompt (case-insensitive) blocks the request. */
  deniedWords: readonly string[];
  /** The answer's text when the input is blocked. @default "Sorry, the model cannot answer this question." */
  blockedInputMessaging?: string;
}

/** A running emulator. */
export interface BedrockEmulator extends AsyncDisposable {
  /** Base URL, e.g. `http://127.0.0.1:41234` (the SDK's `endpoint`). */
  readonly url: string;
  /** Port it listens on. */
  readonly port: number;
  /** Every request received, in order. */
  readonly requests: readonly BedrockRequestRecord[];
  /** Queues scripts; each valid request takes the next one (invalid requests take none). */
  enqueue(...scripts: ScriptInput[]): void;
  /** Number of queued scripts not yet used. */
  readonly pending: number;
  /** Resolves once at least `count` requests have arrived; returns the first `count`. */
  waitForRequests(count: number): Promise<BedrockRequestRecord[]>;
  /** Forgets recorded requests and queued scripts (waiters keep waiting for new requests). */
  reset(): void;
  /** Ends every open exchange (as a dropped connection) and stops the server. */
  close(): Promise<void>;
}
