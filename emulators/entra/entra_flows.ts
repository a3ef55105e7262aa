import type {
  AuthCodeState,
  DeviceCodeState,
  EntraFlowsOptions,
  EntraTokenResponse,
  MintAccessTokenOptions,
  RefreshState,
} from "./entra_flows_types.ts";
import { _isLoopback, _random, _s256, _userCode } from "./_entra_helpers.ts";
import { EntraOAuthError } from "./entra_oauth_error.ts";
import { EntraTokens, type MintIdTokenOptions } from "./entra_tokens.ts";
import { type EntraUser, GRAPH_APP_ID } from "./entra_user.ts";

export { EntraOAuthError } from "./entra_oauth_error.ts";
export type {
  EntraFlowsOptions,
  EntraTokenResponse,
  MintAccessTokenOptions,
} from "./entra_flows_types.ts";
export { DEFAULT_DEV_USER, type EntraUser, GRAPH_APP_ID } from "./entra_user.ts";

/**
 * The emulated flows: device code (RFC 8628 with Entra's error wording),
 * authorization code with PKCE S256 on a loopback redirect, refresh tokens,
 * and the minting of Entra-v2-shaped tokens. All state is in memory; the
 * clock is injected.
 */
export class EntraFlows {
  readonly #o: EntraFlowsOptions;
  readonly #deviceCodes = new Map<string, DeviceCodeState>();
  readonly #userCodes = new Map<string, string>();
  readonly #authCodes = new Map<string, AuthCodeState>();
  readonly #refreshTokens = new Map<string, RefreshState>();

  readonly #tokens: EntraTokens;

  /** @param options Settings. */
  constructor(options: EntraFlowsOptions) {
    this.#o = options;
    this.#tokens = new EntraTokens(options);
  }

  /** The issuer of tokens for `tenantId`. */
  issuer(tenantId = this.#o.tenantId): string {
    return this.#tokens.issuer(tenantId);
  }

