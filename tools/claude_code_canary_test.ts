import { assertEquals } from "../testing/assert.ts";
import { claudeCodeTestFiles } from "./claude_code_canary.ts";

Deno.test("claudeCodeTestFiles() picks the test files that drive the real Claude Code", async () => {
  const root = new URL("../", import.meta.url).pathname;
  const named = [
    "gateway/claude_code_e2e_test.ts",
    "gateway/claude_code_bedrock_e2e_test.ts",
    "client/cli/install_e2e_test.ts",
    "gateway/model_map_test.ts",
  ];
  const files = await Promise.all(
    named.map(async (path) => ({ path, text: await Deno.readTextFile(`${root}${path}`) })),
  );
  assertEquals(claudeCodeTestFiles(files), [
    "client/cli/install_e2e_test.ts",
    "gateway/claude_code_bedrock_e2e_test.ts",
    "gateway/claude_code_e2e_test.ts",
  ]);
});
