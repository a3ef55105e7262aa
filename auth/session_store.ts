import { checkIdLength } from "./check_id_length.ts";
import { InvalidGrantError } from "./errors.ts";
import type { AccessTokenIdentity } from "./issue_access_token.ts";
import {
  generateRefreshToken,
  hashRefreshToken,
  openSuccessor,
  sealSuccessor,
} from "./refresh_token.ts";
import { revocationBatches } from "./revocation_batches.ts";
import { addRevocation, type Revocation } from "./revocation_feed.ts";
import { assertSessionUsable, type RefreshRecord, type SessionRecord } from "./session_record.ts";

/** A session and the refresh token that goes with it now. */
export interface SessionGrant {
  /** The session. */
  session: SessionRecord;
  /** The refresh token to hand to the client. */
  refreshToken: string;
  /** Whether this was a repeat presentation inside the grace window. */
  graceReplay: boolean;
}

/** Options of {@linkcode SessionStore}. */
export interface SessionStoreOptions {
  /** Absolute session lifetime, seconds. */
  sessionTtlSeconds: number;
  /** Grace window for concurrent use of a just-rotated refresh token, seconds. */
  refreshGraceSeconds: number;
  /**
   * How long records are kept in KV after the session expires (reuse
   * detection still answers precisely until then), ms.
   * @default {86_400_000}
   */
  retentionMs?: number;
  /** Called with a revocation right after it is committed (to update the in-memory list). */
  onRevoked?: (revocation: Revocation, reason: string) => void;
}

// Ids are bounded here, where they become keys, so no caller can make KV
// refuse a key (a 500) with a long id: it is a 400 instead.
const sessionKey = (sid: string) => ["sessions", checkIdLength(sid, 'Session id "sid"')] as const;
const refreshKey = (hash: string) => ["refresh", hash] as const;
const userSessionsPrefix = (sub: string) =>
  ["user_sessions", checkIdLength(sub, 'User id "sub"')] as const;
const userSessionKey = (sub: string, sid: string) =>
  [...userSessionsPrefix(sub), checkIdLength(sid, 'Session id "sid"')] as const;

/**
 * Sessions and refresh tokens in KV. Every refresh rotates the token in one
 * atomic operation; concurrent refreshes with the same token inside the
 * grace window all get the same successor; a rotated token presented after
 * the window revokes the session.
 *
 * Every method taking a `sub` or `sid` throws `ParameterTooLongError` (400)
 * for one longer than `MAX_SUBJECT_LENGTH`, before touching KV.
 */
export class SessionStore {
  readonly #kv: Deno.Kv;
  readonly #options: SessionStoreOptions;

  /**
   * @param kv The auth service's KV.
   * @param options Lifetimes and the revocation hook.
   */
  constructor(kv: Deno.Kv, options: SessionStoreOptions) {
    this.#kv = kv;
    this.#options = options;
  }

