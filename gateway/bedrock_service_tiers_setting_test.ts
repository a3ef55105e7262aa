import { assertEquals, assertThrows } from "../testing/assert.ts";
import { loadGatewayConfig } from "./config.ts";
import { ConfigError } from "./errors.ts";

Deno.test("loadGatewayConfig() reads CCGATE_BEDROCK_SERVICE_TIERS as a list, every tier when unset", () => {
  assertEquals(loadGatewayConfig({}).bedrockServiceTiers, undefined);
  assertEquals(
    loadGatewayConfig({ CCGATE_BEDROCK_SERVICE_TIERS: " flex, default,flex" }).bedrockServiceTiers,
    ["flex", "default"],
  );
});

Deno.test("loadGatewayConfig() refuses an unknown tier in CCGATE_BEDROCK_SERVICE_TIERS, naming the key", () => {
  assertThrows(
    () => loadGatewayConfig({ CCGATE_BEDROCK_SERVICE_TIERS: "flex,standard" }),
    ConfigError,
    "Invalid setting CCGATE_BEDROCK_SERVICE_TIERS",
  );
});
