import { TokenRequestError } from "./errors.ts";
import type { TokenRequestOptions, TokenResponse } from "./token_response.ts";

/** POSTs a form to an OAuth endpoint; returns the answer, or throws a TokenRequestError. */
export async function _postForm(
  endpoint: URL | string,
  form: Record<string, string | undefined>,
  options: TokenRequestOptions,
): Promise<Response> {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) if (v !== undefined) body.set(k, v);
  if (options.clientId !== undefined) body.set("client_id", options.clientId);
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 10_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(endpoint, {
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
    const what = timeout.aborted ? "did not answer in time" : "is unreachable";
    throw new TokenRequestError(
      "network_error",
      `Cannot reach the ccgate auth service: it ${what}`,
      {
        cause: err,
      },
    );
  }
  if (response.ok) return response;
  throw await _errorFromResponse(response);
}

/** Turns a non-2xx answer into a TokenRequestError (RFC 6749 §5.2 body when there is one). */
export async function _errorFromResponse(response: Response): Promise<TokenRequestError> {
  const status = response.status;
  let oauthError: string | undefined;
  let description: string | undefined;
  try {
    const body = await response.json();
    if (typeof body?.error === "string") oauthError = body.error;
    if (typeof body?.error_description === "string") description = body.error_description;
  } catch {
    // not JSON: the status says enough
  }
  const detail = oauthError
    ? `${oauthError}${description ? `: ${description}` : ""}`
    : `HTTP ${status}`;
  if (status >= 500 || status === 429) {
    return new TokenRequestError("network_error", `The ccgate auth service failed (${detail})`, {
      oauthError,
      status,
    });
  }
  if (oauthError === "invalid_grant" || oauthError === "invalid_token") {
    return new TokenRequestError(
      "grant_invalid",
      `The ccgate auth service refused the grant (${detail})`,
      {
        oauthError,
        status,
      },
    );
  }
  return new TokenRequestError(
    "request_rejected",
    `The ccgate auth service refused the request (${detail})`,
    {
      oauthError,
      status,
    },
  );
}

/** Validates an RFC 6749 §5.1 / RFC 8693 §2.2.1 token response body. */
export async function _parseTokenResponse(response: Response): Promise<TokenResponse> {
  let body: Record<string, unknown>;
  try {
    body = await response.json();
  } catch (err) {
    throw new TokenRequestError("response_invalid", "Token response is not JSON", {
      cause: err,
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
