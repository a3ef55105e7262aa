import { assertEquals } from "../testing/assert.ts";
import { adminTenantScope } from "./admin_tenant_scope.ts";

const A = "11111111-1111-4111-8111-111111111111";
const B = "22222222-2222-4222-8222-222222222222";

Deno.test("adminTenantScope() reaches every tenant for an admin of an admin tenant, any case", () => {
  const scope = adminTenantScope(A.toUpperCase(), [A]);
  assertEquals(scope.all, true);
  assertEquals([scope.covers(A), scope.covers(B), scope.covers(undefined)], [true, true, true]);
});

Deno.test("adminTenantScope() reaches only the admin's own tenant when it is not an admin tenant", () => {
  const scope = adminTenantScope(B, [A]);
  assertEquals(scope.all, false);
  assertEquals([scope.covers(B), scope.covers(B.toUpperCase()), scope.covers(A)], [
    true,
    true,
    false,
  ]);
  assertEquals(scope.covers(undefined), false);
});

Deno.test("adminTenantScope() reaches nothing for a token without tid under a tenant rule", () => {
  const scope = adminTenantScope(undefined, [A]);
  assertEquals([scope.all, scope.covers(A), scope.covers(undefined)], [false, false, false]);
});

Deno.test("adminTenantScope() reaches everything when no tenant rule is configured", () => {
  const scope = adminTenantScope(B, undefined);
  assertEquals([scope.all, scope.covers(A)], [true, true]);
});
