import { assertEquals } from "../testing/assert.ts";
import { storedSession } from "./_testing/session.ts";
import { MemoryTokenStore } from "./memory_token_store.ts";

Deno.test("MemoryTokenStore keeps a copy of the session until cleared", async () => {
  const session = storedSession();
  const store = new MemoryTokenStore();
  assertEquals(await store.load(), undefined);
  await store.save(session);
  session.accessToken = "mutated";
  assertEquals((await store.load())?.accessToken, "at-1");
  await store.clear();
  assertEquals(await store.load(), undefined);
});