  #expireIn(expiresAt: number, now: number): number {
    return Math.max(1_000, expiresAt - now + (this.#options.retentionMs ?? 86_400_000));
  }

  /**
   * Creates a session and its first refresh token.
   *
   * @param identity The user, snapshotted now.
   * @param clientId The OAuth client.
   * @param now Current time.
   * @returns The session and refresh token.
   */
  async create(identity: AccessTokenIdentity, clientId: string, now: Date): Promise<SessionGrant> {
    const at = now.getTime();
    const refreshToken = generateRefreshToken();
    const hash = await hashRefreshToken(refreshToken);
    const session: SessionRecord = {
      sid: crypto.randomUUID(),
      identity,
      clientId,
      createdAt: at,
      expiresAt: at + this.#options.sessionTtlSeconds * 1000,
      revokedAt: null,
      refreshHash: hash,
      generation: 0,
    };
    const expireIn = this.#expireIn(session.expiresAt, at);
    const result = await this.#kv.atomic()
      .check({ key: sessionKey(session.sid), versionstamp: null })
      .set(sessionKey(session.sid), session, { expireIn })
      .set(
        refreshKey(hash),
        {
          sid: session.sid,
          generation: 0,
          state: "active",
          createdAt: at,
          expiresAt: session.expiresAt,
        } satisfies RefreshRecord,
        { expireIn },
      )
      .set(userSessionKey(identity.sub, session.sid), { sid: session.sid }, { expireIn })
      .commit();
    if (!result.ok) throw new Error("Cannot create the session: KV commit failed");
    return { session, refreshToken, graceReplay: false };
  }

  /**
   * Redeems a refresh token: rotates it, or inside the grace window returns
   * the session's current refresh token.
   *
   * The grace window is for concurrent holders of one token (several
   * processes on a workstation refreshing at once). Such a holder may
   * present a token that was rotated more than once meanwhile (rt0 → rt1 →
   * rt2, then rt0): it gets the current token (rt2), found by opening each
   * sealed successor in turn, never one already rotated, which would end the
   * session at its next use. Every link of that chain was rotated after the
   * presented token, so it is inside the grace window too.
   *
   * @param refreshToken The presented token.
   * @param now Current time.
   * @param clientId The `client_id` the client sent, if any: a token of
   * another client is refused before anything is rotated.
   * @returns The session and the (new or current) refresh token.
   * @throws {InvalidGrantError} Unknown token, another client's token,
   * expired or revoked session, or reuse outside the grace window (which
   * revokes the session).
   */
  async refresh(refreshToken: string, now: Date, clientId?: string): Promise<SessionGrant> {
    const at = now.getTime();
    const hash = await hashRefreshToken(refreshToken);
    for (let attempt = 0; attempt < 20; attempt++) {
      const refreshEntry = await this.#kv.get<RefreshRecord>(refreshKey(hash));
      const record = refreshEntry.value;
      if (record === null) {
        throw new InvalidGrantError(
          "refresh_token_invalid",
          "The refresh token is not valid: sign in again with `ccgate login`",
        );
      }
      const sessionEntry = await this.#kv.get<SessionRecord>(sessionKey(record.sid));
      const session = sessionEntry.value;
      if (session === null) {
        throw new InvalidGrantError(
          "session_expired",
          "The session has expired: sign in again with `ccgate login`",
        );
      }
      assertSessionUsable(session, at);
      const inGrace = record.state === "rotated" && record.sealedSuccessor !== undefined &&
        at - (record.rotatedAt ?? 0) <= this.#options.refreshGraceSeconds * 1000;
      // Before anything rotates or is handed out. A rotated token outside the grace window
      // is reuse whoever presents it: that still revokes below.
      if (
        clientId !== undefined && clientId !== session.clientId &&
        (record.state === "active" || inGrace)
      ) {
        throw new InvalidGrantError(
          "refresh_token_invalid",
          "The refresh token was issued to another client",
        );
      }
      if (record.state === "active") {
        const successor = generateRefreshToken();
        const successorHash = await hashRefreshToken(successor);
        const expireIn = this.#expireIn(session.expiresAt, at);
        const next: SessionRecord = {
          ...session,
          refreshHash: successorHash,
          generation: session.generation + 1,
        };
        const result = await this.#kv.atomic()
          .check(refreshEntry, sessionEntry)
          .set(
            refreshKey(hash),
            {
              ...record,
              state: "rotated",
              rotatedAt: at,
              sealedSuccessor: await sealSuccessor(refreshToken, successor),
            } satisfies RefreshRecord,
            { expireIn },
          )
          .set(
            refreshKey(successorHash),
            {
              sid: session.sid,
              generation: next.generation,
              state: "active",
              createdAt: at,
              expiresAt: session.expiresAt,
            } satisfies RefreshRecord,
            { expireIn },
          )
          .set(sessionKey(session.sid), next, { expireIn })
          .commit();
        if (result.ok) return { session: next, refreshToken: successor, graceReplay: false };
        continue; // a concurrent refresh won: reread and take the grace path
      }
      if (inGrace) {
        const current = await this.#currentToken(refreshToken, record, session);
        // Hand out only a token that was still the current one after the walk.
        const reread = await this.#kv.get<SessionRecord>(sessionKey(session.sid));
        if (reread.versionstamp !== sessionEntry.versionstamp) continue; // rotated meanwhile
        if (current !== undefined) return { session, refreshToken: current, graceReplay: true };
        throw new InvalidGrantError(
          "refresh_token_invalid",
          "The refresh token is not valid: sign in again with `ccgate login`",
        );
      }
      await this.revoke(session.sid, now, "refresh_token_reuse");
      throw new InvalidGrantError(
        "refresh_token_reused",
        "The refresh token was already used, so the session was revoked to be safe: sign in again with `ccgate login`",
      );
    }
    throw new Error("Cannot refresh: too much contention on the session");
  }

  /**
   * Follows the sealed successors from a rotated token to the session's
   * current refresh token.
   *
   * @returns The current token, or `undefined` when the chain does not end
   * at `session.refreshHash` (a concurrent rotation: the caller rereads).
   */
  async #currentToken(
    token: string,
    record: RefreshRecord,
    session: SessionRecord,
  ): Promise<string | undefined> {
    // Each hop is one rotation; a session rotates once per generation.
    for (let hop = record.generation; hop < session.generation; hop++) {
      if (record.sealedSuccessor === undefined) return undefined;
      token = await openSuccessor(token, record.sealedSuccessor);
      const hash = await hashRefreshToken(token);
      if (hash === session.refreshHash) return token;
      const next = (await this.#kv.get<RefreshRecord>(refreshKey(hash))).value;
      if (next === null || next.sid !== session.sid || next.state !== "rotated") return undefined;
      record = next;
    }
    return undefined;
  }

  /**
   * Finds the session of a refresh token (current or rotated), for RFC 7009
   * revocation.
   *
   * @param refreshToken The token.
   * @returns The session, or `undefined`.
   */
  async findByRefreshToken(refreshToken: string): Promise<SessionRecord | undefined> {
    const record = (await this.#kv.get<RefreshRecord>(
      refreshKey(await hashRefreshToken(refreshToken)),
    )).value;
    if (record === null) return undefined;
    return await this.get(record.sid);
  }

