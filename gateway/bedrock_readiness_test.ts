import { assertEquals, assertRejects } from "../testing/assert.ts";
import { bedrockProbeTargets, bedrockReadiness } from "./bedrock_readiness.ts";

/** A far side that answers some URLs and refuses connections to the others, counting requests. */
function farSide(up: Set<string>) {
  const requested: string[] = [];
  const fetchImpl: typeof fetch = (input) => {
    const url = String(input);
    requested.push(url);
    return up.has(url)
      ? Promise.resolve(new Response("no route", { status: 404 }))
      : Promise.reject(new TypeError("error sending request: Connection refused"));
  };
  return { fetch: fetchImpl, requested };
}

const EAST = "http://east.test/";
const WEST = "http://west.test/";

Deno.test("bedrockProbeTargets() resolves each region's endpoint as the Bedrock clients do", () => {
  const config = {
    bedrockRegions: ["us-east-1", "us-west-2", "eu-west-1"],
    bedrockEndpoints: { "us-west-2": WEST },
    bedrockEndpoint: EAST,
  };
  assertEquals(bedrockProbeTargets(config), [
    { region: "us-east-1", url: EAST },
    { region: "us-west-2", url: WEST },
    { region: "eu-west-1", url: "https://bedrock-runtime.eu-west-1.amazonaws.com/" },
  ]);
  assertEquals(bedrockProbeTargets(config, "http://127.0.0.1:9/").map((t) => t.url), [
    "http://127.0.0.1:9/",
    "http://127.0.0.1:9/",
    "http://127.0.0.1:9/",
  ]);
});

Deno.test("bedrockReadiness() passes while any region answers, naming each region's state", async () => {
  const { fetch } = farSide(new Set([WEST]));
  const check = bedrockReadiness([
    { region: "us-east-1", url: EAST },
    { region: "us-west-2", url: WEST },
  ], { fetch });
  assertEquals(check.name, "bedrock");
  assertEquals(
    await check.check(),
    `1 of 2 regions reachable: us-east-1: Cannot reach ${EAST}: TypeError: error sending request: Connection refused; us-west-2: reachable`,
  );
});

Deno.test("bedrockReadiness() fails when no region answers", async () => {
  const { fetch } = farSide(new Set());
  const check = bedrockReadiness([
    { region: "us-east-1", url: EAST },
    { region: "us-west-2", url: WEST },
  ], { fetch });
  const err = await assertRejects(() => check.check(), Error);
  assertEquals(
    err.message,
    `No Bedrock region reachable: us-east-1: Cannot reach ${EAST}: TypeError: error sending request: Connection refused; us-west-2: Cannot reach ${WEST}: TypeError: error sending request: Connection refused`,
  );
});

Deno.test("bedrockReadiness() probes an endpoint shared by several regions once", async () => {
  const { fetch, requested } = farSide(new Set([EAST]));
  const check = bedrockReadiness([
    { region: "us-east-1", url: EAST },
    { region: "us-west-2", url: EAST },
  ], { fetch });
  assertEquals(
    await check.check(),
    "2 of 2 regions reachable: us-east-1: reachable; us-west-2: reachable",
  );
  assertEquals(requested, [EAST]);
});
