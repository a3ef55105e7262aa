/**
 * The real Claude Code over a working session through the gateway: a token
 * that expires between two turns, the Read tool on a screenshot and a scanned
 * PDF (image and document blocks, and what the gateway estimates they cost),
 * a subagent on another model, and stream-json output, `--continue` and
 * `/compact` in one HOME.
 *
 * @module
 */
import { type BedrockRequestRecord, textAnswer, toolUseAnswer } from "@ccgate/emulators";
import { claudeCodeSettings } from "@ccgate/installer";
import { assert, assertEquals, assertStringIncludes } from "../testing/assert.ts";
import { runClaudeCode, runClaudeCodeIn } from "../testing/claude_code.ts";
import { startGatewayStack } from "../testing/gateway_stack.ts";
import { assertLedgerCostIs, ledgerToday } from "../testing/ledger_today.ts";
import { sessionHelper } from "../testing/session_helper.ts";
import { subagentOnHaiku } from "../testing/subagent_on_haiku.ts";

/** CRC-32 (PNG's chunk checksum). */
function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

/** `length` random bytes (`getRandomValues` gives 64 KiB at a time). */
function randomBytes(length: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(length);
  for (let at = 0; at < length; at += 65_536) {
    crypto.getRandomValues(bytes.subarray(at, Math.min(length, at + 65_536)));
  }
  return bytes;
}

/** A real RGB PNG of noise (incompressible, as a busy screenshot): Claude Code decodes it. */
async function noisePng(width: number, height: number): Promise<Uint8Array> {
  const raw = randomBytes(height * (1 + width * 3));
  for (let y = 0; y < height; y++) raw[y * (1 + width * 3)] = 0; // filter: none
  const deflated = new Blob([raw]).stream().pipeThrough(new CompressionStream("deflate"));
  const data = new Uint8Array(await new Response(deflated).arrayBuffer());
  const chunk = (type: string, body: Uint8Array) => {
    const out = new Uint8Array(12 + body.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, body.length);
    out.set(new TextEncoder().encode(type), 4);
    out.set(body, 8);
    view.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)));
    return out;
  };
  const header = new Uint8Array(13);
  new DataView(header.buffer).setUint32(0, width);
  new DataView(header.buffer).setUint32(4, height);
  header.set([8, 2], 8); // 8 bits, RGB
  const parts = [
    new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk("IHDR", header),
    chunk("IDAT", data),
    chunk("IEND", new Uint8Array()),
  ];
  const png = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    png.set(p, at);
    at += p.length;
  }
  return png;
}

