import Anthropic from "@anthropic-ai/sdk";
import { assert, assertEquals } from "../testing/assert.ts";
import { startGatewayStack } from "../testing/gateway_stack.ts";
import { createTestIssuer, TEST_AUDIENCE, TEST_ISSUER } from "../testing/test_issuer.ts";
import { createApp } from "./app.ts";
import type { BedrockClient } from "./bedrock_upstream.ts";
import { loadGatewayConfig } from "./config.ts";
import { distinctModels } from "./distinct_models.ts";
import { DEFAULT_MODEL_TABLE, listModels } from "./model_map.ts";

Deno.test("GET /v1/models lists what the deployment offers through the Anthropic SDK", async () => {
  await using stack = await startGatewayStack({
    env: {
      CCGATE_MODEL_PREFIX: "global",
      CCGATE_MODELS: '{"team-default":"global.anthropic.claude-sonnet-4-6"}',
    },
  });
  const client = new Anthropic({ baseURL: stack.url, apiKey: stack.token, maxRetries: 0 });
  const ids: string[] = [];
  for await (const model of client.models.list({ limit: 5 })) {
    assertEquals(model.type, "model");
    assert(model.display_name !== "", model.id);
    assert(!Number.isNaN(Date.parse(model.created_at)), model.created_at);
    ids.push(model.id);
  }
  const expected = distinctModels(listModels(DEFAULT_MODEL_TABLE, {
    prefix: "global",
    aliases: { "team-default": "global.anthropic.claude-sonnet-4-6" },
  })).map((m) => m.name);
  assertEquals(ids, expected, "every page, in order, nothing else");
  assert(!ids.includes("claude-opus-4-1"), "no global profile for Opus 4.1");

  const one = await client.models.retrieve("claude-sonnet-4-5-20250929");
  assertEquals(one.display_name, "Claude Sonnet 4.5");
  assertEquals(one.created_at, "2025-09-29T00:00:00Z");
  assertEquals(stack.emulator.requests.length, 0, "listing never calls Bedrock");
});

Deno.test("GET /v1/models/{id} answers 404 in Anthropic's shape for a model not offered", async () => {
  await using stack = await startGatewayStack({ env: { CCGATE_MODEL_PREFIX: "global" } });
  const res = await fetch(`${stack.url}/v1/models/claude-opus-4-1`, {
    headers: { authorization: `Bearer ${stack.token}` },
  });
  assertEquals(res.status, 404);
  assertEquals((await res.json()).error.type, "not_found_error");
  const unauthenticated = await fetch(`${stack.url}/v1/models`);
  assertEquals(unauthenticated.status, 401);
  await unauthenticated.body?.cancel();
});

Deno.test("GET /v1/models pages with before_id and rejects a bad limit", async () => {
  await using stack = await startGatewayStack();
  const get = (query: string) =>
    fetch(`${stack.url}/v1/models${query}`, {
      headers: { authorization: `Bearer ${stack.token}` },
    });
  const all = (await (await get("?limit=1000")).json()).data.map((m: { id: string }) => m.id);
  const page = await (await get(`?before_id=${all[3]}&limit=2`)).json();
  assertEquals(page.data.map((m: { id: string }) => m.id), all.slice(1, 3));
  assertEquals(page.has_more, true);
  assertEquals(page.first_id, all[1]);
  assertEquals(page.last_id, all[2]);
  const bad = await get("?limit=0");
  assertEquals(bad.status, 400);
  assertEquals((await bad.json()).error.type, "invalid_request_error");
});

Deno.test("createApp() lists only the models allowedModels lets a user see", async () => {
  const issuer = await createTestIssuer();
  const config = loadGatewayConfig({ CCGATE_ISSUER: TEST_ISSUER, CCGATE_AUDIENCE: TEST_AUDIENCE });
  const unused: BedrockClient = {
    send: () => Promise.reject(new Error("Bedrock must not be called")),
  } as unknown as BedrockClient;
  const app = createApp({
    config: { ...config, issuer: TEST_ISSUER },
    bedrock: unused,
    key: issuer.keySet,
    now: () => new Date(),
    log: () => {},
    allowedModels: (claims) => (model) =>
      (claims.roles as string[] | undefined)?.includes("ccgate.opus") === true ||
      !model.name.includes("opus"),
  });
  const list = async (roles: string[]) => {
    const token = await issuer.mint({ claims: { roles } });
    const res = await app.request("/v1/models?limit=1000", {
      headers: { authorization: `Bearer ${token}` },
    });
    return (await res.json()).data.map((m: { id: string }) => m.id) as string[];
  };
  const plain = await list(["ccgate.user"]);
  const opus = await list(["ccgate.user", "ccgate.opus"]);
  assert(plain.length > 0 && plain.every((id) => !id.includes("opus")), plain.join());
  assert(opus.includes("claude-opus-4-8"));
  const res = await app.request("/v1/models/claude-opus-4-8", {
    headers: { authorization: `Bearer ${await issuer.mint()}` },
  });
  assertEquals(res.status, 404);
});
