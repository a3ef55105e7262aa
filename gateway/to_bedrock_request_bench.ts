import { parseAnthropicBeta } from "./anthropic_beta.ts";
import { toBedrockRequest } from "./to_bedrock_request.ts";
import recorded from "./testdata/claude_code_2.1.197_messages_request.json" with { type: "json" };

const betas = parseAnthropicBeta(recorded.headers["anthropic-beta"]);
const raw = JSON.stringify(recorded.body);
const source = new TextEncoder().encode(raw);

Deno.bench("toBedrockRequest() on the Claude Code 2.1.197 request (~76 KB)", () => {
  toBedrockRequest(recorded.body, { modelId: "us.anthropic.claude-opus-4-8", betas, userId: "u" });
});

Deno.bench("baseline: JSON.stringify + encode of the same body", { baseline: true }, () => {
  new TextEncoder().encode(JSON.stringify(recorded.body));
});

Deno.bench("JSON.parse + toBedrockRequest() (what a request costs end to end)", () => {
  toBedrockRequest(JSON.parse(raw), {
    modelId: "us.anthropic.claude-opus-4-8",
    betas,
    userId: "u",
  });
});

Deno.bench("JSON.parse + toBedrockRequest() with the source text (splices untouched parts)", () => {
  toBedrockRequest(JSON.parse(raw), {
    modelId: "us.anthropic.claude-opus-4-8",
    betas,
    userId: "u",
    source,
  });
});
