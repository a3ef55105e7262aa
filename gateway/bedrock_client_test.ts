import { InvokeModelCommand } from "@aws-sdk/client-bedrock-runtime";
import { startBedrockEmulator } from "@ccgate/emulators";
import { assert, assertEquals } from "../testing/assert.ts";
import { createBedrockClient } from "./bedrock_client.ts";

const MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const BODY = JSON.stringify({
  anthropic_version: "bedrock-2023-05-31",
  max_tokens: 16,
  messages: [{ role: "user", content: "hi" }],
});

Deno.test("createBedrockClient() signs every call and sends the SDK's user agent, built once", async () => {
  await using emulator = await startBedrockEmulator();
  const client = createBedrockClient({
    region: "us-east-1",
    endpoint: emulator.url,
    credentials: { accessKeyId: "AKIDEMULATOR", secretAccessKey: "emulator-secret" },
  });
  const config = client.config as unknown as { defaultUserAgentProvider: () => Promise<unknown> };
  const first = await config.defaultUserAgentProvider();
  for (let i = 0; i < 2; i++) {
    const out = await client.send(new InvokeModelCommand({ modelId: MODEL, body: BODY }));
    assertEquals(out.$metadata.httpStatusCode, 200);
  }
  assert(await config.defaultUserAgentProvider() === first, "the sections are computed once");
  const [a, b] = emulator.requests;
  assert(a!.signed && b!.signed);
  assert(a!.headers["user-agent"]!.includes("aws-sdk-js/"), a!.headers["user-agent"]);
  assert(a!.headers["user-agent"]!.includes("os/"), "the OS section is still there");
  assertEquals(a!.headers["user-agent"], b!.headers["user-agent"]);
  client.destroy();
});
