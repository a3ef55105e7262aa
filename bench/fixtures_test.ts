import { assert, assertEquals } from "../testing/assert.ts";
import { loadFixtures, targetRequests, withHistory } from "./fixtures.ts";

const urls = { emulator: "http://e:1", proxy: "http://p:2", gateway: "http://g:3" };

Deno.test("targetRequests() sends the gateway the recorded Messages request with the token", async () => {
  const fixtures = await loadFixtures();
  const { gateway } = targetRequests(fixtures, urls, "tok", true);
  assertEquals(gateway.url, "http://g:3/v1/messages?beta=true");
  assertEquals(gateway.headers.authorization, "Bearer tok");
  assertEquals(gateway.headers["x-api-key"], "tok", "2.1.332 sends the helper's output in both");
  assertEquals(gateway.headers["anthropic-version"], "2023-06-01");
  assertEquals(JSON.parse(gateway.body).stream, true);
  assertEquals(JSON.parse(targetRequests(fixtures, urls, "tok", false).gateway.body).stream, false);
  assert(
    gateway.body.length > 40_000,
    `a Claude Code sized body, got ${gateway.body.length} bytes`,
  );
});

Deno.test("targetRequests() sends the emulator and the proxy the Bedrock body on the operation's path", async () => {
  const fixtures = await loadFixtures("2.1.197");
  const streamed = targetRequests(fixtures, urls, "tok", true);
  assertEquals(
    streamed.direct.url,
    "http://e:1/model/us.anthropic.claude-opus-4-8/invoke-with-response-stream",
  );
  assertEquals(
    streamed.proxy.url,
    "http://p:2/model/us.anthropic.claude-opus-4-8/invoke-with-response-stream",
  );
  assertEquals(streamed.direct.body, streamed.proxy.body);
  assertEquals(JSON.parse(streamed.direct.body).anthropic_version, "bedrock-2023-05-31");
  const plain = targetRequests(fixtures, urls, "tok", false);
  assertEquals(plain.direct.url, "http://e:1/model/us.anthropic.claude-opus-4-8/invoke");
  assertEquals(plain.direct.headers.accept, "application/json");
});

Deno.test("withHistory() puts a long turn in front of both recordings' messages", async () => {
  const fixtures = await loadFixtures();
  const before = JSON.stringify(fixtures);
  const long = withHistory(fixtures, 400_000);
  assertEquals(JSON.stringify(fixtures), before, "the recordings are not modified");
  const added = JSON.stringify(long.messages.body).length -
    JSON.stringify(fixtures.messages.body).length;
  assert(added > 400_000 && added < 400_100, `added ${added}`);
  const messages = long.bedrock.body.messages as { role: string }[];
  assertEquals(messages.slice(0, 2).map((m) => m.role), ["user", "assistant"]);
  assertEquals(messages.length, (fixtures.bedrock.body.messages as unknown[]).length + 2);
});

Deno.test("loadFixtures() reads Claude Code 2.1.332's request by default, and its translation for the baselines", async () => {
  const fixtures = await loadFixtures();
  assertEquals(fixtures.messages.body.model, "claude-opus-5-5");
  assertEquals(fixtures.bedrock.modelId, "us.anthropic.claude-opus-5-5");
  const size = JSON.stringify(fixtures.messages.body).length;
  assert(size > 45_000 && size < 55_000, `2.1.332's 49 KB request, got ${size} bytes`);
  assertEquals((await loadFixtures("2.1.197")).messages.body.model, "claude-opus-4-8");
});
