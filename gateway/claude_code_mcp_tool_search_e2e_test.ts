/**
 * The real Claude Code 2.1.332 with 48 MCP tools (testing/mcp_tracker_server.ts) through the
 * gateway, in both of its modes: the model loads one MCP tool with ToolSearch, Claude Code runs
 * it against the MCP server, the model answers. Tool search is forwarded, or, when Bedrock (the
 * emulator) refuses it, the safety net sends the conservative translation and later requests go
 * conservative at once; either way the flow completes, every request Bedrock takes is valid, and
 * the ledger has one entry per request.
 */
import { type BedrockRequestRecord, textAnswer, toolUseAnswer } from "@ccgate/emulators";
import { claudeCodeBedrockSettings, claudeCodeSettings } from "@ccgate/installer";
import { assert, assertEquals } from "../testing/assert.ts";
import { runClaudeCode } from "../testing/claude_code.ts";
import { startGatewayStack } from "../testing/gateway_stack.ts";
import { ledgerToday } from "../testing/ledger_today.ts";

type Json = Record<string, unknown>;

const BETA = "tool-search-tool-2025-10-19";
const MODEL_ID = "us.anthropic.claude-opus-5-5";
const MCP_TOOL = "mcp__tracker__create_issue";
const ISSUE = { title: "Flaky login test", project_key: "PLAT" };
const ANSWER = "Filed PLAT-4242.";
const SERVER = new URL("../testing/mcp_tracker_server.ts", import.meta.url).pathname;

/** Every content block of a Bedrock body's messages. */
function blocks(request: BedrockRequestRecord): Json[] {
  const messages = (request.json as { messages?: { content: unknown }[] }).messages ?? [];
  return messages.flatMap((m) => Array.isArray(m.content) ? m.content as Json[] : []);
}

/** The tool_result answering the call of `name`, if the request has one. */
function resultOf(request: BedrockRequestRecord, name: string): Json | undefined {
  const all = blocks(request);
  const call = all.find((b) => b.type === "tool_use" && b.name === name);
  return call && all.find((b) => b.type === "tool_result" && b.tool_use_id === call.id);
}

function toolsOf(request: BedrockRequestRecord): Json[] {
  return (request.json as { tools?: Json[] }).tools ?? [];
}

/**
 * The model: it loads the MCP tool with ToolSearch, then calls it, then answers. Any other
 * request (a side query, without Claude Code's tools) gets text.
 */
function model(request: BedrockRequestRecord) {
  if (resultOf(request, MCP_TOOL) !== undefined) return textAnswer(ANSWER);
  if (resultOf(request, "ToolSearch") !== undefined) {
    return toolUseAnswer({ id: "toolu_mcp", name: MCP_TOOL, input: ISSUE });
  }
  if (!toolsOf(request).some((t) => t.name === "ToolSearch")) return textAnswer("ok");
  return toolUseAnswer({
    id: "toolu_search",
    name: "ToolSearch",
    input: { query: `select:${MCP_TOOL}` },
  });
}

