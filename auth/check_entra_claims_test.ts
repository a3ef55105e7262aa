import { assert, assertEquals, assertThrows } from "../testing/assert.ts";
import { startAuthFixture } from "./_testing.ts";
import { checkEntraClaims } from "./check_entra_claims.ts";
import type { EntraConfig } from "./config.ts";
import { EntraTokenError } from "./errors.ts";

const ENTRA: EntraConfig = {
  tenantIds: ["t"],
  clientId: "api",
  scope: "access_as_user",
  requestScope: "api://api/access_as_user",
  allowedClientIds: ["cli"],
  requiredRoles: [],
  requiredGroups: [],
  authorityHost: "https://login.microsoftonline.com",
};

function payload(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ver: "2.0",
    tid: "t",
    iss: "https://login.microsoftonline.com/t/v2.0",
    aud: "api",
    scp: "access_as_user",
    azp: "cli",
    oid: "00000000-0000-4000-8000-00000000a11c",
    ...extra,
  };
}

const guids = (n: number) =>
  Array.from({ length: n }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`);

Deno.test("checkEntraClaims() keeps up to 200 groups and treats more as groups overage, as Entra does", () => {
  const kept = checkEntraClaims(payload({ groups: guids(200) }), ENTRA);
  assertEquals([kept.groups.length, kept.groupsOverage], [200, false]);
  const over = checkEntraClaims(payload({ groups: guids(1_000) }), ENTRA);
  assertEquals([over.groups, over.groupsOverage], [[], true]);
  // Overage never satisfies ENTRA_REQUIRED_GROUPS, whatever the list held.
  const err = assertThrows(
    () =>
      checkEntraClaims(payload({ groups: guids(1_000) }), {
        ...ENTRA,
        requiredGroups: [guids(1)[0]!],
      }),
    EntraTokenError,
  );
  assertEquals(err.code, "entra_token_groups_overage");
});

Deno.test("checkEntraClaims() truncates a long name and drops an over-long email", () => {
  const identity = checkEntraClaims(
    payload({ name: "é".repeat(45_000), email: `${"a".repeat(300)}@example.com` }),
    ENTRA,
  );
  assertEquals(identity.name, "é".repeat(256));
  assertEquals(identity.email, undefined);
  // A surrogate pair is never cut in half.
  const emoji = checkEntraClaims(payload({ name: "x" + "😀".repeat(300) }), ENTRA);
  assertEquals([...emoji.name!].length, 256);
  assert(emoji.name!.endsWith("😀"));
  const short = checkEntraClaims(
    payload({ name: "Ada Lovelace", email: "ada@example.com" }),
    ENTRA,
  );
  assertEquals([short.name, short.email], ["Ada Lovelace", "ada@example.com"]);
});

Deno.test("checkEntraClaims() refuses roles and groups too large for an access token", () => {
  const longGroups = Array.from({ length: 150 }, (_, i) => `${"g".repeat(200)}-${i}`);
  const err = assertThrows(
    () => checkEntraClaims(payload({ groups: longGroups }), ENTRA),
    EntraTokenError,
    '"roles" and "groups"',
  );
  assertEquals([err.code, err.status, err.error], [
    "entra_token_claim_invalid",
    400,
    "invalid_request",
  ]);
  const manyRoles = Array.from({ length: 2_000 }, (_, i) => `role-${i}`);
  assertThrows(() => checkEntraClaims(payload({ roles: manyRoles }), ENTRA), EntraTokenError);
});

Deno.test("tokenRoute() issues an access token under 16 KiB for an Entra token with 1,000 groups and a long name", async () => {
  await using f = await startAuthFixture();
  const { access_token } = await f.signIn({
    claims: { groups: guids(1_000), name: "n".repeat(3_000) },
  });
  assert(access_token.length < 16 * 1024, `${access_token.length} characters`);
  const claims = await f.verify(access_token);
  assertEquals(claims.groups, []);
  assertEquals((claims.name as string).length, 256);
  assertEquals(f.logs.at(-1)?.groups_overage, true);
});
