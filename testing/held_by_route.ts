/**
 * What a model route of the gateway still holds of a request at the moments
 * it waits longest: its parsed body while Bedrock has not answered (see
 * {@linkcode parseHeldWhilePending}), and its Bedrock body while the answer
 * streams (see {@linkcode bedrockBodiesHeldWhileStreaming}).
 *
 * @module
 */
import { answerScript, hangScript, textAnswer } from "@ccgate/emulators";
import type { GatewayStack } from "./gateway_stack.ts";
import { heapBuffersOfLength } from "./heap_buffers_of_length.ts";
import { HeapMarker } from "./heap_marker.ts";

const encoder = new TextEncoder();

/**
 * Posts `build(marker)` to the gateway while Bedrock never answers, and once
 * the Bedrock request has arrived, says whether a live string of the heap is
 * still the marker: put the marker in a field the route parses but does not
 * forward (the client's `metadata`, OpenAI's `user`). The request is then
 * aborted.
 *
 * @param stack The gateway and its emulator.
 * @param path The route, e.g. `/v1/messages`.
 * @param build The JSON body around the marker text.
 * @returns `true` when something still holds the parsed body.
 */
export async function parseHeldWhilePending(
  stack: Pick<GatewayStack, "url" | "token" | "emulator">,
  path: string,
  build: (marker: string) => unknown,
): Promise<boolean> {
  stack.emulator.enqueue(hangScript());
  const arrived = stack.emulator.requests.length + 1;
  const marker = new HeapMarker();
  const client = new AbortController();
  const response = marker.post(`${stack.url}${path}`, build, {
    headers: { authorization: `Bearer ${stack.token}` },
    signal: client.signal,
  });
  await stack.emulator.waitForRequests(arrived);
  try {
    return await marker.heldByHeap();
  } finally {
    client.abort();
    await response.then((r) => r.body?.cancel(), () => {});
  }
}

/**
 * Opens a stream of `body` through the gateway while Bedrock sends two events
 * and then nothing, and once its first chunk has arrived, counts the array
 * buffers of the heap the size of the Bedrock request's body. The stream is
 * then aborted.
 *
 * @param stack The gateway and its emulator.
 * @param path The route, e.g. `/v1/chat/completions`.
 * @param body The JSON body; give it a size no other buffer of the process has.
 * @returns How many buffers of that size are alive (0: nothing holds the body).
 */
export async function bedrockBodiesHeldWhileStreaming(
  stack: Pick<GatewayStack, "url" | "token" | "emulator">,
  path: string,
  body: unknown,
): Promise<number> {
  stack.emulator.enqueue(answerScript(textAnswer(["a", "b"]), { hangAfter: 2 }));
  const index = stack.emulator.requests.length;
  const client = new AbortController();
  const response = await fetch(`${stack.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: client.signal,
  });
  const reader = response.body!.getReader();
  try {
    await reader.read();
    const sent = (await stack.emulator.waitForRequests(index + 1))[index]!;
    return await heapBuffersOfLength(encoder.encode(sent.bodyText).length);
  } finally {
    client.abort();
    await reader.cancel().catch(() => {});
  }
}
