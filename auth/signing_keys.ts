import {
  calculateJwkThumbprint,
  errors,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  type JWTVerifyGetKey,
  SignJWT,
} from "jose";
import { SigningKeysError } from "./errors.ts";

/** One signing key as stored in KV under `["keys", kid]`. */
export interface SigningKeyRecord {
  /** Key id: the RFC 7638 thumbprint of the public key. */
  kid: string;
  /** Private key, JWK (it never leaves KV and this process). */
  privateJwk: JWK;
  /** Public key, JWK with `kid`, `alg`, `use`. */
  publicJwk: JWK;
  /** When the key was generated, ms since the epoch. */
  createdAt: number;
  /** When the key becomes (or became) the signing key, ms since the epoch. */
  activatesAt: number;
  /** When the key leaves the published set, ms since the epoch. */
  retiresAt: number;
}

/** The ring as stored in KV under `["key_ring"]`: which key plays which part. */
export interface KeyRingRecord {
  /** The key that signed until the last rotation; still published. */
  previous: string | null;
  /** The key that signs now. */
  current: string;
  /** The key that will sign after the next rotation; already published. */
  next: string;
  /** When the ring last rotated, ms since the epoch. */
  rotatedAt: number;
}

/** The auth service's signing keys: ES256, kept in KV, rotated with overlap. */
export interface SigningKeys {
  /**
   * Signs a ccgate access token with the current key; header
   * `{alg: "ES256", typ: "at+jwt", kid}`.
   */
  sign(payload: JWTPayload): Promise<string>;
  /** The public parts of the previous, current and next keys, for `/.well-known/jwks.json`. */
  jwks(): Promise<{ keys: JWK[] }>;
  /**
   * Resolves a token header's `kid` to a public key, for in-process
   * verification (`jwtVerify(token, keys.getKey)`). Answers from memory; an
   * unknown `kid` rereads KV, at most once per cooldown, and so does the
   * first call after the ring in memory is `reloadIntervalMs` old, so a key
   * retired by another instance's rotations stops verifying here too (if KV
   * cannot be read then, the ring in memory goes on answering until the
   * next interval).
   */
  getKey: JWTVerifyGetKey;
  /**
   * Rotates now: previous ← current ← next ← a new key. Safe across
   * instances: if another instance rotated since this call started, this
   * call adopts that rotation instead of rotating twice.
   */
  rotate(): Promise<void>;
  /**
   * Rotates if the last rotation is at least `rotationIntervalMs` old; what
   * a frequent `Deno.cron` calls. Safe across instances.
   *
   * @returns Whether this call rotated.
   */
  rotateIfDue(): Promise<boolean>;
  /**
   * When the current key started signing (the ring's last rotation), ms
   * since the epoch, as last read from KV: by `sign()` and `jwks()` (at most
   * `reloadIntervalMs` stale while they are used) or by `rotateIfDue()`.
   * For the `ccgate_auth_signing_key_age_seconds` gauge.
   */
  rotatedAt(): number;
}

/** Options of {@linkcode openSigningKeys}. */
export interface SigningKeysOptions {
  /**
   * The clock.
   * @default {() => new Date()}
   */
  now?: () => Date;
  /**
   * Time between rotations. Must exceed the access token lifetime, so a
   * token outlives its key's time as `previous` never. A key is published as
   * `next` for one interval before it signs, and as `previous` for one
   * interval after.
   * @default {86_400_000} (24 h)
   */
  rotationIntervalMs?: number;
  /**
   * How stale the in-memory ring may be before `sign()`, `jwks()` and
   * `getKey()` reread KV (picking up a rotation done by another instance).
   * @default {60_000}
   */
  reloadIntervalMs?: number;
  /**
   * Least time between two KV rereads caused by an unknown `kid` in `getKey`.
   * @default {30_000}
   */
  unknownKidCooldownMs?: number;
}

const RING_KEY = ["key_ring"] as const;
const keyKey = (kid: string) => ["keys", kid] as const;

interface LoadedKey {
  record: SigningKeyRecord;
  publicKey: CryptoKey;
  privateKey?: CryptoKey;
}

interface LoadedRing {
  ring: KeyRingRecord;
  versionstamp: string;
  keys: Map<string, LoadedKey>;
  loadedAt: number;
}

