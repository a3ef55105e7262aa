import { TokenRequestError } from "./errors.ts";
import { _isLoopback } from "./_loopback.ts";

/** How the CLI signs in to Entra ID for this ccgate deployment. */
export interface EntraSignInConfig {
  /**
   * The Entra ID issuer / authority, `https://login.microsoftonline.com/{tenant}/v2.0`
   * (its OIDC discovery document is at `{authority}/.well-known/openid-configuration`).
   */
  authority: string;
  /** The public client id the CLI signs in as. */
  clientId: string;
  /** The scope of the ccgate API, e.g. `api://ccgate/access`. */
  scope: string;
}

/** The auth service's RFC 8414 metadata, as the client uses it. */
export interface CcgateMetadata {
  /** The auth service's issuer identifier (the `iss` of its tokens). */
  issuer: string;
  /** Where tokens are exchanged and refreshed. */
  tokenEndpoint: string;
  /** Where tokens are revoked (RFC 7009), if the service publishes one. */
  revocationEndpoint?: string;
  /**
   * The public feed of revoked sessions (`ccgate_revocations_endpoint`), if
   * the service publishes one: what {@linkcode RevokedSessions} reads.
   */
  revocationsEndpoint?: string;
  /** The verification keys of ccgate access tokens. */
  jwksUri?: string;
  /** The Entra ID sign-in settings, if the service publishes them (`ccgate_entra`). */
  entra?: EntraSignInConfig;
  /**
   * The gateway's base URL: the URL given when it is a gateway's, else the
   * `ccgate_gateway_url` the auth service publishes, if any (none: the ccgate
   * URL serves the gateway too, as `main.ts` does).
   */
  gatewayUrl?: string;
  /** The raw metadata document. */
  raw: Record<string, unknown>;
}

/** Options of {@linkcode discover}. */
export interface DiscoverOptions {
  /**
   * The `fetch` used for the request.
   * @default {globalThis.fetch}
   */
  fetch?: typeof fetch;
  /**
   * Give up after this many milliseconds.
   * @default {10000}
   */
  timeoutMs?: number;
  /**
   * Allows plain `http:` to any host, for a ccgate server an operator runs
   * on a private network. Off, plain `http:` is refused except to a loopback
   * host (`localhost`, `127.0.0.1`, `[::1]`): for the URL given, the auth
   * service it leads to, and every URL the metadata names (token,
   * revocation and key endpoints, the revocation feed, the gateway, the
   * Entra authority), since tokens are sent to them.
   * @default {false}
   */
  allowInsecureHttp?: boolean;
}

/**
 * Returns the RFC 8414 metadata URL of an issuer: the well-known segment goes
 * between the host and the issuer's path.
 */
function metadataUrl(issuer: URL): URL {
  const path = issuer.pathname.replace(/\/+$/, "");
  return new URL(`/.well-known/oauth-authorization-server${path}`, issuer.origin);
}

/**
 * Reads the `ccgate_entra` extension of the metadata: `issuer` (the Entra v2.0
 * issuer, whose OIDC discovery the sign-in uses), `client_id` and `scope`.
 */
function entraConfig(value: unknown): EntraSignInConfig | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const authority = typeof v.issuer === "string"
    ? v.issuer
    : typeof v.authority === "string"
    ? `${v.authority.replace(/\/+$/, "")}/v2.0`
    : undefined;
  if (authority === undefined) return undefined;
  if (typeof v.client_id !== "string" || typeof v.scope !== "string") return undefined;
  return { authority, clientId: v.client_id, scope: v.scope };
}

function sameIssuer(a: string, b: string): boolean {
  return a.replace(/\/+$/, "") === b.replace(/\/+$/, "");
}

/** The ccgate URL as a URL: http(s) only; a value that is not one is quoted only when harmless. */
function issuerUrl(url: URL | string): URL {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    // not a URL
  }
  if (parsed?.protocol === "https:" || parsed?.protocol === "http:") return parsed;
  const text = String(url);
  const quoted = /^[^@\s]{1,200}$/.test(text) ? `"${text}" ` : "";
  throw new TokenRequestError(
    "endpoint_invalid",
    `Cannot use ${quoted}as the ccgate URL: it must start with https:// (or http:// for a local one), for example https://ccgate.example.com`,
  );
}

