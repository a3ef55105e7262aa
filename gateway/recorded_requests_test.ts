import { DEFAULT_ALLOWED_KEYS, validateInvokeBody } from "@ccgate/emulators";
import { assert } from "../testing/assert.ts";
import { parseAnthropicBeta } from "./anthropic_beta.ts";
import { bedrockAllowedBetas } from "./bedrock_compat.ts";
import { toBedrockRequest } from "./to_bedrock_request.ts";
import claudeCode from "./testdata/claude_code_2.1.197_messages_request.json" with { type: "json" };
import bedrockMode from "./testdata/claude_code_2.1.197_bedrock_mode_requests.json" with {
  type: "json",
};
import claudeCode332 from "./testdata/claude_code_2.1.332_messages_request.json" with {
  type: "json",
};
import bedrockMode332 from "./testdata/claude_code_2.1.332_bedrock_mode_requests.json" with {
  type: "json",
};
import toolSearch332 from "./testdata/claude_code_2.1.332_tool_search_request.json" with {
  type: "json",
};
import toolUse from "./testdata/tool_use_conversation_request.json" with { type: "json" };
import image from "./testdata/image_block_request.json" with { type: "json" };
import deferred from "./testdata/deferred_tools_request.json" with { type: "json" };
import thinking from "./testdata/thinking_budget_request.json" with { type: "json" };
import openAi from "./testdata/openai_chat_request.json" with { type: "json" };

/** One model id per compatibility family, as inference profiles. */
const MODELS = [
  "us.anthropic.claude-opus-5-5",
  "us.anthropic.claude-opus-4-8",
  "global.anthropic.claude-opus-4-7",
  "us.anthropic.claude-opus-4-6-v1",
  "us.anthropic.claude-sonnet-4-6",
  "us.anthropic.claude-opus-4-5-20251101-v1:0",
  "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
  "eu.anthropic.claude-haiku-4-5-20251001-v1:0",
  "us.anthropic.claude-sonnet-4-20250514-v1:0",
  "us.anthropic.claude-opus-4-20250514-v1:0",
  "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
  "us.anthropic.claude-3-5-haiku-20241022-v1:0",
];

const bedrockModeBody = bedrockMode.requests.find((r) => r.method === "POST")!;
const bedrockModeBody332 = bedrockMode332.requests.find((r) => r.method === "POST")!;

/** Recorded requests: name, body, the betas of the anthropic-beta header Bedrock honours. */
const RECORDED: [string, unknown, string[]][] = [
  [
    "Claude Code 2.1.197 /v1/messages",
    claudeCode.body,
    parseAnthropicBeta(claudeCode.headers["anthropic-beta"]),
  ],
  // Bedrock ignores the anthropic-beta HTTP header; the body's anthropic_beta is what counts.
  ["Claude Code 2.1.197 Bedrock mode", bedrockModeBody.body, []],
  [
    "Claude Code 2.1.332 /v1/messages",
    claudeCode332.body,
    parseAnthropicBeta(claudeCode332.headers["anthropic-beta"]),
  ],
  ["Claude Code 2.1.332 Bedrock mode", bedrockModeBody332.body, []],
  // Its ToolSearch tool answers with tool_reference blocks, which Bedrock refuses without tool search.
  [
    "Claude Code 2.1.332 after ToolSearch",
    toolSearch332.body,
    parseAnthropicBeta(toolSearch332.headers["anthropic-beta"]),
  ],
  ["tool_use round trip", toolUse.body, parseAnthropicBeta(toolUse.headers["anthropic-beta"])],
  ["image block", image.body, parseAnthropicBeta(image.headers["anthropic-beta"])],
  ["deferred tools", deferred.body, parseAnthropicBeta(deferred.headers["anthropic-beta"])],
  ["thinking budget", thinking.body, parseAnthropicBeta(thinking.headers["anthropic-beta"])],
  ["OpenAI chat, translated", openAi.anthropic, []],
];

Deno.test("toBedrockRequest() turns every recorded request into a body the emulator's Bedrock schema check accepts", () => {
  let checked = 0;
  for (const [name, body, betas] of RECORDED) {
    for (const modelId of MODELS) {
      const out = toBedrockRequest(structuredClone(body), { modelId, betas, userId: "u1" });
      const result = validateInvokeBody(new TextDecoder().decode(out.body), {
        allowedKeys: DEFAULT_ALLOWED_KEYS,
        allowedBetas: bedrockAllowedBetas(modelId),
      });
      assert(result.ok, `${name} for ${modelId}: ${result.ok ? "" : result.message}`);
      checked++;
    }
  }
  assert(checked === RECORDED.length * MODELS.length);
});

for (
  const [version, recording] of [["2.1.197", bedrockMode], ["2.1.332", bedrockMode332]] as const
) {
  Deno.test(`the Bedrock-mode recording is what Claude Code ${version} sends: a profile listing, then a streamed invoke`, () => {
    const [list, invoke] = recording.requests;
    assert(list?.method === "GET" && list.url === "/inference-profiles?type=SYSTEM_DEFINED");
    assert(!("authorization" in list.headers), "the listing is sent without credentials");
    assert(invoke?.url.endsWith("/invoke-with-response-stream"));
    const body = invoke!.body as Record<string, unknown>;
    assert(body.anthropic_version === "bedrock-2023-05-31" && Array.isArray(body.anthropic_beta));
  });
}
