import { assertEquals, assertRejects } from "../../testing/assert.ts";
import { startAuthStack } from "../../testing/auth_stack.ts";
import { UnavailableError } from "./exit_codes.ts";
import { installGatewayCheck } from "./install_gateway_check.ts";

Deno.test("installGatewayCheck() returns the metadata of a ccgate URL", async () => {
  await using stack = await startAuthStack();
  const metadata = await installGatewayCheck(stack.url, fetch);
  assertEquals(metadata.issuer, stack.url);
  assertEquals(metadata.tokenEndpoint, `${stack.url}/oauth/token`);
});

Deno.test("installGatewayCheck() refuses an unreachable URL in one line that says nothing changed (exit 4)", async () => {
  const refused: typeof fetch = () => Promise.reject(new TypeError("connection refused"));
  await assertRejects(
    () => installGatewayCheck("https://ccgate.example.com", refused),
    UnavailableError,
    'Cannot reach ccgate at "https://ccgate.example.com": it is unreachable; nothing was changed: check --url (or pass --no-login to install without reaching ccgate now)',
  );
});
