/**
 * The shapes of the emulated Entra flows: options, per-grant state, responses.
 *
 * @module
 */
import type { EntraSigner } from "./entra_signer.ts";
import type { EntraUser } from "./entra_user.ts";

export interface DeviceCodeState {
  userCode: string;
  clientId: string;
  scopes: string[];
  expiresAt: number;
  interval: number;
  lastPollAt: number;
  status: "pending" | "approved" | "declined" | "redeemed";
  user: EntraUser;
}

export interface AuthCodeState {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  scopes: string[];
  expiresAt: number;
  nonce?: string;
  user: EntraUser;
}

export interface RefreshState {
  clientId: string;
  scopes: string[];
  user: EntraUser;
}

/** Settings of {@linkcode EntraFlows}. */
export interface EntraFlowsOptions {
  /** Authority host, e.g. `http://127.0.0.1:PORT`. */
  url: string;
  /** The tenant id. */
  tenantId: string;
  /** The API app's client id (`aud` of its tokens). */
  apiClientId: string;
  /** The API's delegated scope name. */
  scope: string;
  /** Client ids that may sign in. */
  clientIds: string[];
  /** The dev user. */
  devUser: EntraUser;
  /** Approve device codes and browser sign-ins as the dev user at once. */
  autoApprove: boolean;
  /** Device code polling interval, seconds. */
  pollIntervalSeconds: number;
  /** Device code lifetime, seconds. */
  deviceCodeLifetimeSeconds: number;
  /** Access token lifetime, seconds. */
  accessTokenLifetimeSeconds: number;
  /** The clock. */
  now: () => Date;
  /** Signer. */
  signer: EntraSigner;
  /** Called once, the first time something is auto-approved. */
  announceAutoApprove: () => void;
}

/** What a token request answers. */
export type EntraTokenResponse = Record<string, unknown>;

/** Options of `mintAccessToken`: any claim or header can be overridden or removed. */
export interface MintAccessTokenOptions {
  /** Claims merged over the defaults; a value of `undefined` removes the claim. */
  claims?: Record<string, unknown>;
  /** Header members merged over `{typ, alg, kid}`; `undefined` removes one. */
  header?: Record<string, unknown>;
  /** Tenant for `iss` and `tid` (another tenant, still signed with a published key). */
  tenantId?: string;
  /** The user (merged over the dev user). */
  user?: Partial<EntraUser>;
  /** `current` (published key) or `unpublished` (a key no JWKS lists). */
  key?: "current" | "unpublished";
  /** Issue time. */
  now?: Date;
  /** Lifetime, seconds. */
  lifetimeSeconds?: number;
}
