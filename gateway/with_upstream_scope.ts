import type { BedrockClient } from "./bedrock_upstream.ts";

/**
 * A Bedrock client whose every call carries `upstreams`: the region × model
 * ids the call may go to (an admitted request's `upstreamScope`), which
 * `FailoverBedrock` honours when it picks and fails over between upstreams
 * (a plain SDK client ignores the option). Without a scope, `client` itself.
 * Allocates one closure per scoped request; the call path is unchanged.
 *
 * @param client The gateway's Bedrock client.
 * @param upstreams Whether a region × model id may be invoked; `undefined` for no limit.
 * @returns The client to call for this request.
 *
 * @example
 * ```ts ignore
 * const client = withUpstreamScope(bedrock, admitted.upstreams);
 * await invokeModel(client, { modelId, body, signal });
 * ```
 */
export function withUpstreamScope(
  client: BedrockClient,
  upstreams: ((region: string, modelId: string) => boolean) | undefined,
): BedrockClient {
  if (upstreams === undefined) return client;
  const send = ((command: unknown, options?: unknown) => {
    if (typeof options === "function") {
      throw new TypeError("Cannot send: callbacks are not supported, use the promise");
    }
    // deno-lint-ignore no-explicit-any
    return (client.send as any)(command, { ...(options as object | undefined), upstreams });
  }) as BedrockClient["send"];
  return { send };
}
