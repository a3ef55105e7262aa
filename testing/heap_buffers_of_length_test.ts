import { assertEquals } from "./assert.ts";
import { heapBuffersOfLength } from "./heap_buffers_of_length.ts";

Deno.test("heapBuffersOfLength counts the buffers of that size alive, not those dropped", async () => {
  const length = 98_765;
  const holder: { buffers: Uint8Array[] } = {
    buffers: [new Uint8Array(length), new Uint8Array(length)],
  };
  assertEquals(await heapBuffersOfLength(length), 2);
  holder.buffers.pop();
  assertEquals(await heapBuffersOfLength(length), 1);
  holder.buffers.pop();
  assertEquals(await heapBuffersOfLength(length), 0);
});
