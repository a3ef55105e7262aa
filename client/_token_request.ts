import { TokenRequestError } from "./errors.ts";
import type { TokenRequestOptions, TokenResponse } from "./token_response.ts";

/** The longest server `error_description` quoted in a message, in characters. */
const MAX_DESCRIPTION = 200;

/**
 * Parses an endpoint: only http(s) URLs are requests this library sends.
 * A value that is not a URL is not quoted (it might be anything, a secret included).
 */
export function _endpointUrl(endpoint: URL | string, what: string): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new TokenRequestError("endpoint_invalid", `Cannot use ${what}: it is not a URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new TokenRequestError(
      "endpoint_invalid",
      `Cannot use ${what}: it is a "${url.protocol}" URL, not http:// or https://`,
    );
  }
  return url;
}

/** The TokenRequestError of a failed `fetch` or body read (`reading`: the answer had started). */
export function _requestFailure(
  err: unknown,
  signal: AbortSignal | undefined,
  reading: boolean,
  status?: number,
): TokenRequestError {
  if (signal?.aborted) {
    return new TokenRequestError("aborted", "The request to the ccgate auth service was aborted", {
      cause: err,
      status,
    });
  }
  const timedOut = err instanceof DOMException && err.name === "TimeoutError";
  const what = reading
    ? timedOut ? "did not finish its answer in time" : "cut its answer off"
    : timedOut
    ? "did not answer in time"
    : "is unreachable";
  return new TokenRequestError(
    "network_error",
    `Cannot reach the ccgate auth service: it ${what}`,
    {
      cause: err,
      status,
    },
  );
}

/** POSTs a form to an OAuth endpoint; returns the answer, or throws a TokenRequestError. */
export async function _postForm(
  endpoint: URL | string,
  form: Record<string, string | undefined>,
  options: TokenRequestOptions,
): Promise<Response> {
  const url = _endpointUrl(endpoint, "the ccgate auth service's endpoint");
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) if (v !== undefined) body.set(k, v);
  if (options.clientId !== undefined) body.set("client_id", options.clientId);
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 10_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
      },
      body,
      redirect: "manual",
      signal,
    });
  } catch (err) {
    throw _requestFailure(err, options.signal, false);
  }
  if (response.ok) return response;
  throw await _errorFromResponse(response, options.signal);
}

/**
 * A server's `error_description`, safe to quote: one line, at most 200
 * characters, with anything that looks like a token (a ccgate refresh token,
 * a JWT) replaced by `[redacted]`.
 */
export function _safeDescription(text: string): string {
  const redacted = text
    .replace(/\p{Cc}+/gu, " ")
    .replace(/ccgr_[A-Za-z0-9_\-.~+/=]*/g, "[redacted]")
    .replace(/eyJ[A-Za-z0-9_\-=]*(\.[A-Za-z0-9_\-=]*){0,2}/g, "[redacted]")
    .trim();
  return redacted.length > MAX_DESCRIPTION
    ? `${redacted.slice(0, MAX_DESCRIPTION).replace(/\[[a-z]*$/, "")}…`
    : redacted;
}

/** `retry-after` as delta-seconds (what ccgate sends); `undefined` when absent or an HTTP date. */
function retryAfterSeconds(response: Response): number | undefined {
  const value = response.headers.get("retry-after")?.trim();
  return value !== undefined && /^\d{1,9}$/.test(value) ? Number(value) : undefined;
}

/** Turns a non-2xx answer into a TokenRequestError (RFC 6749 §5.2 body when there is one). */
export async function _errorFromResponse(
  response: Response,
  signal?: AbortSignal,
): Promise<TokenRequestError> {
  const status = response.status;
  let oauthError: string | undefined;
  let description: string | undefined;
  try {
    const body = JSON.parse(await response.text());
    if (typeof body?.error === "string") oauthError = _safeDescription(body.error).slice(0, 64);
    if (typeof body?.error_description === "string") {
      description = _safeDescription(body.error_description);
    }
  } catch (err) {
    // Not JSON (the status says enough); a body that never completes is a network failure.
    if (!(err instanceof SyntaxError)) return _requestFailure(err, signal, true, status);
  }
  const detail = oauthError
    ? `${oauthError}${description ? `: ${description}` : ""}`
    : `HTTP ${status}`;
  if (status === 429) {
    const after = retryAfterSeconds(response);
    return new TokenRequestError(
      "rate_limited",
      `The ccgate auth service asked to slow down (${detail})${
        after === undefined ? "" : `: try again in ${after} s`
      }`,
      { oauthError, status, retryAfterSeconds: after },
    );
  }
  if (status >= 500) {
    return new TokenRequestError("network_error", `The ccgate auth service failed (${detail})`, {
      oauthError,
      status,
    });
  }
  if (oauthError === "invalid_grant" || oauthError === "invalid_token") {
    return new TokenRequestError(
      "grant_invalid",
      `The ccgate auth service refused the grant (${detail})`,
      { oauthError, status },
    );
  }
  return new TokenRequestError(
    "request_rejected",
    `The ccgate auth service refused the request (${detail})`,
    { oauthError, status },
  );
}

/**
 * Validates an RFC 6749 §5.1 / RFC 8693 §2.2.1 token response body. A body
 * that stops or stalls is a `network_error`; one that is not JSON is
 * `response_invalid`, without the parser's message (it quotes the body).
 */
export async function _parseTokenResponse(
  response: Response,
  signal?: AbortSignal,
): Promise<TokenResponse> {
  let text: string;
  try {
    text = await response.text();
  } catch (err) {
    throw _requestFailure(err, signal, true, response.status);
  }
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text);
  } catch {
    throw new TokenRequestError("response_invalid", "Token response is not JSON", {
      status: response.status,
    });
  }
  const invalid = (what: string) =>
    new TokenRequestError("response_invalid", `Token response ${what}`, {
      status: response.status,
    });
  if (typeof body !== "object" || body === null) throw invalid("is not a JSON object");
  const { access_token, token_type, expires_in, refresh_token, issued_token_type, scope } = body;
  if (typeof access_token !== "string" || access_token === "") {
    throw invalid('has no "access_token"');
  }
  if (typeof token_type !== "string" || token_type.toLowerCase() !== "bearer") {
    throw invalid('"token_type" is not "Bearer"');
  }
  if (typeof expires_in !== "number" || !Number.isFinite(expires_in) || expires_in <= 0) {
    throw invalid('"expires_in" is not a positive number');
  }
  if (refresh_token !== undefined && (typeof refresh_token !== "string" || refresh_token === "")) {
    throw invalid('"refresh_token" is not a string');
  }
  return {
    accessToken: access_token,
    tokenType: "Bearer",
    expiresIn: expires_in,
    refreshToken: refresh_token as string | undefined,
    issuedTokenType: typeof issued_token_type === "string" ? issued_token_type : undefined,
    scope: typeof scope === "string" ? scope : undefined,
  };
}
