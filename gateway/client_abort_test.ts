import { hangScript } from "@ccgate/emulators";
import { assertEquals } from "../testing/assert.ts";
import { postMessages, startGatewayStack } from "../testing/gateway_stack.ts";
import { dayOf } from "./ledger/ledger_entry.ts";
import { listEntries } from "./ledger/usage_query.ts";

Deno.test("a client that leaves a non-streamed call before its answer: Bedrock's call aborted, recorded as 499 client_aborted, no upstream failure", async () => {
  await using stack = await startGatewayStack();
  stack.emulator.enqueue(hangScript());
  const client = new AbortController();
  const pending = postMessages(stack.url, stack.token, {}, client.signal).catch((e) => e);
  const [upstream] = await stack.emulator.waitForRequests(1);
  client.abort();
  assertEquals((await pending).name, "AbortError");
  assertEquals(await upstream!.closed, "aborted");
  await stack.lifecycle.whenIdle();

  await stack.ledger.flush();
  const today = dayOf(new Date());
  const { entries } = await listEntries(stack.kv, { from: today, to: today });
  assertEquals(
    entries.map((e) => [e.status, e.outcome, e.errorType]),
    [[499, "client_aborted", "client_aborted"]],
  );
  const record = stack.logs.find((l) => l.msg === "messages")!;
  assertEquals([record.status, record.outcome], [499, "client_aborted"]);
  assertEquals(stack.logs.filter((l) => l.msg === "upstream failure"), []);
  const counted = { route: "messages", status: "499", outcome: "client_aborted" };
  assertEquals(stack.metrics.value("ccgate_requests_total", counted), 1);
});