/** A valid PDF of `pages` text pages with an unused `padBytes` stream: a scan's size. */
function scannedPdf(pages: number, padBytes: number): Uint8Array {
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    `<< /Type /Pages /Kids [${
      Array.from({ length: pages }, (_, i) => `${3 + 2 * i} 0 R`).join(" ")
    }] /Count ${pages} >>`,
  ];
  const font = 3 + 2 * pages;
  for (let i = 0; i < pages; i++) {
    const text = `BT /F1 24 Tf 72 720 Td (Scanned page ${i + 1}) Tj ET`;
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents ${
        4 + 2 * i
      } 0 R /Resources << /Font << /F1 ${font} 0 R >> >> >>`,
      `<< /Length ${text.length} >>\nstream\n${text}\nendstream`,
    );
  }
  objects.push("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
  const hex = Array.from(randomBytes(padBytes / 2), (b) => b.toString(16).padStart(2, "0")).join(
    "",
  );
  objects.push(`<< /Length ${hex.length} /Filter /ASCIIHexDecode >>\nstream\n${hex}\nendstream`);
  let body = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  body += offsets.map((n) => `${String(n).padStart(10, "0")} 00000 n \n`).join("");
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new TextEncoder().encode(body);
}

/** The content of the last message of a recorded Bedrock request. */
function lastContent(request: BedrockRequestRecord): { type: string; [k: string]: unknown }[] {
  const messages = (request.json as { messages: { content: unknown }[] }).messages;
  const content = messages.at(-1)!.content;
  return Array.isArray(content) ? content : [];
}

Deno.test("Claude Code runs its apiKeyHelper again when its token expires between two turns, and the run completes", async () => {
  let ahead = 0;
  await using stack = await startGatewayStack({ now: () => new Date(Date.now() + ahead) });
  await using helper = await sessionHelper(stack.token);
  const later = 2 * 3_600_000;
  const successor = await stack.issuer.mint({ now: new Date(Date.now() + later) });
  // The first turn calls a tool; while it runs, the gateway's clock passes the token's expiry
  // and the session's next token is what `ccgate token` would now print.
  stack.emulator.enqueue(() => {
    ahead = later;
    helper.rotate(successor);
    return toolUseAnswer({ name: "Bash", input: { command: "echo hi", description: "Echo" } });
  });
  stack.emulator.enqueue(textAnswer("Done after the refresh."));
  const run = await runClaudeCode(
    "Run echo hi",
    claudeCodeSettings({ gatewayUrl: stack.url, apiKeyHelper: helper.command }),
    { extraArgs: ["--allowedTools", "Bash"] },
  );
  assertEquals(run.code, 0, `claude exited ${run.code}: ${run.stderr}`);
  assertStringIncludes(run.stdout, "Done after the refresh.");
  assertEquals(stack.metrics.value("ccgate_auth_refused_total", { reason: "token_expired" }), 1);
  assertEquals(await helper.runs(), 2, "once at start, once after the 401");
  assertEquals(stack.emulator.requests.length, 2);
  assert(!(run.stdout + run.stderr).includes(stack.token), "the token is never echoed");
});

Deno.test("Claude Code whose session was revoked mid-session shows the gateway's words: sign in again with ccgate login", async () => {
  await using stack = await startGatewayStack();
  await using helper = await sessionHelper(stack.token);
  // Revoked while the first turn's tool runs; `ccgate token` still has the (unexpired) token.
  stack.emulator.enqueue(() => {
    stack.revoked.add("sess-test");
    return toolUseAnswer({ name: "Bash", input: { command: "echo hi", description: "Echo" } });
  });
  const run = await runClaudeCode(
    "Run echo hi",
    claudeCodeSettings({ gatewayUrl: stack.url, apiKeyHelper: helper.command }),
    // By default Claude Code tries 13 times over about 4 minutes, running the helper each time.
    { extraArgs: ["--allowedTools", "Bash"], env: { CLAUDE_CODE_MAX_RETRIES: "0" } },
  );
  assertEquals(run.code, 1, run.stdout + run.stderr);
  assertStringIncludes(
    run.stdout,
    "401 Invalid access token: the session was revoked; sign in again with `ccgate login`",
  );
  assertEquals(stack.emulator.requests.length, 1);
  // Even with no retries, it runs the helper again after a 401 and tries that token (3 tries).
  assert(stack.metrics.value("ccgate_auth_refused_total", { reason: "session_revoked" }) >= 1);
});

Deno.test("Claude Code reads a 3 MB scanned PDF under a tokens-per-minute limit: the gateway estimates it by its pages and admits it", async () => {
  await using stack = await startGatewayStack({
    policyYaml: [
      "version: 1",
      "models:",
      "  claude-opus-5-5:",
      "    bedrock: us.anthropic.claude-opus-5-5",
      "    price: { input: 4, output: 20 }",
      "defaults:",
      "  models: [claude-opus-5-5]",
      "  tokens_per_minute: 400000",
    ].join("\n"),
  });
  const dir = await Deno.makeTempDir({ prefix: "ccgate-pdf-" });
  try {
    const file = `${dir}/scan.pdf`;
    await Deno.writeFile(file, scannedPdf(3, 3_000_000));
    stack.emulator.enqueue(toolUseAnswer({ name: "Read", input: { file_path: file } }));
    stack.emulator.enqueue(textAnswer("Read the scan."));
    const run = await runClaudeCode(
      `Read ${file}`,
      claudeCodeSettings({ gatewayUrl: stack.url, apiKeyHelper: `echo ${stack.token}` }),
      { extraArgs: ["--allowedTools", "Read"], env: { CLAUDE_CODE_MAX_RETRIES: "0" } },
    );
    // Before: "The input of this request alone (an estimated 1,026,815 tokens) is more than the
    // limit of 400,000 input tokens per minute", for three pages Bedrock counts about 7,000.
    assertEquals(run.code, 0, `claude exited ${run.code}: ${run.stdout}${run.stderr}`);
    assertStringIncludes(run.stdout, "Read the scan.");
    const [, withPdf] = stack.emulator.requests;
    const document = lastContent(withPdf!)[0]!.content as { type: string; source: unknown }[];
    assert(document.some((b) => b.type === "document"), "the PDF went to Bedrock as a document");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Claude Code's screenshot: token counting without Bedrock's count estimates it by its pixels", async () => {
  await using stack = await startGatewayStack({ emulator: { countTokensUnsupported: () => true } });
  const dir = await Deno.makeTempDir({ prefix: "ccgate-png-" });
  try {
    const file = `${dir}/screenshot.png`;
    await Deno.writeFile(file, await noisePng(3_000, 2_000));
    stack.emulator.enqueue(toolUseAnswer({ name: "Read", input: { file_path: file } }));
    stack.emulator.enqueue(textAnswer("Saw the screenshot."));
    const run = await runClaudeCode(
      `Look at ${file}`,
      claudeCodeSettings({ gatewayUrl: stack.url, apiKeyHelper: `echo ${stack.token}` }),
      { extraArgs: ["--allowedTools", "Read"] },
    );
    assertEquals(run.code, 0, `claude exited ${run.code}: ${run.stderr}`);
    // Claude Code scales a 3000×2000 screenshot to 2000×1333 (a JPEG) and says so beside it.
    const withImage = stack.emulator.requests[1]!;
    const content = lastContent(withImage);
    assertStringIncludes(JSON.stringify(content), "displayed at 2000x1333");
    const count = async (messages: unknown) => {
      const { system, tools } = withImage.json as Record<string, unknown>;
      const res = await fetch(`${stack.url}/v1/messages/count_tokens`, {
        method: "POST",
        headers: { authorization: `Bearer ${stack.token}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "claude-opus-5-5", system, tools, messages }),
      });
      assertEquals(res.headers.get("x-ccgate-token-count"), "estimated");
      return ((await res.json()) as { input_tokens: number }).input_tokens;
    };
    const messages = (withImage.json as { messages: { content: unknown }[] }).messages;
    const withoutImage = structuredClone(messages);
    const result = (withoutImage.at(-1)!.content as { content: unknown[] }[])[0]!;
    result.content = result.content.filter((b) => (b as { type: string }).type !== "image");
    // 2000 × 1333 / 750 = 3,555 tokens on a model that reads it whole (was a flat 1,600).
    const image = await count(messages) - await count(withoutImage);
    assert(image >= 3_555 && image <= 4_784, `the screenshot was estimated at ${image} tokens`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Claude Code's subagent on haiku goes through the policy for haiku: both models in the ledger, at Claude Code's cost", async () => {
  await using stack = await startGatewayStack({
    policy: new URL("../docs/policy.example.yaml", import.meta.url).pathname,
  });
  stack.emulator.enqueue(subagentOnHaiku());
  const run = await runClaudeCode(
    "Delegate a look around",
    claudeCodeSettings({ gatewayUrl: stack.url, apiKeyHelper: `echo ${stack.token}` }),
    { extraArgs: ["--allowedTools", "Agent", "--output-format", "json"] },
  );
  assertEquals(run.code, 0, `claude exited ${run.code}: ${run.stderr}`);
  const result = JSON.parse(run.stdout);
  assertEquals(result.subagent_stats.completed, 1);
  assertEquals(
    stack.emulator.requests.map((r) => r.modelId),
    [
      "us.anthropic.claude-opus-5-5",
      "us.anthropic.claude-haiku-5-5",
      "us.anthropic.claude-opus-5-5",
    ],
  );
  assertStringIncludes(
    JSON.stringify(lastContent(stack.emulator.requests[2]!)),
    "Emulated answer to: List the files",
  );
  const entries = await ledgerToday(stack);
  assertEquals(entries.map((e) => e.model).sort(), [
    "claude-haiku-5-5",
    "claude-opus-5-5",
    "claude-opus-5-5",
  ]);
  assertLedgerCostIs(entries, result.total_cost_usd);
});