/**
 * Reads the auth service's metadata (RFC 8414,
 * `/.well-known/oauth-authorization-server`) from a ccgate URL: its token,
 * revocation and JWKS endpoints, its feed of revoked sessions, the gateway's URL and, when published, how to
 * sign in to Entra ID.
 *
 * The URL may be the auth service's (or the one app serving both), or a
 * gateway deployed apart from it: a gateway's metadata names the auth service
 * as `issuer` and itself as `ccgate_gateway_url`, and is followed, once, to the
 * auth service's own metadata, which must name that issuer; the result's
 * `gatewayUrl` is then the URL given. For the auth service's URL, `gatewayUrl`
 * is the `ccgate_gateway_url` it publishes, if any.
 *
 * @param url The ccgate URL users are given: the auth service's or the gateway's.
 * @param options `fetch`, timeout, whether plain http to any host is allowed.
 * @returns The endpoints and sign-in settings.
 * @throws {TokenRequestError} `endpoint_invalid` when `url` is not an http(s) URL
 * (`ccgate.example.com` without `https://`) or is plain http to a host other
 * than loopback (without `allowInsecureHttp`), `network_error` when unreachable or
 * failing (HTTP 5xx), `response_invalid` when the document is not RFC 8414
 * metadata for this issuer nor a gateway's (the URL does not look like a
 * ccgate server), the metadata URL redirects (the message names where to),
 * or the metadata names plain http to a host other than loopback for a URL
 * tokens go to (without `allowInsecureHttp`).
 *
 * @example Discover the endpoints
 * ```ts
 * import { discover } from "@ccgate/client";
 *
 * const fakeFetch: typeof fetch = () =>
 *   Promise.resolve(Response.json({
 *     issuer: "https://ccgate.example.com",
 *     token_endpoint: "https://ccgate.example.com/oauth/token",
 *     revocation_endpoint: "https://ccgate.example.com/oauth/revoke",
 *   }));
 * const metadata = await discover("https://ccgate.example.com", { fetch: fakeFetch });
 * console.log(metadata.tokenEndpoint); // "https://ccgate.example.com/oauth/token"
 * ```
 *
 * @example From a gateway deployed apart from the auth service
 * ```ts
 * import { discover } from "@ccgate/client";
 *
 * const documents: Record<string, object> = {
 *   "https://gateway.example.com": {
 *     issuer: "https://auth.example.com",
 *     ccgate_gateway_url: "https://gateway.example.com",
 *   },
 *   "https://auth.example.com": {
 *     issuer: "https://auth.example.com",
 *     token_endpoint: "https://auth.example.com/oauth/token",
 *   },
 * };
 * const fakeFetch: typeof fetch = (input) =>
 *   Promise.resolve(Response.json(documents[new URL(String(input)).origin]));
 * const metadata = await discover("https://gateway.example.com", { fetch: fakeFetch });
 * console.log(metadata.tokenEndpoint); // "https://auth.example.com/oauth/token"
 * console.log(metadata.gatewayUrl); // "https://gateway.example.com"
 * ```
 */
export async function discover(
  url: URL | string,
  options: DiscoverOptions = {},
): Promise<CcgateMetadata> {
  const given = issuerUrl(url);
  if (_unencrypted(given, options)) {
    throw new TokenRequestError(
      "endpoint_invalid",
      `Cannot use "${given.origin}${given.pathname}" as the ccgate URL: plain http to another machine would send tokens unencrypted; use https:// (plain http only for a local one)`,
    );
  }
  const first = await _readMetadata(given, options);
  if (first.issuerMatches) return _securedEndpoints(first, options);
  // A gateway deployed apart: its issuer is the auth service, whose own metadata must name it.
  let authUrl: URL;
  try {
    authUrl = issuerUrl(first.metadata.issuer);
  } catch {
    throw first.invalid(`names an issuer that is not an http(s) URL`);
  }
  if (_unencrypted(authUrl, options)) throw _insecureIn(first, "issuer", authUrl);
  const auth = await _readMetadata(authUrl, options);
  if (!auth.issuerMatches) {
    throw auth.invalid(
      `names another issuer, ${JSON.stringify(auth.metadata.issuer.slice(0, 200))}`,
    );
  }
  return _securedEndpoints(
    { ...auth, metadata: { ...auth.metadata, gatewayUrl: first.shown } },
    options,
  );
}

/** The `response_invalid` error for metadata naming a plain-http `url` on another machine as `field`. */
function _insecureIn(read: _MetadataRead, field: string, url: URL): TokenRequestError {
  return new TokenRequestError(
    "response_invalid",
    `Cannot use ccgate at "${read.shown}": its metadata names plain http to another machine as "${field}" (${
      JSON.stringify(`${url.origin}${url.pathname}`.slice(0, 200))
    }), which would receive tokens unencrypted`,
  );
}

/** Whether tokens sent to `url` would cross a network unencrypted, and that is not allowed. */
function _unencrypted(url: URL, options: DiscoverOptions): boolean {
  return url.protocol === "http:" && !_isLoopback(url) && !options.allowInsecureHttp;
}

/**
 * The metadata, once no URL in it that tokens go to is plain http to a host
 * other than loopback (unless `allowInsecureHttp`).
 */