  #checkClient(clientId: string | null): string {
    if (clientId === null || clientId === "") {
      throw new EntraOAuthError(
        "invalid_request",
        "The request body must contain the following parameter: 'client_id'.",
        [900144],
      );
    }
    if (!this.#o.clientIds.includes(clientId)) {
      throw new EntraOAuthError(
        "unauthorized_client",
        `Application with identifier '${clientId}' was not found in the directory '${this.#o.tenantId}'.`,
        [700016],
      );
    }
    return clientId;
  }

  #parseScopes(scope: string | null): string[] {
    const scopes = (scope ?? "").split(" ").filter((s) => s !== "");
    if (scopes.length === 0) {
      throw new EntraOAuthError(
        "invalid_request",
        "The request body must contain the following parameter: 'scope'.",
        [900144],
      );
    }
    return scopes;
  }

  /** Starts a device code flow (`/devicecode`). */
  deviceCode(form: URLSearchParams): EntraTokenResponse {
    const clientId = this.#checkClient(form.get("client_id"));
    const scopes = this.#parseScopes(form.get("scope"));
    const deviceCode = _random(48);
    const userCode = _userCode();
    const at = this.#o.now().getTime();
    this.#deviceCodes.set(deviceCode, {
      userCode,
      clientId,
      scopes,
      expiresAt: at + this.#o.deviceCodeLifetimeSeconds * 1000,
      interval: this.#o.pollIntervalSeconds,
      lastPollAt: at,
      status: this.#o.autoApprove ? "approved" : "pending",
      user: this.#o.devUser,
    });
    this.#userCodes.set(userCode, deviceCode);
    if (this.#o.autoApprove) this.#o.announceAutoApprove();
    const verificationUri = `${this.#o.url}/devicelogin`;
    return {
      user_code: userCode,
      device_code: deviceCode,
      verification_uri: verificationUri,
      expires_in: this.#o.deviceCodeLifetimeSeconds,
      interval: this.#o.pollIntervalSeconds,
      message:
        `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${userCode} to authenticate.`,
    };
  }

  /**
   * Approves a pending device code as `user` (the dev user by default).
   *
   * @returns Whether the code was pending.
   */
  approve(userCode: string, user?: Partial<EntraUser>): boolean {
    const state = this.#deviceByUserCode(userCode);
    if (state === undefined || state.status !== "pending") return false;
    state.status = "approved";
    state.user = { ...this.#o.devUser, ...user };
    return true;
  }

  /**
   * Declines a pending device code.
   *
   * @returns Whether the code was pending.
   */
  decline(userCode: string): boolean {
    const state = this.#deviceByUserCode(userCode);
    if (state === undefined || state.status !== "pending") return false;
    state.status = "declined";
    return true;
  }

  #deviceByUserCode(userCode: string): DeviceCodeState | undefined {
    const deviceCode = this.#userCodes.get(userCode.trim().toUpperCase());
    return deviceCode === undefined ? undefined : this.#deviceCodes.get(deviceCode);
  }

  /** Answers `/token`. */
  async token(form: URLSearchParams): Promise<EntraTokenResponse> {
    const grantType = form.get("grant_type");
    switch (grantType) {
      case "urn:ietf:params:oauth:grant-type:device_code":
      case "device_code":
        return await this.#deviceCodeGrant(form);
      case "authorization_code":
        return await this.#authorizationCodeGrant(form);
      case "refresh_token":
        return await this.#refreshTokenGrant(form);
      default:
        throw new EntraOAuthError(
          "unsupported_grant_type",
          `The provided value for the input parameter 'grant_type' is not valid.`,
          [70003],
        );
    }
  }

  async #deviceCodeGrant(form: URLSearchParams): Promise<EntraTokenResponse> {
    const clientId = this.#checkClient(form.get("client_id"));
    const deviceCode = form.get("device_code") ?? "";
    const state = this.#deviceCodes.get(deviceCode);
    if (state === undefined || state.clientId !== clientId || state.status === "redeemed") {
      throw new EntraOAuthError(
        "bad_verification_code",
        "The device_code sent to the /token endpoint wasn't recognized.",
      );
    }
    const at = this.#o.now().getTime();
    if (at >= state.expiresAt) {
      throw new EntraOAuthError("expired_token", "Verification code expired.", [70019]);
    }
    if (state.status === "declined") {
      throw new EntraOAuthError(
        "authorization_declined",
        "The end user denied the authorization request.",
      );
    }
    const tooSoon = at - state.lastPollAt < state.interval * 1000;
    state.lastPollAt = at;
    if (tooSoon) {
      state.interval += 5;
      throw new EntraOAuthError(
        "slow_down",
        `The client is polling too fast: wait ${state.interval} seconds between requests.`,
      );
    }
    if (state.status === "pending") {
      throw new EntraOAuthError(
        "authorization_pending",
        "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
        [70016],
      );
    }
    state.status = "redeemed";
    return await this.#issue(state.user, state.clientId, state.scopes);
  }

  /**
   * Answers `/authorize`: validates the request and, when auto-approving,
   * returns the redirect with `code` and `state`.
   */
  authorize(params: URLSearchParams): { redirect: string } | { page: string; status: number } {
    let clientId: string;
    try {
      clientId = this.#checkClient(params.get("client_id"));
    } catch (err) {
      return { page: (err as Error).message, status: 400 };
    }
    const redirectUri = params.get("redirect_uri") ?? "";
    if (!_isLoopback(redirectUri)) {
      return {
        page:
          `AADSTS50011: The redirect URI '${redirectUri}' must be a loopback URI (http://127.0.0.1:<port>/..., http://localhost:<port>/...).`,
        status: 400,
      };
    }
    const redirect = new URL(redirectUri);
    const state = params.get("state");
    if (state !== null) redirect.searchParams.set("state", state);
    const fail = (error: string, description: string) => {
      redirect.searchParams.set("error", error);
      redirect.searchParams.set("error_description", description);
      return { redirect: redirect.href };
    };
    if (params.get("response_type") !== "code") {
      return fail("unsupported_response_type", "AADSTS700054: response_type must be 'code'.");
    }
    const challenge = params.get("code_challenge");
    if (challenge === null || params.get("code_challenge_method") !== "S256") {
      return fail(
        "invalid_request",
        "AADSTS9002325: Proof Key for Code Exchange is required: send code_challenge with code_challenge_method=S256.",
      );
    }
    const scopes = (params.get("scope") ?? "").split(" ").filter((s) => s !== "");
    if (scopes.length === 0) {
      return fail("invalid_request", "AADSTS900144: The request must contain 'scope'.");
    }
    if (!this.#o.autoApprove) {
      return fail("access_denied", "AADSTS65004: User declined to consent to access the app.");
    }
    this.#o.announceAutoApprove();
    const code = _random(48);
    this.#authCodes.set(code, {
      clientId,
      redirectUri,
      codeChallenge: challenge,
      scopes,
      expiresAt: this.#o.now().getTime() + 600_000,
      nonce: params.get("nonce") ?? undefined,
      user: this.#o.devUser,
    });
    redirect.searchParams.set("code", code);
    return { redirect: redirect.href };
  }

  async #authorizationCodeGrant(form: URLSearchParams): Promise<EntraTokenResponse> {
    const clientId = this.#checkClient(form.get("client_id"));
    const code = form.get("code") ?? "";
    const state = this.#authCodes.get(code);
    this.#authCodes.delete(code);
    if (
      state === undefined || state.clientId !== clientId ||
      state.expiresAt <= this.#o.now().getTime()
    ) {
      throw new EntraOAuthError(
        "invalid_grant",
        "The provided authorization code or refresh token has expired due to inactivity or is invalid.",
        [70008],
      );
    }
    if (form.get("redirect_uri") !== state.redirectUri) {
      throw new EntraOAuthError(
        "invalid_grant",
        "The reply URL specified in the request does not match the reply URL of the authorization request.",
        [500112],
      );
    }
    const verifier = form.get("code_verifier") ?? "";
    if ((await _s256(verifier)) !== state.codeChallenge) {
      throw new EntraOAuthError(
        "invalid_grant",
        "The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.",
        [50148],
      );
    }
    return await this.#issue(state.user, clientId, state.scopes, state.nonce);
  }

  async #refreshTokenGrant(form: URLSearchParams): Promise<EntraTokenResponse> {
    const clientId = this.#checkClient(form.get("client_id"));
    const state = this.#refreshTokens.get(form.get("refresh_token") ?? "");
    if (state === undefined || state.clientId !== clientId) {
      throw new EntraOAuthError(
        "invalid_grant",
        "The provided authorization code or refresh token has expired due to inactivity or is invalid.",
        [70008],
      );
    }
    const requested = form.get("scope");
    return await this.#issue(
      state.user,
      clientId,
      requested === null ? state.scopes : this.#parseScopes(requested),
    );
  }

  async #issue(
    user: EntraUser,
    clientId: string,
    scopes: string[],
    nonce?: string,
  ): Promise<EntraTokenResponse> {
    const apiPrefixes = [`api://${this.#o.apiClientId}/`, `${this.#o.apiClientId}/`];
    const apiScopes = scopes.flatMap((s) => {
      const prefix = apiPrefixes.find((p) => s.startsWith(p));
      if (prefix === undefined) return [];
      const name = s.slice(prefix.length);
      return [name === ".default" ? this.#o.scope : name];
    });
    const oidc = new Set(["openid", "profile", "email", "offline_access"]);
    let accessToken: string;
    let grantedScope: string;
    if (apiScopes.length > 0) {
      for (const name of apiScopes) {
        if (name !== this.#o.scope) {
          throw new EntraOAuthError(
            "invalid_scope",
            `The provided value for the input parameter 'scope' is not valid. The scope '${name}' does not exist on the API.`,
            [70011],
          );
        }
      }
      accessToken = await this.mintAccessToken({
        user,
        claims: { azp: clientId, scp: this.#o.scope },
      });
      grantedScope = `api://${this.#o.apiClientId}/${this.#o.scope}`;
    } else {
      const graphScopes = scopes.filter((s) => !oidc.has(s)).map((s) =>
        s.replace(/^https:\/\/graph\.microsoft\.com\//, "")
      );
      const scp = [
        ...scopes.filter((s) => s === "openid" || s === "profile" || s === "email"),
        ...graphScopes,
      ]
        .concat(graphScopes.includes("User.Read") ? [] : ["User.Read"]).join(" ");
      accessToken = await this.mintAccessToken({
        user,
        claims: { aud: GRAPH_APP_ID, azp: clientId, scp, roles: undefined, groups: undefined },
        header: { nonce: _random(32) },
      });
      grantedScope = scp;
    }
    const response: EntraTokenResponse = {
      token_type: "Bearer",
      scope: grantedScope,
      expires_in: this.#o.accessTokenLifetimeSeconds,
      ext_expires_in: this.#o.accessTokenLifetimeSeconds,
      access_token: accessToken,
    };
    if (scopes.includes("offline_access")) {
      const refreshToken = `1.EMU${_random(96)}`;
      this.#refreshTokens.set(refreshToken, { clientId, scopes, user });
      response.refresh_token = refreshToken;
    }
    if (scopes.includes("openid")) {
      response.id_token = await this.mintIdToken({ user, clientId, nonce });
    }
    return response;
  }

  /** Mints an access token; see `EntraEmulator.mintAccessToken`. */
  mintAccessToken(options: MintAccessTokenOptions = {}): Promise<string> {
    return this.#tokens.accessToken(options);
  }

  /** Mints an ID token for `clientId` (the signing-in app). */
  mintIdToken(options: MintIdTokenOptions = {}): Promise<string> {
    return this.#tokens.idToken(options);
  }
}