Deno.test("Claude Code's stream-json with partial messages, --continue and /compact in one HOME go through the gateway", async () => {
  await using stack = await startGatewayStack();
  const home = await Deno.makeTempDir({ prefix: "ccgate-claude-home-" });
  try {
    const settings = `${home}/ccgate-settings.json`;
    await Deno.writeTextFile(
      settings,
      JSON.stringify(
        claudeCodeSettings({ gatewayUrl: stack.url, apiKeyHelper: `echo ${stack.token}` }),
      ),
    );
    const claude = async (...args: string[]) => {
      const run = await runClaudeCodeIn(home, [...args, "--settings", settings], {
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
        NO_COLOR: "1",
      });
      assertEquals(run.code, 0, run.stderr + run.stdout);
      return run.stdout;
    };
    const first = (await claude(
      "-p",
      "First question",
      "--output-format",
      "stream-json",
      "--include-partial-messages",
      "--verbose",
    )).trim().split("\n").map((line) => JSON.parse(line));
    const streamed = first.filter((l) => l.type === "stream_event").map((l) => l.event.type);
    assertEquals(streamed[0], "message_start");
    assertEquals(streamed.at(-1), "message_stop");
    assert(streamed.filter((t) => t === "content_block_delta").length > 1, "text came in deltas");
    assertEquals(first.at(-1).result, "Emulated answer to: First question");

    const second = JSON.parse(
      await claude("-p", "Second question", "--continue", "--output-format", "json"),
    );
    assertEquals(second.result, "Emulated answer to: Second question");
    assertEquals(second.session_id, first.at(-1).session_id);
    const compact = JSON.parse(
      await claude("-p", "/compact", "--continue", "--output-format", "json"),
    );
    assertEquals(compact.is_error, false);

    const [, continued, summary] = stack.emulator.requests;
    assertEquals((continued!.json as { messages: unknown[] }).messages.length, 3);
    assertStringIncludes(JSON.stringify(summary!.json), "Do NOT call any tools");
    const entries = await ledgerToday(stack);
    assertEquals(entries.length, stack.emulator.requests.length, "every request has its entry");
    assert(entries.every((e) => e.status === 200));
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
