import type { JWTPayload } from "jose";
import type { EntraConfig } from "./config.ts";
import { MAX_SUBJECT_LENGTH } from "./check_id_length.ts";
import { EntraTokenError } from "./errors.ts";

/**
 * Most groups carried into a ccgate access token. Entra itself puts at most
 * 200 groups into a JWT and signals *groups overage* above that; a `groups`
 * claim with more entries (only a non-Entra issuer or a custom claim mapping
 * produces one) is treated the same way: no groups, `groupsOverage: true`.
 * Truncating to some 200 of them instead would let the order of the claim
 * decide which group policies apply.
 */
export const MAX_TOKEN_GROUPS = 200;

/** Most characters (code points) of the display `name` kept; a longer one is truncated. */
export const MAX_NAME_LENGTH = 256;

/**
 * Most characters of the display `email` (or `preferred_username`) kept; a
 * longer one is left out (an address cut short would name someone else).
 */
export const MAX_EMAIL_LENGTH = 256;

/**
 * Most bytes of `roles` and `groups` together (as JSON) that go into a ccgate
 * access token; a token above is refused. 200 group GUIDs take 7.8 KB (the
 * access token is then about 11 KiB); with this cap and the name and email
 * caps no access token exceeds 19 KiB, inside the gateway's header limit
 * (`CCGATE_MAX_HEADER_BYTES`, 32 KiB by default).
 */
export const MAX_ROLES_AND_GROUPS_BYTES = 10 * 1024;

/** The user behind an accepted Entra ID access token. */
export interface EntraIdentity {
  /** Entra object id (`oid`): the stable user id. */
  oid: string;
  /** Tenant id. */
  tid: string;
  /** The client app that obtained the token (`azp`). */
  azp: string;
  /** Display name, if present. */
  name?: string;
  /** `email`, else `preferred_username`: display only, never authorized on. */
  email?: string;
  /** App roles. */
  roles: string[];
  /** Group object ids; empty on groups overage. */
  groups: string[];
  /** Whether Entra left the groups out because there are too many (groups overage). */
  groupsOverage: boolean;
}

/**
 * Checks the claims of an Entra ID token whose signature and `exp`/`nbf`
 * were already verified, in this order: v2 access token (not v1, not an ID
 * token), tenant allowlisted, `iss` exactly `{authority}/{tid}/v2.0`, `aud`
 * our API, delegated (not app-only), `scp` has our scope, `azp` allowed,
 * `oid` at most `MAX_SUBJECT_LENGTH` characters, required app roles (all),
 * required groups (any; groups overage is *not* a match). Never looks at
 * `email`/`upn` for authorization.
 *
 * What goes into the access token is bounded so the gateway can always
 * accept it: more than {@linkcode MAX_TOKEN_GROUPS} groups is groups
 * overage, `name` is cut to {@linkcode MAX_NAME_LENGTH} characters, an
 * `email` longer than {@linkcode MAX_EMAIL_LENGTH} is left out, and `roles`
 * plus `groups` above {@linkcode MAX_ROLES_AND_GROUPS_BYTES} are refused.
 *
 * @param payload The verified claims.
 * @param entra The acceptance rules.
 * @returns The identity to snapshot in the session.
 * @throws {EntraTokenError} Naming the first failed check.
 *
 * @example Reject a v1 token
 * ```ts
 * import { checkEntraClaims, EntraTokenError } from "@ccgate/auth";
 *
 * try {
 *   checkEntraClaims({ ver: "1.0" }, {
 *     tenantIds: ["t"], clientId: "api", scope: "access_as_user", requestScope: "api://api/access_as_user",
 *     allowedClientIds: ["cli"], requiredRoles: [], requiredGroups: [],
 *     authorityHost: "https://login.microsoftonline.com",
 *   });
 * } catch (err) {
 *   if (err instanceof EntraTokenError) console.log(err.code); // "entra_token_v1"
 * }
 * ```
 */
