import { assertEquals, assertThrows } from "../../testing/assert.ts";
import { UsageError } from "./exit_codes.ts";
import { serverUrls } from "./server_urls.ts";

const config = {
  url: "https://auth.example.com",
  gatewayUrl: "https://gw.example.com",
  store: "file" as const,
};
const signedIn = { url: config.url, gatewayUrl: config.gatewayUrl, signedIn: true };

Deno.test("serverUrls() takes --url, else CCGATE_URL, else the server signed in to", () => {
  const other = { url: "https://other.example.com", gatewayUrl: "https://other.example.com" };
  assertEquals(serverUrls(undefined, undefined, undefined), undefined);
  assertEquals(serverUrls(undefined, undefined, config), signedIn);
  assertEquals(serverUrls(undefined, "", config), signedIn);
  assertEquals(serverUrls(undefined, "https://other.example.com/", config), {
    ...other,
    signedIn: false,
  });
  assertEquals(
    serverUrls("https://other.example.com", "https://third.example.com", undefined),
    { ...other, signedIn: false },
  );
});

Deno.test("serverUrls() keeps the signed-in server's gateway and auth service when given either's URL", () => {
  assertEquals(serverUrls("https://gw.example.com/", undefined, config), signedIn);
  assertEquals(serverUrls(undefined, "https://auth.example.com", config), signedIn);
  assertEquals(
    serverUrls("https://auth.example.com", undefined, { ...config, gatewayUrl: undefined }),
    {
      url: config.url,
      gatewayUrl: undefined,
      signedIn: true,
    },
  );
});

Deno.test("serverUrls() refuses a URL ccgate could not use, naming where it came from", () => {
  assertEquals(
    assertThrows(() => serverUrls("ftp://x.example.com", undefined, config), UsageError).message,
    'Invalid --url: "ftp://x.example.com/" must start with https:// (or http:// for a local one)',
  );
  assertEquals(
    assertThrows(() => serverUrls(undefined, "notaurl", config), UsageError).message,
    'Invalid CCGATE_URL: "notaurl" is not a URL',
  );
});
