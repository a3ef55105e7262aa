import * as oauth from "oauth4webapi";
import { SignInError } from "./errors.ts";
import type { EntraSignInConfig } from "./discover.ts";
import type { EntraToken, SignInDeps } from "./entra_token.ts";
import { _entraServer, _entraToken, _requestOptions, _signInFailure, _sleep } from "./_entra.ts";

/** What to show the user during a device code sign-in. */
export interface DeviceCodePrompt {
  /** The code the user types. */
  userCode: string;
  /** Where the user types it. */
  verificationUri: string;
  /** A link with the code filled in, if Entra sent one. */
  verificationUriComplete?: string;
  /** When the code expires. */
  expiresAt: Date;
  /** Entra's own sentence for the user, if it sent one. */
  message?: string;
}

/** Options of {@linkcode signInWithDeviceCode}. */
export interface DeviceCodeSignInOptions {
  /** Shows the code and the URL to the user. */
  onPrompt: (prompt: DeviceCodePrompt) => void | Promise<void>;
  /**
   * Called before each poll of the token endpoint (drive a spinner).
   * @default {undefined}
   */
  onPoll?: () => void;
  /**
   * Cancels the sign-in.
   * @default {undefined}
   */
  signal?: AbortSignal;
  /** `fetch`, sleep and clock. */
  deps?: SignInDeps;
}

/**
 * Signs in to Entra ID with the device authorization grant (RFC 8628): asks
 * for a code, shows it through `onPrompt`, then polls at the interval Entra
 * asked for, five seconds slower after each `slow_down`, until the user
 * finishes, declines, or the code expires.
 *
 * @param config Entra authority, client id and the ccgate API scope.
 * @param options The prompt callback, cancellation, deps.
 * @returns An Entra access token for the ccgate API.
 * @throws {SignInError} `sign_in_declined`, `sign_in_expired`, or `sign_in_failed`.
 *
 * @example Sign in on a machine without a browser
 * ```ts ignore
 * import { signInWithDeviceCode } from "@ccgate/client";
 *
 * const token = await signInWithDeviceCode({
 *   authority: "https://login.microsoftonline.com/<tenant id>/v2.0",
 *   clientId: "<ccgate CLI client id>",
 *   scope: "api://<ccgate API client id>/access_as_user",
 * }, {
 *   onPrompt: (p) => console.log(`Open ${p.verificationUri} and enter ${p.userCode}`),
 * });
 * console.log(token.expiresAt);
 * ```
 */
export async function signInWithDeviceCode(
  config: EntraSignInConfig,
  options: DeviceCodeSignInOptions,
): Promise<EntraToken> {
  const deps = options.deps ?? {};
  const now = deps.now ?? (() => new Date());
  const sleep = deps.sleep ?? _sleep;
  const as = await _entraServer(config, deps.fetch);
  const client: oauth.Client = { client_id: config.clientId };
  const auth = oauth.None();
  const requestOptions = {
    ..._requestOptions(new URL(config.authority), deps.fetch),
    signal: options.signal,
  };
  let authorization: oauth.DeviceAuthorizationResponse;
  try {
    const response = await oauth.deviceAuthorizationRequest(
      as,
      client,
      auth,
      new URLSearchParams({ scope: config.scope }),
      requestOptions,
    );
    authorization = await oauth.processDeviceAuthorizationResponse(as, client, response);
  } catch (err) {
    throw _signInFailure(err, "Cannot start the device code sign-in");
  }
  const expiresAt = new Date(now().getTime() + authorization.expires_in * 1000);
  await options.onPrompt({
    userCode: authorization.user_code,
    verificationUri: authorization.verification_uri,
    verificationUriComplete: authorization.verification_uri_complete,
    expiresAt,
    message: typeof authorization.message === "string" ? authorization.message : undefined,
  });
  let intervalMs = (authorization.interval ?? 5) * 1000;
  while (true) {
    await sleep(intervalMs, options.signal);
    if (now() >= expiresAt) {
      throw new SignInError("sign_in_expired", "The sign-in code expired");
    }
    options.onPoll?.();
    try {
      const response = await oauth.deviceCodeGrantRequest(
        as,
        client,
        auth,
        authorization.device_code,
        requestOptions,
      );
      const result = await oauth.processDeviceCodeResponse(as, client, response);
      return _entraToken(result, now());
    } catch (err) {
      if (err instanceof oauth.ResponseBodyError) {
        if (err.error === "authorization_pending") continue;
        if (err.error === "slow_down") {
          intervalMs += 5000;
          continue;
        }
      }
      throw _signInFailure(err, "Cannot finish the device code sign-in");
    }
  }
}
