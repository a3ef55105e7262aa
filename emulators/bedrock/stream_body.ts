/**
 * The streamed body of a scripted answer: frames paced, silenced, failed,
 * hung, reset, corrupted or truncated as the script says.
 *
 * @module
 */
import type { BedrockRequestRecord } from "./bedrock_emulator_types.ts";
import { encodeChunkFrame, encodeExceptionFrame } from "./encode_frames.ts";
import type { AnswerScript } from "./scripts.ts";
import type { AnthropicStreamEvent, InvocationMetrics } from "./types.ts";

/** The response body of a streamed answer, one frame per pull so the client's pace rules. */
export function streamBody(
  script: AnswerScript,
  rec: BedrockRequestRecord,
  abort: AbortController,
  startedAt: number,
  frames: Uint8Array[],
  padding: boolean,
): ReadableStream<Uint8Array> {
  const events = script.events;
  const stopAt = Math.min(
    events.length,
    script.failAfter?.events ?? Infinity,
    script.hangAfter ?? Infinity,
    script.resetAfter ?? Infinity,
    script.corruptAt ?? Infinity,
    script.truncateAt ?? Infinity,
  );
  const silences = new Map<number, number>();
  for (const s of script.silences ?? []) {
    silences.set(s.beforeEvent, (silences.get(s.beforeEvent) ?? 0) + s.ms);
  }
  let next = 0;
  let firstByteLatency = 0;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      // The emulator closing (or the client leaving) ends the body like a dropped connection.
      abort.signal.addEventListener("abort", () => controller.error(new Error("aborted")), {
        once: true,
      });
    },
    async pull(controller) {
      const wait = (silences.get(next) ?? 0) + (next > 0 ? script.paceMs ?? 0 : 0);
      if (wait > 0) await sleep(wait, abort.signal);
      if (abort.signal.aborted) return;
      if (next < stopAt) {
        const index = next++;
        const event = events[index]!;
        if (index === 0) firstByteLatency = Math.round(performance.now() - startedAt);
        if (event.type === "message_stop" && !("amazon-bedrock-invocationMetrics" in event)) {
          const withMetrics = {
            ...event,
            "amazon-bedrock-invocationMetrics": metricsOf(events, startedAt, firstByteLatency),
          };
          controller.enqueue(encodeChunkFrame(withMetrics, { padding }));
        } else {
          controller.enqueue(frames[index]!);
        }
        rec.framesSent++;
        return;
      }
      if (script.failAfter && next === script.failAfter.events) {
        const name = script.failAfter.exception ?? "ModelStreamErrorException";
        rec.exception = name;
        controller.enqueue(
          encodeExceptionFrame(name, script.failAfter.message ?? defaultStreamMessage(name)),
        );
        return controller.close();
      }
      if (script.hangAfter !== undefined && next === script.hangAfter) {
        return await untilAborted(abort.signal);
      }
      if (script.resetAfter !== undefined && next === script.resetAfter) {
        return controller.error(new Error("emulated connection reset"));
      }
      if (script.corruptAt !== undefined && next === script.corruptAt && next < events.length) {
        const frame = frames[next++]!.slice();
        // The byte before the trailing message CRC: the payload no longer matches it.
        const at = frame.length - 5;
        frame[at] = frame[at]! ^ 0xff;
        controller.enqueue(frame);
        rec.framesSent++;
        return controller.close();
      }
      if (script.truncateAt !== undefined && next === script.truncateAt && next < events.length) {
        const frame = frames[next++]!;
        controller.enqueue(frame.subarray(0, frame.length >> 1));
        rec.framesSent++;
        return controller.close();
      }
      controller.close();
    },
    cancel() {
      abort.abort();
    },
  }, { highWaterMark: 0 });
}

function metricsOf(
  events: readonly AnthropicStreamEvent[],
  startedAt: number,
  firstByteLatency: number,
): InvocationMetrics {
  let input = 0;
  let output = 0;
  let cacheRead = 0;
  let cacheWrite = 0;
  for (const e of events) {
    if (e.type === "message_start") {
      input = e.message.usage.input_tokens;
      output = e.message.usage.output_tokens;
      cacheRead = e.message.usage.cache_read_input_tokens ?? 0;
      cacheWrite = e.message.usage.cache_creation_input_tokens ?? 0;
    } else if (e.type === "message_delta") {
      output = e.usage.output_tokens;
    }
  }
  return {
    inputTokenCount: input,
    outputTokenCount: output,
    invocationLatency: Math.round(performance.now() - startedAt),
    firstByteLatency,
    cacheReadInputTokenCount: cacheRead,
    cacheWriteInputTokenCount: cacheWrite,
  };
}

function defaultStreamMessage(name: string): string {
  return name === "ModelStreamErrorException"
    ? "The model stream returned an error. Try your request again."
    : `${name} during streaming`;
}

/** Resolves when the signal aborts. */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener("abort", () => resolve(), { once: true })
  );
}

/** Waits `ms`, or less if the signal aborts first. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