  /**
   * Reads a session.
   *
   * @param sid Session id.
   * @returns The session, or `undefined`.
   */
  async get(sid: string): Promise<SessionRecord | undefined> {
    return (await this.#kv.get<SessionRecord>(sessionKey(sid))).value ?? undefined;
  }

  /**
   * Lists a user's sessions that have not expired (revoked ones included).
   *
   * @param sub The user's Entra object id.
   * @param now Current time.
   * @returns The sessions.
   */
  async listForUser(sub: string, now: Date): Promise<SessionRecord[]> {
    return (await this.#readUserSessions(sub))
      .map((entry) => entry.value)
      .filter((s): s is SessionRecord => s !== null && s.expiresAt > now.getTime());
  }

  // A user's session records, in order (null where one is gone). getMany reads at most 10 keys;
  // the batches are read a few at a time.
  async #readUserSessions(sub: string): Promise<Deno.KvEntryMaybe<SessionRecord>[]> {
    const sids: string[] = [];
    for await (const entry of this.#kv.list<{ sid: string }>({ prefix: userSessionsPrefix(sub) })) {
      sids.push(entry.value.sid);
    }
    const batches: string[][] = [];
    for (let i = 0; i < sids.length; i += 10) batches.push(sids.slice(i, i + 10));
    const out: Deno.KvEntryMaybe<SessionRecord>[] = [];
    for (let i = 0; i < batches.length; i += READS_IN_FLIGHT) {
      const read = await Promise.all(
        batches.slice(i, i + READS_IN_FLIGHT).map((batch) =>
          this.#kv.getMany<SessionRecord[]>(batch.map(sessionKey))
        ),
      );
      for (const entries of read) out.push(...entries);
    }
    return out;
  }

  /**
   * Revokes a session: refresh tokens stop working at once; the gateway
   * rejects its access tokens within the revocation list's refresh interval.
   * Idempotent.
   *
   * @param sid Session id.
   * @param now Current time.
   * @param reason Why (`logout`, `admin`, `refresh_token_reuse`).
   * @returns The revoked session, or `undefined` if there is none.
   */
  async revoke(sid: string, now: Date, reason: string): Promise<SessionRecord | undefined> {
    const at = now.getTime();
    for (let attempt = 0; attempt < 20; attempt++) {
      const entry = await this.#kv.get<SessionRecord>(sessionKey(sid));
      const session = entry.value;
      if (session === null) return undefined;
      if (session.revokedAt !== null) return session;
      const op = this.#kv.atomic();
      const revocation = this.#addRevoke(op, entry as Deno.KvEntry<SessionRecord>, at, reason);
      if ((await op.commit()).ok) {
        this.#options.onRevoked?.(revocation, reason);
        return { ...session, revokedAt: at, revokedReason: reason };
      }
    }
    throw new Error("Cannot revoke: too much contention on the session");
  }

  // Adds the writes that revoke `entry`'s session, guarded by its versionstamp, to `op`.
  #addRevoke(
    op: Deno.AtomicOperation,
    entry: Deno.KvEntry<SessionRecord>,
    at: number,
    reason: string,
  ): Revocation {
    const session = entry.value;
    const revocation = { sid: session.sid, revokedAt: at, expiresAt: session.expiresAt };
    op.check(entry).set(
      sessionKey(session.sid),
      { ...session, revokedAt: at, revokedReason: reason },
      { expireIn: this.#expireIn(session.expiresAt, at) },
    );
    addRevocation(op, revocation, at);
    return revocation;
  }

  /**
   * Revokes every unexpired session of a user (that `which` takes), up to
   * `REVOCATIONS_PER_COMMIT` (100) sessions in one atomic operation, each
   * guarded by its session's versionstamp: a user with hundreds of sessions
   * (a build robot signing in every hour) costs a few KV commits, not two
   * round trips per session. A batch that a concurrent change (a refresh)
   * made fail is revoked session by session ({@linkcode SessionStore.revoke}).
   *
   * @param sub The user's Entra object id.
   * @param now Current time.
   * @param reason Why.
   * @param which Which of the user's sessions to revoke. @default every one
   * @returns The ids of sessions revoked by this call.
   */
  async revokeUser(
    sub: string,
    now: Date,
    reason: string,
    which: (session: SessionRecord) => boolean = () => true,
  ): Promise<string[]> {
    const at = now.getTime();
    const due = (await this.#readUserSessions(sub)).filter((entry) =>
      entry.value !== null && entry.value.expiresAt > at && entry.value.revokedAt === null &&
      which(entry.value)
    ) as Deno.KvEntry<SessionRecord>[];
    const revoked: string[] = [];
    for (const batch of revocationBatches(due)) {
      const op = this.#kv.atomic();
      const revocations = batch.map((entry) => this.#addRevoke(op, entry, at, reason));
      if ((await op.commit()).ok) {
        for (const revocation of revocations) {
          this.#options.onRevoked?.(revocation, reason);
          revoked.push(revocation.sid);
        }
        continue;
      }
      // One of them changed meanwhile: each on its own, rereading it (revoked elsewhere: skipped).
      for (const entry of batch) {
        const session = await this.get(entry.value.sid);
        if (session === undefined || session.revokedAt !== null) continue;
        if (await this.revoke(session.sid, now, reason)) revoked.push(session.sid);
      }
    }
    return revoked;
  }
}

/** `getMany` calls (10 keys each) a session listing keeps in flight. */
const READS_IN_FLIGHT = 10;
