/**
 * The answer the benchmark's emulator streams: a text message of exactly
 * `frames` Bedrock chunks. Pure.
 *
 * @module
 */
import { type AnthropicStreamEvent, textAnswer } from "@ccgate/emulators";

/** Events `textAnswer()` adds around the text deltas: start, block start/stop, delta, stop. */
const FRAMING_EVENTS = 5;

/**
 * A text answer streamed as exactly `frames` events (so `frames` Bedrock
 * chunks), each text delta a short word like a model's token.
 *
 * @param frames Number of events, at least 6.
 * @returns The events.
 *
 * @example
 * ```ts
 * import { answerEvents } from "./answer_events.ts";
 * if (answerEvents(64).length !== 64) throw new Error("unexpected");
 * ```
 */
export function answerEvents(frames: number): AnthropicStreamEvent[] {
  if (!Number.isInteger(frames) || frames <= FRAMING_EVENTS) {
    throw new RangeError(`Cannot build an answer of "${frames}" frames: need more than 5`);
  }
  const pieces = Array.from({ length: frames - FRAMING_EVENTS }, (_, i) => `token${i % 100} `);
  return textAnswer(pieces, { model: "claude-opus-4-8", usage: { input_tokens: 21_000 } });
}
