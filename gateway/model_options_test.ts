import { assert, assertEquals } from "../testing/assert.ts";
import { loadGatewayConfig } from "./config.ts";
import { liveModelValue, modelOptions } from "./model_options.ts";

const HAIKU = "us.anthropic.claude-haiku-4-5-20251001-v1:0";
const SONNET = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";

Deno.test("modelOptions() lets CCGATE_MODELS win over the policy's aliases", () => {
  const config = loadGatewayConfig({ CCGATE_MODELS: JSON.stringify({ fast: SONNET }) });
  const options = modelOptions(config, { fast: HAIKU, cheap: HAIKU });
  assertEquals(options.aliases, { fast: SONNET, cheap: HAIKU });
});

Deno.test("liveModelValue() rebuilds only when the aliases object changes", () => {
  const live = { current: { fast: HAIKU } as Record<string, string> };
  let builds = 0;
  const value = liveModelValue(loadGatewayConfig({}), live, (o) => {
    builds++;
    return o.aliases;
  });
  assertEquals(value(), { fast: HAIKU });
  value();
  assertEquals(builds, 1, "read on every request, built once");
  live.current = { quick: SONNET };
  assertEquals(value(), { quick: SONNET });
  assertEquals(builds, 2);
  assert(value() === value());
});
