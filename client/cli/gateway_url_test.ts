import { assertEquals, assertThrows } from "../../testing/assert.ts";
import { UsageError } from "./exit_codes.ts";
import { gatewayUrl } from "./gateway_url.ts";

Deno.test("gatewayUrl() takes http(s) URLs, a path prefix too, without their trailing slash", () => {
  assertEquals(
    gatewayUrl("https://ccgate.example.com/", "Invalid --url"),
    "https://ccgate.example.com",
  );
  assertEquals(gatewayUrl("http://127.0.0.1:8080", "Invalid --url"), "http://127.0.0.1:8080");
  assertEquals(
    gatewayUrl("https://corp.example.com/ccgate/", "Invalid --url"),
    "https://corp.example.com/ccgate",
  );
});

Deno.test("gatewayUrl() refuses another scheme, credentials, a query or a fragment, never echoing a password", () => {
  const refused = (url: string) =>
    assertThrows(() => gatewayUrl(url, "Invalid --url"), UsageError).message;
  assertEquals(refused("notaurl"), 'Invalid --url: "notaurl" is not a URL');
  assertEquals(
    refused("ftp://127.0.0.1:18180"),
    'Invalid --url: "ftp://127.0.0.1:18180/" must start with https:// (or http:// for a local one)',
  );
  assertEquals(
    refused("http://user:s3cret@127.0.0.1:18180"),
    "Invalid --url: the URL must not carry a user name or password",
  );
  assertEquals(
    refused("http://127.0.0.1:18180/x?y=1"),
    "Invalid --url: the URL must have no query (?) or fragment (#)",
  );
  assertEquals(
    refused("http://127.0.0.1:18180/#frag"),
    "Invalid --url: the URL must have no query (?) or fragment (#)",
  );
});
