import { assertEquals } from "../testing/assert.ts";
import { startGatewayStack } from "../testing/gateway_stack.ts";
import { DISCOVERY_PATH } from "./gateway_discovery_route.ts";

Deno.test("GET /.well-known/oauth-authorization-server of a gateway deployed apart names the auth service as issuer and the gateway the request came to", async () => {
  await using stack = await startGatewayStack({ discoveryIssuer: "https://auth.example.com/" });
  const response = await fetch(`${stack.url}${DISCOVERY_PATH}`);
  assertEquals(response.status, 200);
  assertEquals(response.headers.get("content-type"), "application/json");
  assertEquals(await response.json(), {
    issuer: "https://auth.example.com",
    ccgate_gateway_url: stack.url,
  });
  const head = await fetch(`${stack.url}${DISCOVERY_PATH}`, { method: "HEAD" });
  assertEquals(head.status, 200);
  assertEquals(await head.text(), "");
});

Deno.test("GET /.well-known/oauth-authorization-server is not the gateway's own route where the auth app shares it", async () => {
  await using stack = await startGatewayStack();
  const response = await fetch(`${stack.url}${DISCOVERY_PATH}`);
  assertEquals(response.status, 404);
  await response.body?.cancel();
});
