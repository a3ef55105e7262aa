/**
 * The floor for a gateway that must read the request, as ccgate must (its
 * policy needs the model and `max_tokens`, its translation the body): a
 * `Deno.serve` that reads the Bedrock body, parses it, serialises it again
 * and calls InvokeModel with it through the AWS SDK client ccgate builds
 * (`createBedrockClient`: the same HTTP handler and SigV4 signing), then
 * parses Bedrock's answer and returns it. No authentication, policy,
 * translation, limits, ledger, metrics or logs. Non-streamed calls only
 * (`/model/{id}/invoke`). In its own process.
 *
 * Prints one JSON line on stdout when ready: `{"url", "pid"}`.
 *
 * `deno run --allow-net --allow-env --allow-read bench/servers/sdk_floor_server.ts <emulator URL>`
 *
 * @module
 */
import { InvokeModelCommand } from "@aws-sdk/client-bedrock-runtime";
import { createBedrockClient } from "../../gateway/bedrock_client.ts";

const INVOKE = /^\/model\/([^/]+)\/invoke$/;

if (import.meta.main) {
  const emulatorUrl = Deno.args[0];
  if (emulatorUrl === undefined) {
    console.error("usage: sdk_floor_server.ts <emulator URL>");
    Deno.exit(2);
  }
  const client = createBedrockClient({
    region: "us-east-1",
    endpoint: emulatorUrl,
    credentials: { accessKeyId: "AKIDEMULATOR", secretAccessKey: "emulator-secret" },
  });
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const match = INVOKE.exec(new URL(req.url).pathname);
    if (req.method !== "POST" || match === null) return new Response("not found", { status: 404 });
    try {
      const request = JSON.parse(decoder.decode(await req.bytes()));
      const output = await client.send(
        new InvokeModelCommand({
          modelId: decodeURIComponent(match[1]!),
          body: encoder.encode(JSON.stringify(request)),
          contentType: "application/json",
          accept: "application/json",
        }),
        { abortSignal: req.signal },
      );
      return Response.json(JSON.parse(decoder.decode(output.body)));
    } catch {
      return new Response("bad gateway", { status: 502 });
    }
  });
  console.log(JSON.stringify({ url: `http://127.0.0.1:${server.addr.port}`, pid: Deno.pid }));
}
