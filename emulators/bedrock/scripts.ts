/**
 * Scripts: what the emulator answers to the next request(s). Plain data, so
 * a test reads as a list of expectations; the three constructors below only
 * fill in the `kind`.
 *
 * @module
 */

import type { BedrockExceptionName } from "./bedrock_exceptions.ts";
import type { AnthropicStreamEvent } from "./types.ts";

/** Timing of an answer. Timing lives only in the emulator; tests must not depend on it. */
export interface ScriptTiming {
  /** Delay before the response headers (the first byte). @default 0 */
  firstByteDelayMs?: number;
  /** Delay before every frame after the first. @default 0 */
  paceMs?: number;
  /** Extra silences: wait `ms` before sending event number `beforeEvent` (0-based). */
  silences?: readonly { beforeEvent: number; ms: number }[];
}

/** Answer with these events (streamed as frames, or folded into one message for `/invoke`). */
export interface AnswerScript extends ScriptTiming {
  kind: "answer";
  /** The Anthropic stream events; see `textAnswer()` and friends. */
  events: readonly AnthropicStreamEvent[];
  /**
   * After `events` events, send an exception frame (default
   * `ModelStreamErrorException`) and end the stream. On `/invoke` the whole
   * request fails with that exception's HTTP error instead.
   */
  failAfter?: { events: number; exception?: BedrockExceptionName; message?: string };
  /** After this many events, go silent and never finish (until the client goes away or the emulator closes). */
  hangAfter?: number;
  /**
   * After this many events, drop the connection: no exception frame, no
   * clean end of the body (a mid-stream connection reset).
   */
  resetAfter?: number;
  /**
   * Send event number `corruptAt` (0-based) with a wrong message CRC, then
   * end the body: a corrupted event-stream frame.
   */
  corruptAt?: number;
  /**
   * Send only the first half of event number `truncateAt`'s frame, then end
   * the body cleanly: a stream cut mid-frame.
   */
  truncateAt?: number;
}

/** Answer with an HTTP error, before any byte of a body. */
export interface ErrorScript {
  kind: "error";
  /** The exception, e.g. `ThrottlingException`. */
  exception: BedrockExceptionName;
  /** Message; defaults to Bedrock's wording. */
  message?: string;
  /** Status override; defaults to the exception's status. */
  status?: number;
  /** Delay before the error is sent. @default 0 */
  firstByteDelayMs?: number;
}

/** Never answer: no headers, nothing, until the client goes away or the emulator closes. */
export interface HangScript {
  kind: "hang";
}

/** What the emulator does with one request. */
export type BedrockScript = AnswerScript | ErrorScript | HangScript;

/**
 * An answer script from a list of events.
 *
 * @param events The Anthropic stream events.
 * @param options Timing, mid-stream failure, hang.
 * @returns The script.
 *
 * @example A paced answer that fails after two events
 * ```ts
 * import { answerScript } from "./scripts.ts";
 * import { textAnswer } from "./text_answer.ts";
 * const script = answerScript(textAnswer("hi"), { paceMs: 5, failAfter: { events: 2 } });
 * if (script.kind !== "answer") throw new Error("unexpected");
 * ```
 */
export function answerScript(
  events: readonly AnthropicStreamEvent[],
  options: Omit<AnswerScript, "kind" | "events"> = {},
): AnswerScript {
  return { kind: "answer", events, ...options };
}

/**
 * An HTTP error script.
 *
 * @param exception The exception name.
 * @param options Message, status override, delay.
 * @returns The script.
 *
 * @example
 * ```ts
 * import { errorScript } from "./scripts.ts";
 * const script = errorScript("ThrottlingException", { message: "Too many tokens" });
 * if (script.kind !== "error") throw new Error("unexpected");
 * ```
 */
export function errorScript(
  exception: BedrockExceptionName,
  options: Omit<ErrorScript, "kind" | "exception"> = {},
): ErrorScript {
  return { kind: "error", exception, ...options };
}

/**
 * A script that never answers.
 *
 * @returns The script.
 *
 * @example
 * ```ts
 * import { hangScript } from "./scripts.ts";
 * if (hangScript().kind !== "hang") throw new Error("unexpected");
 * ```
 */
export function hangScript(): HangScript {
  return { kind: "hang" };
}
