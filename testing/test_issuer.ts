/**
 * A stand-in for the auth service's signer in gateway tests: an ES256 key pair
 * and a function that mints ccgate access tokens with any claim or header
 * overridden (for the token battery).
 *
 * @module
 */
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  type JWTPayload,
  type JWTVerifyGetKey,
  SignJWT,
} from "jose";

/** Issuer and audience the test tokens use. */
export const TEST_ISSUER = "http://ccgate.test";
/** Audience the test tokens use. */
export const TEST_AUDIENCE = "ccgate";

/** A test issuer: its public key and a token minting function. */
export interface TestIssuer {
  /** Verification key for the gateway under test. */
  publicKey: CryptoKey;
  /** The public key as a key set: resolves `kid: "test-key"` only. */
  keySet: JWTVerifyGetKey;
  /** Mints a token valid at `now`, with overrides. */
  mint(options?: {
    now?: Date;
    claims?: JWTPayload;
    header?: Record<string, unknown>;
    privateKey?: CryptoKey;
  }): Promise<string>;
}

/** Creates a {@linkcode TestIssuer} with a fresh ES256 key pair. */
export async function createTestIssuer(): Promise<TestIssuer> {
  const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: "test-key", alg: "ES256", use: "sig" };
  return {
    publicKey,
    keySet: createLocalJWKSet({ keys: [jwk] }),
    mint({ now = new Date(), claims = {}, header = {}, privateKey: key = privateKey } = {}) {
      const iat = Math.floor(now.getTime() / 1000);
      return new SignJWT({
        iss: TEST_ISSUER,
        aud: TEST_AUDIENCE,
        sub: "00000000-0000-0000-0000-00000000a11c",
        sid: "sess-test",
        jti: crypto.randomUUID(),
        client_id: "ccgate-cli",
        tid: "11111111-1111-1111-1111-111111111111",
        name: "Alice Example",
        roles: ["ccgate.user"],
        groups: [],
        iat,
        exp: iat + 3600,
        ...claims,
      }).setProtectedHeader({ alg: "ES256", typ: "at+jwt", kid: "test-key", ...header }).sign(key);
    },
  };
}