function _securedEndpoints(read: _MetadataRead, options: DiscoverOptions): CcgateMetadata {
  const m = read.metadata;
  const named: [string, string | undefined][] = [
    ["token_endpoint", m.tokenEndpoint],
    ["revocation_endpoint", m.revocationEndpoint],
    ["ccgate_revocations_endpoint", m.revocationsEndpoint],
    ["jwks_uri", m.jwksUri],
    ["ccgate_gateway_url", m.gatewayUrl],
    ["ccgate_entra", m.entra?.authority],
  ];
  for (const [field, value] of named) {
    if (value === undefined) continue;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      continue; // not a URL: refused where it is used
    }
    if (_unencrypted(url, options)) throw _insecureIn(read, field, url);
  }
  return m;
}

/** What one metadata document said. */
interface _MetadataRead {
  /** The document's fields (for a gateway's pointer: `issuer` and `raw` only). */
  metadata: CcgateMetadata;
  /** Whether it names the URL it was read from as its issuer. */
  issuerMatches: boolean;
  /** The URL it was read from, as shown in messages (no credentials, no trailing slash). */
  shown: string;
  /** The `response_invalid` error about this document. */
  invalid: (what: string) => TokenRequestError;
}

/**
 * Fetches and checks the metadata at `issuer`: a document naming `issuer`, or
 * a gateway's pointer (another `issuer` and a `ccgate_gateway_url`).
 */
async function _readMetadata(issuer: URL, options: DiscoverOptions): Promise<_MetadataRead> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 10_000);
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(metadataUrl(issuer), {
      headers: { accept: "application/json" },
      redirect: "manual",
      signal: timeout,
    });
  } catch (err) {
    throw new TokenRequestError(
      "network_error",
      `Cannot reach ccgate at "${issuer.origin}": it ${
        timeout.aborted ? "did not answer in time" : "is unreachable"
      }`,
      { cause: err },
    );
  }
  // The URL as given, without any credentials in it.
  const shown = `${issuer.origin}${issuer.pathname.replace(/\/+$/, "")}`;
  const metadataPath = metadataUrl(issuer).pathname;
  const invalid = (what: string) =>
    new TokenRequestError(
      "response_invalid",
      `"${shown}" does not look like a ccgate server: its metadata (${metadataPath}) ${what}`,
      { status: response.status },
    );
  if (!response.ok) {
    await response.body?.cancel();
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location !== null) {
      let target = "another URL";
      try {
        const to = new URL(location, metadataUrl(issuer));
        target = `"${to.origin}${to.pathname}"`;
      } catch {
        // an unparsable location: not quoted
      }
      throw new TokenRequestError(
        "response_invalid",
        `Cannot use ccgate at "${shown}": its metadata (${metadataPath}) redirects (HTTP ${response.status}) to ${target}, and redirects are not followed; give the URL ccgate is served at`,
        { status: response.status },
      );
    }
    if (response.status >= 500) {
      throw new TokenRequestError(
        "network_error",
        `Cannot use ccgate at "${shown}": metadata answered HTTP ${response.status}`,
        { status: response.status },
      );
    }
    throw invalid(`answered HTTP ${response.status}`);
  }
  let raw: Record<string, unknown>;
  try {
    raw = await response.json();
  } catch {
    throw invalid("is not JSON");
  }
  if (typeof raw !== "object" || raw === null) throw invalid("is not a JSON object");
  const str = (key: string): string | undefined =>
    typeof raw[key] === "string" && raw[key] !== "" ? raw[key] as string : undefined;
  const issuerClaim = str("issuer");
  if (issuerClaim === undefined) throw invalid('has no "issuer"');
  const gatewayUrl = str("ccgate_gateway_url");
  if (!sameIssuer(issuerClaim, `${issuer.origin}${issuer.pathname}`)) {
    if (gatewayUrl === undefined) {
      throw invalid(`names another issuer, ${JSON.stringify(issuerClaim.slice(0, 200))}`);
    }
    // A gateway's pointer to its auth service.
    return {
      metadata: { issuer: issuerClaim, tokenEndpoint: "", raw },
      issuerMatches: false,
      shown,
      invalid,
    };
  }
  const tokenEndpoint = str("token_endpoint");
  if (tokenEndpoint === undefined) throw invalid('has no "token_endpoint"');
  const entra = entraConfig(raw.ccgate_entra);
  return {
    metadata: {
      issuer: issuerClaim,
      tokenEndpoint,
      revocationEndpoint: str("revocation_endpoint"),
      revocationsEndpoint: str("ccgate_revocations_endpoint"),
      jwksUri: str("jwks_uri"),
      entra,
      gatewayUrl,
      raw,
    },
    issuerMatches: true,
    shown,
    invalid,
  };
}