export function checkEntraClaims(payload: JWTPayload, entra: EntraConfig): EntraIdentity {
  if (payload.ver !== "2.0") {
    throw new EntraTokenError(
      "entra_token_v1",
      `Entra token "ver" claim must be "2.0": set "requestedAccessTokenVersion": 2 in the API app registration's manifest`,
    );
  }
  if (
    payload.nonce !== undefined || payload.at_hash !== undefined || payload.c_hash !== undefined ||
    (payload.scp === undefined && payload.azp === undefined && payload.idtyp !== "app")
  ) {
    throw new EntraTokenError(
      "entra_token_id_token",
      `An ID token cannot be exchanged: send an access token for scope ${
        JSON.stringify(entra.requestScope)
      }`,
    );
  }
  const tid = _string(payload.tid, "tid");
  if (!_includesIgnoringCase(entra.tenantIds, tid)) {
    throw new EntraTokenError(
      "entra_token_tenant_not_allowed",
      `Entra tenant ${JSON.stringify(tid)} is not allowed (ENTRA_TENANT_ID)`,
    );
  }
  const expectedIssuer = `${entra.authorityHost}/${tid}/v2.0`;
  if (payload.iss !== expectedIssuer) {
    throw new EntraTokenError(
      "entra_token_issuer",
      `Entra token "iss" claim must be ${JSON.stringify(expectedIssuer)}`,
    );
  }
  if (payload.aud !== entra.clientId) {
    throw new EntraTokenError(
      "entra_token_audience",
      `Entra token "aud" claim must be ccgate's API client id ${
        JSON.stringify(entra.clientId)
      }: request scope ${JSON.stringify(entra.requestScope)}`,
    );
  }
  if (payload.idtyp === "app" || payload.scp === undefined) {
    throw new EntraTokenError(
      "entra_token_app_only",
      "App-only Entra tokens cannot be exchanged: sign in as a user",
    );
  }
  const scopes = typeof payload.scp === "string" ? payload.scp.split(" ") : [];
  if (!scopes.includes(entra.scope)) {
    throw new EntraTokenError(
      "entra_token_scope",
      `Entra token "scp" claim must include ${JSON.stringify(entra.scope)}`,
    );
  }
  const azp = typeof payload.azp === "string" ? payload.azp : "";
  if (!_includesIgnoringCase(entra.allowedClientIds, azp)) {
    throw new EntraTokenError(
      "entra_token_client_not_allowed",
      `Entra token "azp" claim ${
        JSON.stringify(azp)
      } is not an allowed client (ENTRA_ALLOWED_CLIENT_IDS)`,
    );
  }
  const oid = _string(payload.oid, "oid");
  if (oid.length > MAX_SUBJECT_LENGTH) {
    // It becomes part of KV keys (see check_id_length.ts); Entra's are 36-character GUIDs.
    throw new EntraTokenError(
      "entra_token_claim_invalid",
      `Entra token "oid" claim must be at most ${MAX_SUBJECT_LENGTH} characters`,
    );
  }
  const roles = _strings(payload.roles, "roles");
  const claimNames = payload._claim_names as Record<string, unknown> | undefined;
  const groupsOverage = payload.hasgroups === true ||
    (typeof claimNames === "object" && claimNames !== null && "groups" in claimNames);
  const listed = groupsOverage ? [] : _strings(payload.groups, "groups");
  // Above Entra's own JWT limit: groups overage, exactly as if Entra had applied it.
  const tooManyGroups = listed.length > MAX_TOKEN_GROUPS;
  const groups = tooManyGroups ? [] : listed;
  const overage = groupsOverage || tooManyGroups;
  const claimBytes = new TextEncoder().encode(JSON.stringify([roles, groups])).length;
  if (claimBytes > MAX_ROLES_AND_GROUPS_BYTES) {
    throw new EntraTokenError(
      "entra_token_claim_invalid",
      `Entra token "roles" and "groups" claims take ${claimBytes} bytes, more than the ${MAX_ROLES_AND_GROUPS_BYTES} a ccgate access token carries: emit group ids (not names) or fewer app roles`,
    );
  }

  const missingRole = entra.requiredRoles.find((role) => !roles.includes(role));
  if (missingRole !== undefined) {
    throw new EntraTokenError(
      "entra_token_role_missing",
      `The user lacks the app role ${JSON.stringify(missingRole)} (ENTRA_REQUIRED_ROLES)`,
    );
  }
  if (entra.requiredGroups.length > 0) {
    if (overage) {
      throw new EntraTokenError(
        "entra_token_groups_overage",
        "The user is in too many groups for Entra to list them in the token (groups overage), " +
          "so membership of ENTRA_REQUIRED_GROUPS cannot be checked and is treated as not a match: " +
          "use app roles (ENTRA_REQUIRED_ROLES) or emit only groups assigned to the application",
      );
    }
    if (!entra.requiredGroups.some((g) => _includesIgnoringCase(groups, g))) {
      throw new EntraTokenError(
        "entra_token_group_missing",
        "The user is in none of the required groups (ENTRA_REQUIRED_GROUPS)",
      );
    }
  }
  const name = typeof payload.name === "string"
    ? _truncate(payload.name, MAX_NAME_LENGTH)
    : undefined;
  const emailClaim = typeof payload.email === "string"
    ? payload.email
    : typeof payload.preferred_username === "string"
    ? payload.preferred_username
    : undefined;
  const email = emailClaim !== undefined && emailClaim.length <= MAX_EMAIL_LENGTH
    ? emailClaim
    : undefined;
  return {
    oid,
    tid,
    azp,
    ...(name !== undefined ? { name } : {}),
    ...(email !== undefined ? { email } : {}),
    roles,
    groups,
    groupsOverage: overage,
  };
}

/** The first `max` code points of `text` (never half a surrogate pair). */
function _truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = "";
  let count = 0;
  for (const char of text) {
    if (count++ === max) break;
    out += char;
  }
  return out;
}

function _string(value: unknown, claim: string): string {
  if (typeof value === "string" && value.length > 0) return value;
  throw new EntraTokenError(
    "entra_token_claim_missing",
    `Entra token "${claim}" claim must be a non-empty string`,
  );
}

function _strings(value: unknown, claim: string): string[] {
  if (value === undefined) return [];
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value;
  throw new EntraTokenError(
    "entra_token_claim_missing",
    `Entra token "${claim}" claim must be an array of strings`,
  );
}

function _includesIgnoringCase(list: string[], value: string): boolean {
  const lower = value.toLowerCase();
  return list.some((item) => item.toLowerCase() === lower);
}
