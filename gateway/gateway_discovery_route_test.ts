import { assertEquals } from "../testing/assert.ts";
import { DISCOVERY_PATH, gatewayDiscoveryRoute } from "./gateway_discovery_route.ts";

Deno.test("gatewayDiscoveryRoute() names the auth service as issuer and the gateway the request came to", async () => {
  const discovery = gatewayDiscoveryRoute({ issuer: "https://auth.example.com/" });
  const response = discovery(new Request(`https://gw.example.com:8443${DISCOVERY_PATH}`))!;
  assertEquals(response.status, 200);
  assertEquals(response.headers.get("content-type"), "application/json");
  assertEquals(await response.json(), {
    issuer: "https://auth.example.com",
    ccgate_gateway_url: "https://gw.example.com:8443",
  });
  const head = discovery(
    new Request(`https://gw.example.com${DISCOVERY_PATH}`, { method: "HEAD" }),
  )!;
  assertEquals(head.status, 200);
  assertEquals(head.body, null);
});

Deno.test("gatewayDiscoveryRoute() leaves every other request to the gateway app", () => {
  const discovery = gatewayDiscoveryRoute({ issuer: "https://auth.example.com" });
  for (
    const request of [
      new Request("https://gw.example.com/v1/models"),
      new Request(`https://gw.example.com${DISCOVERY_PATH}/tenant`),
      new Request("https://gw.example.com/.well-known/jwks.json"),
      new Request(`https://gw.example.com${DISCOVERY_PATH}`, { method: "POST", body: "{}" }),
    ]
  ) {
    assertEquals(discovery(request), undefined, `${request.method} ${request.url}`);
  }
});
