import * as oauth from "oauth4webapi";
import { SignInError } from "./errors.ts";
import type { EntraSignInConfig } from "./discover.ts";
import type { EntraToken, SignInDeps } from "./entra_token.ts";
import { _entraServer, _entraToken, _requestOptions, _signInFailure } from "./_entra.ts";
import { _isLoopback } from "./_loopback.ts";

/** Options of {@linkcode signInWithBrowser}. */
export interface BrowserSignInOptions {
  /**
   * Opens the authorization URL in the user's browser. The loopback server
   * stays up until this has returned and the first callback arrived.
   */
  openBrowser: (url: URL) => void | Promise<void>;
  /**
   * Give up when no callback arrived within this many milliseconds.
   * @default {300000}
   */
  timeoutMs?: number;
  /**
   * The loopback port; `0` picks a free one.
   * @default {0}
   */
  port?: number;
  /**
   * The path of the redirect URI (`http://127.0.0.1:<port><path>`), as registered in Entra.
   * @default {"/"}
   */
  redirectPath?: string;
  /**
   * Cancels the sign-in.
   * @default {undefined}
   */
  signal?: AbortSignal;
  /** `fetch` and clock. */
  deps?: SignInDeps;
}

function page(status: number, title: string, text: string): Response {
  const html =
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>` +
    `<style>body{font-family:system-ui,sans-serif;margin:4rem auto;max-width:32rem}</style></head>` +
    `<body><h1>${title}</h1><p>${text}</p></body></html>`;
  return new Response(html, {
    status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "referrer-policy": "no-referrer",
    },
  });
}

/**
 * Signs in to Entra ID in the user's browser: authorization code with PKCE
 * (S256) and a loopback redirect on `127.0.0.1` (RFC 8252). The first request
 * to the redirect path decides: a wrong `state` aborts the sign-in, an error
 * from Entra ends it, and any later request is answered "already handled" and
 * ignored. The browser gets a page saying the tab can be closed. Only an
 * https `authorization_endpoint` (or http to a loopback host) is handed to
 * `openBrowser`: an OS opener would run whatever handles another scheme.
 *
 * @param config Entra authority, client id and the ccgate API scope.
 * @param options How to open the browser, timeout, port, deps.
 * @returns An Entra access token for the ccgate API.
 * @throws {SignInError} `sign_in_state_mismatch`, `sign_in_timeout`,
 * `sign_in_declined` or `sign_in_failed`.
 *
 * @example Sign in with the browser
 * ```ts ignore
 * import { signInWithBrowser } from "@ccgate/client";
 *
 * const token = await signInWithBrowser({
 *   authority: "https://login.microsoftonline.com/<tenant id>/v2.0",
 *   clientId: "<ccgate CLI client id>",
 *   scope: "api://<ccgate API client id>/access_as_user",
 * }, {
 *   openBrowser: (url) => console.log(`Open ${url}`),
 * });
 * console.log(token.expiresAt);
 * ```
 */
export async function signInWithBrowser(
  config: EntraSignInConfig,
  options: BrowserSignInOptions,
): Promise<EntraToken> {
  const deps = options.deps ?? {};
  const now = deps.now ?? (() => new Date());
  const as = await _entraServer(config, deps.fetch);
  if (as.authorization_endpoint === undefined) {
    throw new SignInError(
      "sign_in_failed",
      "Entra ID's configuration has no authorization_endpoint",
    );
  }
  // The OS opener runs whatever handles the URL's scheme (`ms-msdt:`, `file:`...): only a web page.
  const endpoint = _webUrl(as.authorization_endpoint);
  if (endpoint === undefined) {
    throw new SignInError(
      "sign_in_failed",
      "Entra ID's configuration names an authorization_endpoint that is not an https URL: it is not opened",
    );
  }
  const client: oauth.Client = { client_id: config.clientId };
  const verifier = oauth.generateRandomCodeVerifier();
  const challenge = await oauth.calculatePKCECodeChallenge(verifier);
  const state = oauth.generateRandomState();
  const redirectPath = options.redirectPath ?? "/";

  const callback = Promise.withResolvers<URL>();
  callback.promise.catch(() => {});
  let handled = false;
  const stop = new AbortController();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: options.port ?? 0,
    signal: stop.signal,
    onListen: () => {},
  }, (request) => {
    const url = new URL(request.url);
    if (request.method !== "GET" || url.pathname !== redirectPath) {
      return new Response("Not found", { status: 404 });
    }
    if (handled) {
      return page(
        409,
        "Already handled",
        "This sign-in has already finished. You can close this tab.",
      );
    }
    handled = true;
    if (url.searchParams.get("state") !== state) {
      callback.reject(
        new SignInError(
          "sign_in_state_mismatch",
          "Sign-in aborted: the browser returned a state this sign-in did not send",
        ),
      );
      return page(
        400,
        "Sign-in aborted",
        "This request did not come from your sign-in. Run <code>ccgate login</code> again.",
      );
    }
    if (url.searchParams.has("error")) {
      callback.resolve(url);
      return page(
        400,
        "Sign-in failed",
        "Entra ID did not sign you in. You can close this tab and check the terminal.",
      );
    }
    callback.resolve(url);
    return page(200, "Signed in to ccgate", "You can close this tab and return to the terminal.");
  });
  const redirectUri = `http://127.0.0.1:${server.addr.port}${redirectPath}`;

  const authorizationUrl = endpoint;
  authorizationUrl.search = new URLSearchParams({
    client_id: config.clientId,
    response_type: "code",
    redirect_uri: redirectUri,
    scope: config.scope,
    state,
    code_challenge: challenge,
    code_challenge_method: "S256",
  }).toString();

  const timer = setTimeout(() => {
    callback.reject(
      new SignInError("sign_in_timeout", "Sign-in timed out: no answer from the browser"),
    );
  }, options.timeoutMs ?? 300_000);
  const onAbort = () =>
    callback.reject(
      new SignInError("sign_in_failed", "Sign-in was cancelled", { cause: options.signal?.reason }),
    );
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const opened = Promise.resolve().then(() => options.openBrowser(authorizationUrl)).catch(
    () => {},
  );
  try {
    const url = await callback.promise;
    const params = oauth.validateAuthResponse(as, client, url, state);
    const requestOptions = {
      ..._requestOptions(new URL(config.authority), deps.fetch),
      signal: options.signal,
    };
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      oauth.None(),
      params,
      redirectUri,
      verifier,
      requestOptions,
    );
    const result = await oauth.processAuthorizationCodeResponse(as, client, response);
    return _entraToken(result, now());
  } catch (err) {
    throw _signInFailure(err, "Cannot finish the browser sign-in");
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
    await opened;
    stop.abort();
    await server.finished;
  }
}

/** `url` when it is https, or http to a loopback host; else `undefined`. */
function _webUrl(url: string): URL | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const web = parsed.protocol === "https:" || parsed.protocol === "http:" && _isLoopback(parsed);
  return web ? parsed : undefined;
}