for (const bedrockMode of [false, true]) {
  for (const refused of [false, true]) {
    const mode = bedrockMode ? "Bedrock mode" : "Anthropic mode";
    const name = refused
      ? `Claude Code (${mode}) loads and runs an MCP tool through ToolSearch on a model Bedrock refuses tool search for: one refusal, retried without it, then conservative at once`
      : `Claude Code (${mode}) loads and runs an MCP tool through ToolSearch with tool search forwarded: only the loaded MCP tool reaches Bedrock`;
    Deno.test(name, async () => {
      await using stack = await startGatewayStack({
        emulator: { defaultScript: model, toolSearchUnsupported: refused },
      });
      const dir = await Deno.makeTempDir({ prefix: "ccgate-mcp-" });
      try {
        await Deno.writeTextFile(`${dir}/token`, stack.token);
        await Deno.writeTextFile(
          `${dir}/mcp.json`,
          JSON.stringify({
            mcpServers: {
              tracker: { type: "stdio", command: Deno.execPath(), args: ["run", "-q", SERVER] },
            },
          }),
        );
        const settings = { gatewayUrl: stack.url, apiKeyHelper: `cat ${dir}/token` };
        const run = await runClaudeCode(
          "File an issue about the flaky login test",
          bedrockMode ? claudeCodeBedrockSettings(settings) : claudeCodeSettings(settings),
          {
            extraArgs: [
              "--mcp-config",
              `${dir}/mcp.json`,
              "--strict-mcp-config",
              "--allowedTools",
              "mcp__tracker",
            ],
          },
        );
        assertEquals(run.code, 0, `claude exited ${run.code}: ${run.stdout} ${run.stderr}`);
        assertEquals(run.stdout.trim(), ANSWER);

        const invokes = stack.emulator.requests.filter((r) => r.operation !== null);
        const statuses = invokes.map((r) => r.status);
        // Only the first request is refused (and sent again); Bedrock takes every other.
        assertEquals(
          statuses,
          refused ? [400, ...statuses.slice(1).map(() => 200)] : statuses.map(() => 200),
        );
        assert(invokes.every((r) => r.modelId === MODEL_ID), "Claude Code's model");
        const beta = (r: BedrockRequestRecord) =>
          (r.json as { anthropic_beta?: string[] }).anthropic_beta?.includes(BETA) ?? false;
        assertEquals(
          invokes.map(beta),
          refused ? [true, ...invokes.slice(1).map(() => false)] : invokes.map(() => true),
        );

        // Before the search: Claude Code names the 48 MCP tools in its prompt, and sends none.
        const first = invokes[refused ? 1 : 0]!;
        assert(toolsOf(first).some((t) => t.name === "ToolSearch"));
        assertEquals(toolsOf(first).filter((t) => String(t.name).startsWith("mcp__")), []);
        assert(
          JSON.stringify(first.json).includes("mcp__tracker__update_user"),
          "named in the prompt",
        );

        // After the search: the loaded tool alone, deferred and referenced, or as an ordinary tool.
        const loaded = invokes.find((r) => r.status === 200 && resultOf(r, "ToolSearch"))!;
        assert(loaded !== undefined, "Claude Code answered the ToolSearch call");
        assertEquals(
          toolsOf(loaded).filter((t) => String(t.name).startsWith("mcp__")).map((
            t,
          ) => [t.name, t.defer_loading]),
          [[MCP_TOOL, refused ? undefined : true]],
        );
        assertEquals(
          resultOf(loaded, "ToolSearch")!.content,
          refused
            ? [{ type: "text", text: `Tool ${MCP_TOOL} is loaded.` }]
            : [{ type: "tool_reference", tool_name: MCP_TOOL }],
        );

        // Claude Code ran the tool against the MCP server.
        const ran = invokes.find((r) => resultOf(r, MCP_TOOL) !== undefined);
        assert(ran !== undefined, "Claude Code answered the MCP tool call");
        assertEquals(resultOf(ran, MCP_TOOL)!.content, [
          {
            type: "text",
            text: `tracker create_issue ok: ${JSON.stringify(ISSUE)} -> id PLAT-4242`,
          },
        ]);

        // One refusal, remembered: one log line, no retry afterwards; no secret in any line.
        assertEquals(
          stack.logs.filter((r) => r.msg === "tool search refused").length,
          refused ? 1 : 0,
        );
        assertEquals(
          stack.metrics.value("ccgate_tool_search_refused_total", { model: MODEL_ID }),
          refused ? 1 : 0,
        );
        assertEquals(stack.logs.filter((r) => r.level === "error"), []);
        assert(
          stack.logLines.every((l) => !l.includes(stack.token)),
          "no log line holds the token",
        );

        // One ledger entry per Claude Code request (the refused call is none), each completed.
        const entries = await ledgerToday(stack);
        assertEquals(entries.length, invokes.length - (refused ? 1 : 0));
        assert(
          entries.every((e) =>
            e.status === 200 && e.outcome === "completed" && e.bedrockModel === MODEL_ID
          ),
          JSON.stringify(entries.map((e) => [e.status, e.outcome, e.bedrockModel])),
        );
        assertEquals(
          new Set(entries.map((e) => e.route)),
          new Set([bedrockMode ? "bedrock_invoke_stream" : "messages"]),
        );
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    });
  }
}
