import { readJsonBody } from "./read_json_body.ts";
import recorded from "./testdata/claude_code_2.1.197_messages_request.json" with { type: "json" };

const bytes = new TextEncoder().encode(JSON.stringify(recorded.body));
const fatal = new TextDecoder("utf-8", { fatal: true });

/** As Claude Code sends it: with its length declared. */
function post(): Request {
  return new Request("http://gateway.test/v1/messages", {
    method: "POST",
    body: bytes.slice(),
    headers: { "content-length": String(bytes.byteLength) },
  });
}

Deno.bench("readJsonBody() of the Claude Code 2.1.197 request (~76 KB)", async () => {
  await readJsonBody(post(), 32 * 1024 * 1024);
});

Deno.bench("baseline: request.arrayBuffer() + fatal UTF-8 decode + JSON.parse", {
  baseline: true,
}, async () => {
  JSON.parse(fatal.decode(await post().arrayBuffer()));
});
