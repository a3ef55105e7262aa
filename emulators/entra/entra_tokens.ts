/**
 * The tokens the Entra ID emulator signs: v2 access tokens (for ccgate's API
 * or Microsoft Graph) and ID tokens, shaped like Entra's, with a pairwise
 * `sub` per audience. The clock and the signer come from the options.
 *
 * @module
 */
import { _pairwiseSubject, _random, _withoutUndefined } from "./_entra_helpers.ts";
import type { EntraFlowsOptions, MintAccessTokenOptions } from "./entra_flows_types.ts";
import type { EntraUser } from "./entra_user.ts";

/** Options of {@linkcode EntraTokens.idToken}. */
export interface MintIdTokenOptions {
  /** The user signing in. @default the emulator's development user */
  user?: Partial<EntraUser>;
  /** The signing-in app (`aud`). @default the first allowed client id */
  clientId?: string;
  /** The `nonce` of the authorization request. */
  nonce?: string;
  /** Claims added or replaced. */
  claims?: Record<string, unknown>;
}

/** Mints Entra-shaped tokens. */
export class EntraTokens {
  readonly #o: EntraFlowsOptions;

  /** @param options The emulator's settings (tenant, clients, signer, clock). */
  constructor(options: EntraFlowsOptions) {
    this.#o = options;
  }

  /** The issuer of tokens for `tenantId`. */
  issuer(tenantId = this.#o.tenantId): string {
    return `${this.#o.url}/${tenantId}/v2.0`;
  }

  #nowSeconds(): number {
    return Math.floor(this.#o.now().getTime() / 1000);
  }

  /** Mints an access token; see `EntraEmulator.mintAccessToken`. */
  async accessToken(options: MintAccessTokenOptions = {}): Promise<string> {
    const tenantId = options.tenantId ?? this.#o.tenantId;
    const user = { ...this.#o.devUser, ...options.user };
    const iat = options.now === undefined
      ? this.#nowSeconds()
      : Math.floor(options.now.getTime() / 1000);
    const aud = (options.claims?.aud as string | undefined) ?? this.#o.apiClientId;
    const claims: Record<string, unknown> = {
      aud,
      iss: this.issuer(tenantId),
      iat,
      nbf: iat,
      exp: iat + (options.lifetimeSeconds ?? this.#o.accessTokenLifetimeSeconds),
      aio: _random(40),
      azp: this.#o.clientIds[0],
      azpacr: "0",
      name: user.name,
      oid: user.oid,
      preferred_username: user.preferred_username,
      rh: `1.${_random(40)}.`,
      roles: user.roles.length > 0 ? user.roles : undefined,
      groups: user.groups.length > 0 ? user.groups : undefined,
      scp: this.#o.scope,
      sid: crypto.randomUUID(),
      sub: await _pairwiseSubject(user.oid, aud),
      tid: tenantId,
      uti: _random(22),
      ver: "2.0",
      ...options.claims,
    };
    return await this.#o.signer.sign(_withoutUndefined(claims), options.header, options.key);
  }

  /** Mints an ID token for `clientId` (the signing-in app). */
  async idToken(options: MintIdTokenOptions = {}): Promise<string> {
    const user = { ...this.#o.devUser, ...options.user };
    const clientId = options.clientId ?? this.#o.clientIds[0]!;
    const iat = this.#nowSeconds();
    return await this.#o.signer.sign(_withoutUndefined({
      aud: clientId,
      iss: this.issuer(),
      iat,
      nbf: iat,
      exp: iat + 3600,
      aio: _random(40),
      name: user.name,
      nonce: options.nonce,
      oid: user.oid,
      preferred_username: user.preferred_username,
      rh: `1.${_random(40)}.`,
      sid: crypto.randomUUID(),
      sub: await _pairwiseSubject(user.oid, clientId),
      tid: this.#o.tenantId,
      uti: _random(22),
      ver: "2.0",
      ...options.claims,
    }));
  }
}
