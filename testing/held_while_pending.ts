/**
 * Whether the gateway still holds a request's parsed body while Bedrock has
 * not answered it (see {@linkcode parseHeldWhilePending}).
 *
 * @module
 */
import { hangScript } from "@ccgate/emulators";
import type { GatewayStack } from "./gateway_stack.ts";
import { HeapMarker } from "./heap_marker.ts";

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
