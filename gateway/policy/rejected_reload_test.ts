/**
 * An edit of the policy file that does not validate, through the gateway
 * over a real socket: the previous policy stays in force, and the admin
 * API's effective policy says that the file on disk was rejected and why.
 */
import { assertEquals } from "../../testing/assert.ts";
import { getAs, postMessages, startGatewayStack } from "../../testing/gateway_stack.ts";
import { HAIKU, SONNET, TWO_MODEL_CATALOGUE } from "../../testing/two_model_catalogue.ts";

const SUB = "00000000-0000-0000-0000-00000000a11c";

Deno.test("GET /admin/api/policy says while the policy file on disk is rejected, and the previous policy is enforced meanwhile", async () => {
  await using stack = await startGatewayStack({
    policyYaml: `${TWO_MODEL_CATALOGUE}defaults:\n  models: [${HAIKU}]\n`,
  });
  const admin = await stack.issuer.mint({ claims: { sub: "admin", roles: ["ccgate.admin"] } });
  const path = `/admin/api/policy?user=${SUB}&roles=&groups=`;
  const before = await getAs(stack, admin, path);
  assertEquals(before.body.policy_file_rejected, null);

  // The admin allows Sonnet, and mistypes a budget.
  await Deno.writeTextFile(
    stack.policyPath!,
    `${TWO_MODEL_CATALOGUE}defaults:\n  models: [${HAIKU}, ${SONNET}]\n  budgets: { daily_usd: -5 }\n`,
  );
  assertEquals(await stack.policyFile!.reload(), "rejected");
  const refused = await postMessages(stack.url, stack.token, { model: SONNET });
  assertEquals(refused.status, 404, "the previous policy is in force");
  await refused.body?.cancel();

  const after = await getAs(stack, admin, path);
  assertEquals(after.status, 200);
  assertEquals(after.body.policy.models, [HAIKU]);
  const name = stack.policyPath!.split("/").at(-1);
  assertEquals(
    after.body.policy_file_rejected,
    `${name}: defaults.budgets.daily_usd: Too small: expected number to be >0 (the policy shown, still in force, is the last version of the file that validated)`,
  );

  await Deno.writeTextFile(
    stack.policyPath!,
    `${TWO_MODEL_CATALOGUE}defaults:\n  models: [${HAIKU}, ${SONNET}]\n`,
  );
  assertEquals(await stack.policyFile!.reload(), "reloaded");
  const fixed = await getAs(stack, admin, path);
  assertEquals([fixed.body.policy_file_rejected, fixed.body.policy.models], [null, [
    HAIKU,
    SONNET,
  ]]);
});
