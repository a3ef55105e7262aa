import { type BedrockRequestRecord, textAnswer, toolUseAnswer } from "@ccgate/emulators";
import { claudeCodeSettings } from "@ccgate/installer";
import { assert, assertEquals, assertStringIncludes } from "../testing/assert.ts";
import { runClaudeCode } from "../testing/claude_code.ts";
import { startGatewayStack } from "../testing/gateway_stack.ts";
import { tokenFileHelper } from "../testing/token_file_helper.ts";

type Json = Record<string, unknown>;

/** Every content block of a Bedrock body's messages. */
function blocks(request: BedrockRequestRecord): Json[] {
  const messages = (request.json as { messages?: { content: unknown }[] }).messages ?? [];
  return messages.flatMap((m) => Array.isArray(m.content) ? m.content as Json[] : []);
}

/** The tool_result answering a ToolSearch call, if the request has one. */
function toolSearchResult(request: BedrockRequestRecord): Json | undefined {
  const all = blocks(request);
  const call = all.find((b) => b.type === "tool_use" && b.name === "ToolSearch");
  return call && all.find((b) => b.type === "tool_result" && b.tool_use_id === call.id);
}

Deno.test("Claude Code's ToolSearch round trip reaches Bedrock with tool search forwarded and its tool_reference intact", async () => {
  await using stack = await startGatewayStack({
    emulator: {
      // The model loads WebFetch through ToolSearch, as Claude Code's system prompt asks it to;
      // once Claude Code answered, it says so. Any other request (a side query) gets text.
      defaultScript: (request) => {
        if (toolSearchResult(request) !== undefined) return textAnswer("WebFetch is loaded.");
        const tools = (request.json as { tools?: Json[] }).tools ?? [];
        if (!tools.some((t) => t.name === "ToolSearch")) return textAnswer("ok");
        return toolUseAnswer({ name: "ToolSearch", input: { query: "select:WebFetch" } });
      },
    },
  });
  await using helper = await tokenFileHelper(stack.token);
  const run = await runClaudeCode(
    "Load the WebFetch tool",
    claudeCodeSettings({ gatewayUrl: stack.url, apiKeyHelper: helper.command }),
  );
  assertEquals(run.code, 0, `claude exited ${run.code}: ${run.stderr}`);
  assertStringIncludes(run.stdout, "WebFetch is loaded.");

  const invokes = stack.emulator.requests.filter((r) => r.operation !== null);
  const first = invokes.find((r) =>
    ((r.json as { tools?: Json[] }).tools ?? []).some((t) => t.name === "ToolSearch")
  );
  assert(first !== undefined, "Claude Code's request reached Bedrock");
  const body = first.json as { anthropic_beta?: string[]; tools: Json[] };
  assertEquals(body.anthropic_beta?.includes("tool-search-tool-2025-10-19"), true);
  assert(body.tools.some((t) => t.defer_loading === true), "deferred tools kept deferred");

  const after = invokes.find((r) => toolSearchResult(r) !== undefined);
  assert(after !== undefined, "Claude Code answered the ToolSearch call");
  assertEquals(after.status, 200, `refused: ${after.exception}`);
  assertEquals(toolSearchResult(after)!.content, [
    { type: "tool_reference", tool_name: "WebFetch" },
  ]);
  const afterBody = after.json as { anthropic_beta?: string[]; tools: Json[] };
  assertEquals(afterBody.anthropic_beta?.includes("tool-search-tool-2025-10-19"), true);
  // The tool it loaded is declared, still deferred: the tool_reference expands it.
  assert(afterBody.tools.some((t) => t.name === "WebFetch" && t.defer_loading === true));
  assertEquals(stack.logs.filter((r) => r.msg === "tool search refused"), []);
});
