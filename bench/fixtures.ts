/**
 * The request bodies the benchmark sends: a recorded Claude Code request
 * (2.1.332's by default: 49 KB of system prompt, tools and messages; 2.1.197's
 * 76 KB, called 87 KB in earlier notes, with `--request 2.1.197`) as the
 * gateway receives it, and its Bedrock translation as the baselines send it.
 *
 * @module
 */
import type { RequestSpec } from "./loadgen/jobs.ts";
import type { BenchRequest } from "./options.ts";

/** The two recordings. */
export interface Fixtures {
  /** The Messages API request: headers and body, as Claude Code sent it. */
  messages: { url: string; headers: Record<string, string>; body: Record<string, unknown> };
  /** Its Bedrock InvokeModel body and model id. */
  bedrock: { modelId: string; body: Record<string, unknown> };
}

/** Base URLs of the three things measured. */
export interface TargetUrls {
  /** The Bedrock emulator (direct). */
  emulator: string;
  /** The bare pass-through proxy in front of the emulator. */
  proxy: string;
  /** The gateway in front of the emulator. */
  gateway: string;
  /** The floor for a gateway that reads the request (servers/sdk_floor_server.ts), when started. */
  floor?: string;
}

/** The same request for each target. */
export interface TargetRequests {
  direct: RequestSpec;
  proxy: RequestSpec;
  gateway: RequestSpec;
  /** The Bedrock body, as the proxy gets it, for the SDK floor (when its URL is given). */
  floor?: RequestSpec;
}

/** Reads the recordings of one Claude Code version from gateway/testdata. */
export async function loadFixtures(version: BenchRequest = "2.1.332"): Promise<Fixtures> {
  const dir = new URL("../gateway/testdata/", import.meta.url);
  const read = async (name: string) => JSON.parse(await Deno.readTextFile(new URL(name, dir)));
  const messages = await read(`claude_code_${version}_messages_request.json`);
  const bedrock = await read(`claude_code_${version}_bedrock_request.json`);
  return {
    messages: { url: messages.url, headers: messages.headers, body: messages.body },
    bedrock: { modelId: bedrock.modelId, body: bedrock.body },
  };
}

/**
 * The request each target gets: the gateway the Messages API request with a
 * bearer token; the emulator and the bare proxy its Bedrock translation on
 * the matching InvokeModel(WithResponseStream) path, and so does the SDK
 * floor when its URL is given. Pure.
 *
 * @param fixtures The recordings.
 * @param urls Base URLs.
 * @param token A token the gateway accepts.
 * @param stream Streamed or not.
 * @returns One request spec per target.
 */
export function targetRequests(
  fixtures: Fixtures,
  urls: TargetUrls,
  token: string,
  stream: boolean,
): TargetRequests {
  const path = `/model/${encodeURIComponent(fixtures.bedrock.modelId)}/${
    stream ? "invoke-with-response-stream" : "invoke"
  }`;
  const bedrockHeaders = {
    "content-type": "application/json",
    accept: stream ? "application/vnd.amazon.eventstream" : "application/json",
    authorization: "Bearer bench-bedrock-api-key",
  };
  const bedrockBody = JSON.stringify(fixtures.bedrock.body);
  return {
    direct: {
      name: "direct",
      url: urls.emulator + path,
      headers: bedrockHeaders,
      body: bedrockBody,
    },
    proxy: { name: "proxy", url: urls.proxy + path, headers: bedrockHeaders, body: bedrockBody },
    ...(urls.floor === undefined ? {} : {
      floor: { name: "floor", url: urls.floor + path, headers: bedrockHeaders, body: bedrockBody },
    }),
    gateway: {
      name: "gateway",
      url: urls.gateway + fixtures.messages.url,
      headers: _withToken(fixtures.messages.headers, token),
      body: JSON.stringify({ ...fixtures.messages.body, stream }),
    },
  };
}

/** The recorded headers with the token where Claude Code put its apiKeyHelper's output. */
function _withToken(headers: Record<string, string>, token: string): Record<string, string> {
  const out: Record<string, string> = { ...headers, authorization: `Bearer ${token}` };
  if ("x-api-key" in headers) out["x-api-key"] = token; // 2.1.332 sends both, the same value
  return out;
}

/**
 * Characters of history {@linkcode withHistory} adds for the requests of a
 * long conversation: 485 KB requests with 2.1.197's recorded one, about 450 KB
 * with 2.1.332's.
 */
export const LONG_HISTORY_BYTES = 400_000;

/**
 * The recordings with a conversation history put in front of their messages
 * (a user turn of `bytes` characters and a short answer), for requests the
 * size of a long Claude Code conversation. Pure.
 *
 * @param fixtures The recordings.
 * @param bytes Size of the added user turn's text.
 * @returns New recordings; the given ones are not modified.
 */
export function withHistory(fixtures: Fixtures, bytes: number): Fixtures {
  const history = [
    { role: "user", content: "x".repeat(bytes) },
    { role: "assistant", content: "ok" },
  ];
  const prepend = (body: Record<string, unknown>) => ({
    ...body,
    messages: [...history, ...(body.messages as unknown[])],
  });
  return {
    messages: { ...fixtures.messages, body: prepend(fixtures.messages.body) },
    bedrock: { ...fixtures.bedrock, body: prepend(fixtures.bedrock.body) },
  };
}
