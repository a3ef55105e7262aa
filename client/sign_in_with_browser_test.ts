import { startEntraEmulator } from "@ccgate/emulators";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "../testing/assert.ts";
import { SignInError } from "./errors.ts";
import { signInWithBrowser } from "./sign_in_with_browser.ts";

async function emulator(autoApprove = true) {
  const entra = await startEntraEmulator({ autoApprove, log: () => {} });
  return {
    entra,
    config: { authority: entra.issuer, clientId: entra.cliClientId, scope: entra.scope },
  };
}

/** Plays the browser: follows the authorize redirect with a real HTTP client; returns the callback URL. */
async function authorize(url: URL): Promise<URL> {
  const response = await fetch(url, { redirect: "manual" });
  await response.body?.cancel();
  assertEquals(response.status, 302);
  return new URL(response.headers.get("location")!);
}

async function visit(url: URL): Promise<{ status: number; text: string }> {
  const response = await fetch(url);
  return { status: response.status, text: await response.text() };
}

Deno.test("signInWithBrowser() completes PKCE on a 127.0.0.1 redirect and ignores a second callback", async () => {
  const { entra, config } = await emulator();
  await using _ = entra;
  const pages: { status: number; text: string }[] = [];
  let authorizeUrl: URL | undefined;
  const token = await signInWithBrowser(config, {
    openBrowser: async (url) => {
      authorizeUrl = url;
      const callback = await authorize(url);
      pages.push(await visit(callback));
      pages.push(await visit(callback));
      const other = new URL(callback);
      other.searchParams.set("code", "another-code");
      pages.push(await visit(other));
    },
  });
  assert(token.accessToken.split(".").length === 3);
  assertEquals(authorizeUrl!.searchParams.get("code_challenge_method"), "S256");
  assertEquals(new URL(authorizeUrl!.searchParams.get("redirect_uri")!).hostname, "127.0.0.1");
  assertEquals(pages.map((p) => p.status), [200, 409, 409]);
  assertStringIncludes(pages[0]!.text, "You can close this tab");
});

Deno.test("signInWithBrowser() aborts on a callback with the wrong state", async () => {
  const { entra, config } = await emulator();
  await using _ = entra;
  let page: { status: number; text: string } | undefined;
  const err = await assertRejects(
    () =>
      signInWithBrowser(config, {
        openBrowser: async (url) => {
          const callback = await authorize(url);
          callback.searchParams.set("state", "forged");
          page = await visit(callback);
        },
      }),
    SignInError,
  );
  assertEquals(err.code, "sign_in_state_mismatch");
  assertEquals(page?.status, 400);
});

Deno.test("signInWithBrowser() ends with sign_in_timeout when no callback comes", async () => {
  const { entra, config } = await emulator();
  await using _ = entra;
  const err = await assertRejects(
    () => signInWithBrowser(config, { openBrowser: () => {}, timeoutMs: 1 }),
    SignInError,
  );
  assertEquals(err.code, "sign_in_timeout");
});

Deno.test("signInWithBrowser() reports a declined consent", async () => {
  const { entra, config } = await emulator(false);
  await using _ = entra;
  const err = await assertRejects(
    () =>
      signInWithBrowser(config, {
        openBrowser: async (url) => {
          await visit(await authorize(url));
        },
      }),
    SignInError,
  );
  assertEquals(err.code, "sign_in_declined");
});

Deno.test("signInWithBrowser() closes its loopback server when done", async () => {
  const { entra, config } = await emulator();
  await using _ = entra;
  let callback: URL | undefined;
  await signInWithBrowser(config, {
    openBrowser: async (url) => {
      callback = await authorize(url);
      await visit(callback);
    },
  });
  await assertRejects(() => fetch(callback!), TypeError);
});

Deno.test("signInWithBrowser() never opens an authorization_endpoint that is not https (or http to loopback)", async () => {
  const { entra, config } = await emulator();
  await using _ = entra;
  // What Entra's OpenID configuration would have to say for the OS opener to run something else.
  for (
    const endpoint of [
      "ms-msdt:/id PCWDiagnostic",
      "file:///etc/passwd",
      "http://evil.example/authorize",
      "not a url",
    ]
  ) {
    const opened: URL[] = [];
    const err = await assertRejects(
      () =>
        signInWithBrowser(config, {
          openBrowser: (url) => void opened.push(url),
          timeoutMs: 5_000, // reached only when the URL was opened
          deps: {
            fetch: async (input, init) => {
              const response = await fetch(input, init);
              if (!String(input).endsWith("/.well-known/openid-configuration")) return response;
              return Response.json({ ...await response.json(), authorization_endpoint: endpoint });
            },
          },
        }),
      SignInError,
    );
    assertEquals(err.code, "sign_in_failed");
    assertStringIncludes(err.message, "authorization_endpoint");
    assertEquals(opened, []);
  }
});
