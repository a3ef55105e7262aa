import { assertEquals } from "./assert.ts";
import { HeapMarker } from "./heap_marker.ts";

Deno.test("HeapMarker.heldByHeap finds the marker while an object holds it, not once it is dropped", async () => {
  const marker = new HeapMarker();
  const holder: { text?: string } = { text: marker.text() };
  assertEquals(await marker.heldByHeap(), true);
  delete holder.text;
  assertEquals(await marker.heldByHeap(), false);
});

Deno.test("HeapMarker.post sends the marker's text in the JSON body", async () => {
  const marker = new HeapMarker();
  let received: unknown;
  await using server = Deno.serve({ port: 0, onListen: () => {} }, async (req) => {
    received = await req.json();
    return new Response("ok");
  });
  const res = await marker.post(`http://127.0.0.1:${server.addr.port}/`, (text) => ({ id: text }));
  await res.body?.cancel();
  assertEquals(received, { id: marker.text() });
});
