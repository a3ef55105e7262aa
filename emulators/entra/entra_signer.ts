import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";

/** One RS256 signing key of the emulated Entra tenant. */
interface EntraKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

/**
 * The emulated Entra ID signing keys: RS256 (2048-bit), `kid` and `x5t`
 * shaped like Entra's (base64url SHA-1 thumbprint, 27 characters). Published
 * keys appear in the JWKS; one extra key is never published (for
 * unknown-`kid` tests).
 */
export class EntraSigner {
  readonly #published: EntraKey[] = [];
  #unpublished?: EntraKey;

  /** Creates a signer with one published key. */
  static async create(): Promise<EntraSigner> {
    const signer = new EntraSigner();
    await signer.addKey();
    return signer;
  }

  /** Generates a new key, publishes it and makes it the signing key; older keys stay published. */
  async addKey(): Promise<string> {
    const key = await _generate();
    this.#published.unshift(key);
    return key.kid;
  }

  /** The `kid` tokens are signed with. */
  get currentKid(): string {
    return this.#published[0]!.kid;
  }

  /**
   * The JWKS document, shaped like `{authority}/{tenant}/discovery/v2.0/keys`.
   *
   * @param issuer The `issuer` member Entra adds to each key.
   */
  jwks(issuer: string): { keys: JWK[] } {
    return { keys: this.#published.map((k) => ({ ...k.publicJwk, issuer })) };
  }

  /**
   * Signs claims with a header shaped like Entra's (`typ: JWT`, `alg: RS256`, `kid`).
   *
   * @param claims The payload.
   * @param header Header overrides (a value of `undefined` removes a member).
   * @param key `current` (published) or `unpublished`.
   */
  async sign(
    claims: Record<string, unknown>,
    header: Record<string, unknown> = {},
    key: "current" | "unpublished" = "current",
  ): Promise<string> {
    const signing = key === "current"
      ? this.#published[0]!
      : (this.#unpublished ??= await _generate());
    const protectedHeader = _withoutUndefined({
      typ: "JWT",
      alg: "RS256",
      kid: signing.kid,
      ...header,
    });
    return await new SignJWT(claims).setProtectedHeader(
      protectedHeader as { alg: string },
    ).sign(signing.privateKey);
  }
}

async function _generate(): Promise<EntraKey> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", {
    modulusLength: 2048,
    extractable: true,
  });
  const jwk = await exportJWK(publicKey);
  const thumbprint = new Uint8Array(
    await crypto.subtle.digest("SHA-1", new TextEncoder().encode(`${jwk.n}.${jwk.e}`)),
  );
  const kid = _base64url(thumbprint);
  return {
    kid,
    privateKey,
    publicJwk: { kty: "RSA", use: "sig", kid, x5t: kid, n: jwk.n, e: jwk.e },
  };
}

function _base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function _withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
}