/**
 * Opens the signing key ring kept in KV, creating it (a current and a next
 * ES256 key) when there is none. Every instance sharing the KV shares the
 * ring; creation and rotation are atomic KV operations guarded by version
 * checks.
 *
 * @param kv The KV holding `["key_ring"]` and `["keys", kid]`.
 * @param options Clock, rotation interval, reload and cooldown timings.
 * @returns The key ring.
 * @throws {SigningKeysError} When the ring cannot be read or created.
 *
 * @example Sign and verify in process
 * ```ts
 * import { openSigningKeys } from "@ccgate/auth";
 * import { jwtVerify } from "jose";
 *
 * using kv = await Deno.openKv(":memory:");
 * const keys = await openSigningKeys(kv);
 * const token = await keys.sign({ sub: "user" });
 * const { protectedHeader } = await jwtVerify(token, keys.getKey);
 * console.log(protectedHeader.typ); // "at+jwt"
 * ```
 */
export async function openSigningKeys(
  kv: Deno.Kv,
  options: SigningKeysOptions = {},
): Promise<SigningKeys> {
  const now = options.now ?? (() => new Date());
  const rotationIntervalMs = options.rotationIntervalMs ?? 86_400_000;
  const reloadIntervalMs = options.reloadIntervalMs ?? 60_000;
  const cooldownMs = options.unknownKidCooldownMs ?? 30_000;
  if (!(rotationIntervalMs > 0)) {
    throw new SigningKeysError("Cannot open signing keys: rotationIntervalMs must be positive");
  }

  const importedKeys = new Map<string, LoadedKey>();
  let state = await _load();
  let reloading: Promise<LoadedRing> | undefined;
  let lastUnknownKidReload = Number.NEGATIVE_INFINITY;
  let lastVerifyReload = Number.NEGATIVE_INFINITY;
  let seenRotatedAt = 0;

  async function _importKey(record: SigningKeyRecord, withPrivate: boolean): Promise<LoadedKey> {
    let loaded = importedKeys.get(record.kid);
    if (loaded === undefined) {
      loaded = {
        record,
        publicKey: await importJWK(record.publicJwk, "ES256") as CryptoKey,
      };
      importedKeys.set(record.kid, loaded);
    }
    loaded.record = record;
    if (withPrivate && loaded.privateKey === undefined) {
      loaded.privateKey = await importJWK(record.privateJwk, "ES256") as CryptoKey;
    }
    return loaded;
  }

  async function _load(): Promise<LoadedRing> {
    for (let attempt = 0; attempt < 5; attempt++) {
      let ringEntry: Deno.KvEntryMaybe<KeyRingRecord>;
      try {
        ringEntry = await kv.get<KeyRingRecord>(RING_KEY);
      } catch (err) {
        throw new SigningKeysError("Cannot read the signing key ring from KV", { cause: err });
      }
      if (ringEntry.value === null) {
        await _create();
        continue;
      }
      const ring = ringEntry.value;
      const kids = [ring.previous, ring.current, ring.next].filter((k): k is string => k !== null);
      const entries = await kv.getMany<SigningKeyRecord[]>(kids.map(keyKey));
      if (entries.some((e) => e.value === null)) continue; // a rotation raced this read: reread
      const keys = new Map<string, LoadedKey>();
      for (const entry of entries) {
        const record = entry.value!;
        keys.set(record.kid, await _importKey(record, record.kid === ring.current));
      }
      for (const kid of importedKeys.keys()) if (!keys.has(kid)) importedKeys.delete(kid);
      return { ring, versionstamp: ringEntry.versionstamp, keys, loadedAt: now().getTime() };
    }
    throw new SigningKeysError("Cannot read the signing key ring from KV: it keeps changing");
  }

  async function _create(): Promise<void> {
    const at = now().getTime();
    const current = await _generate(at, at, at + 2 * rotationIntervalMs);
    const next = await _generate(at, at + rotationIntervalMs, at + 3 * rotationIntervalMs);
    const ring: KeyRingRecord = {
      previous: null,
      current: current.kid,
      next: next.kid,
      rotatedAt: at,
    };
    // Loses harmlessly to a concurrent creator: the check fails and _load rereads.
    await kv.atomic()
      .check({ key: RING_KEY, versionstamp: null })
      .set(RING_KEY, ring)
      .set(keyKey(current.kid), current)
      .set(keyKey(next.kid), next)
      .commit();
  }

  function _reload(): Promise<LoadedRing> {
    reloading ??= _load().then((loaded) => {
      state = loaded;
      return loaded;
    }).finally(() => {
      reloading = undefined;
    });
    return reloading;
  }

  async function _fresh(): Promise<LoadedRing> {
    if (now().getTime() - state.loadedAt >= reloadIntervalMs) return await _reload();
    return state;
  }

  /**
   * The ring for verification: reread once it is `reloadIntervalMs` old (so a key retired
   * elsewhere leaves), but never failing for it, nor retried within the interval.
   */
  async function _verifying(): Promise<LoadedRing> {
    const at = now().getTime();
    if (at - state.loadedAt < reloadIntervalMs || at - lastVerifyReload < reloadIntervalMs) {
      return state;
    }
    lastVerifyReload = at;
    try {
      return await _reload();
    } catch {
      return state;
    }
  }

  async function _rotate(expectedVersionstamp: string | undefined): Promise<boolean> {
    const ringEntry = await kv.get<KeyRingRecord>(RING_KEY);
    if (ringEntry.value === null) {
      throw new SigningKeysError("Cannot rotate signing keys: the key ring is missing from KV");
    }
    if (expectedVersionstamp !== undefined && ringEntry.versionstamp !== expectedVersionstamp) {
      await _reload(); // another instance rotated in between: adopt its rotation
      return false;
    }
    const ring = ringEntry.value;
    const [currentEntry, nextEntry] = await kv.getMany<SigningKeyRecord[]>([
      keyKey(ring.current),
      keyKey(ring.next),
    ]);
    if (currentEntry?.value == null || nextEntry?.value == null) {
      throw new SigningKeysError(
        "Cannot rotate signing keys: a key of the ring is missing from KV",
      );
    }
    const at = now().getTime();
    const newNext = await _generate(at, at + rotationIntervalMs, at + 3 * rotationIntervalMs);
    const op = kv.atomic()
      .check(ringEntry, currentEntry, nextEntry)
      .set(
        RING_KEY,
        {
          previous: ring.current,
          current: ring.next,
          next: newNext.kid,
          rotatedAt: at,
        } satisfies KeyRingRecord,
      )
      .set(keyKey(ring.current), { ...currentEntry.value, retiresAt: at + rotationIntervalMs })
      .set(keyKey(ring.next), {
        ...nextEntry.value,
        activatesAt: at,
        retiresAt: at + 2 * rotationIntervalMs,
      })
      .set(keyKey(newNext.kid), newNext);
    if (ring.previous !== null) op.delete(keyKey(ring.previous));
    const result = await op.commit();
    await _reload();
    return result.ok;
  }

  return {
    async sign(payload) {
      const loaded = await _fresh();
      const key = loaded.keys.get(loaded.ring.current);
      if (key?.privateKey === undefined) {
        throw new SigningKeysError("Cannot sign: the current signing key is not loaded");
      }
      return await new SignJWT(payload)
        .setProtectedHeader({ alg: "ES256", typ: "at+jwt", kid: loaded.ring.current })
        .sign(key.privateKey);
    },

    async jwks() {
      const loaded = await _fresh();
      const order = [loaded.ring.current, loaded.ring.next, loaded.ring.previous];
      return {
        keys: order.filter((k): k is string => k !== null).map((kid) => ({
          ...loaded.keys.get(kid)!.record.publicJwk,
        })),
      };
    },

    async getKey(header) {
      const kid = header.kid;
      if (typeof kid !== "string") throw new errors.JWKSNoMatchingKey();
      let key = (await _verifying()).keys.get(kid);
      if (key === undefined) {
        const at = now().getTime();
        if (at - lastUnknownKidReload < cooldownMs) throw new errors.JWKSNoMatchingKey();
        lastUnknownKidReload = at;
        key = (await _reload()).keys.get(kid);
        if (key === undefined) throw new errors.JWKSNoMatchingKey();
      }
      return key.publicKey;
    },

    async rotate() {
      // A concurrent rotation elsewhere makes the commit's version check fail: adopted, not repeated.
      await _rotate(undefined);
    },

    async rotateIfDue() {
      const ringEntry = await kv.get<KeyRingRecord>(RING_KEY);
      if (ringEntry.value === null) return false;
      seenRotatedAt = Math.max(seenRotatedAt, ringEntry.value.rotatedAt);
      if (now().getTime() < ringEntry.value.rotatedAt + rotationIntervalMs) return false;
      return await _rotate(ringEntry.versionstamp);
    },

    rotatedAt() {
      return Math.max(state.ring.rotatedAt, seenRotatedAt);
    },
  };
}

async function _generate(
  createdAt: number,
  activatesAt: number,
  retiresAt: number,
): Promise<SigningKeyRecord> {
  const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return {
    kid,
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: "ES256" },
    publicJwk: { ...publicJwk, kid, alg: "ES256", use: "sig" },
    createdAt,
    activatesAt,
    retiresAt,
  };
}
