import { assertEquals } from "../../testing/assert.ts";
import { applyGuardrail } from "./apply_guardrail.ts";

const G = { id: "g1", versions: ["1"], deniedWords: ["Password"], blockedInputMessaging: "No." };

Deno.test("applyGuardrail() blocks input naming a denied word in system or message text, with its trace", () => {
  const out = applyGuardrail(G, {
    system: [{ type: "text", text: "You are helpful." }],
    messages: [{ role: "user", content: [{ type: "text", text: "the PASSWORD please" }] }],
  }, "ENABLED");
  assertEquals(out.action, "INTERVENED");
  const text = out.blocked!.filter((e) => e.type === "content_block_delta")
    .map((e) => (e as { delta: { text: string } }).delta.text).join("");
  assertEquals(text, "No.");
  assertEquals(out.trace, {
    guardrail: {
      input: { g1: { wordPolicy: { customWords: [{ match: "Password", action: "BLOCKED" }] } } },
    },
  });
});

Deno.test("applyGuardrail() lets other input through, traced only when asked", () => {
  const body = { messages: [{ role: "user", content: "hello" }] };
  assertEquals(applyGuardrail(G, body), { action: "NONE" });
  assertEquals(applyGuardrail(G, body, "DISABLED"), { action: "NONE" });
  assertEquals(applyGuardrail(G, body, "ENABLED_FULL").trace, { guardrail: { input: { g1: {} } } });
});
