import {
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} from "@aws-sdk/client-bedrock-runtime";
import type { BedrockInvokeOptions } from "./bedrock_invoke_options.ts";
import type { BedrockClient } from "./bedrock_upstream.ts";

/** What Bedrock's answer to an invocation said about itself (its response headers, as the SDK read them). */
export interface BedrockAnswerMeta {
  /** `X-Amzn-Bedrock-Service-Tier`: the tier that served the request, when Bedrock said. */
  serviceTier?: string;
  /** `X-Amzn-Bedrock-PerformanceConfig-Latency`, when Bedrock said. */
  performanceConfigLatency?: string;
  /** `x-amzn-RequestId` of the Bedrock call that answered. */
  requestId?: string;
  /** Milliseconds from sending the command to its response (headers). */
  latencyMs: number;
}

type _Command = { input: Record<string, unknown>; constructor: new (input: never) => _Command };
type _Output = {
  serviceTier?: string;
  performanceConfigLatency?: string;
  $metadata?: { requestId?: string };
};

/**
 * A Bedrock client that adds the client's invocation options (service tier,
 * latency, guardrail, trace: see `readBedrockInvokeOptions`) to every
 * InvokeModel and InvokeModelWithResponseStream command it sends, and tells
 * `answered` what Bedrock's response said about itself. Other commands
 * (CountTokens) pass unchanged. The options are in the command's input, so
 * `FailoverBedrock` keeps them on every attempt.
 *
 * @param client The gateway's Bedrock client.
 * @param options The options read from the request.
 * @param answered Receives the answer's metadata once the response (its headers) arrived.
 * @param now Milliseconds of a monotonic clock. @default performance.now
 * @returns The client to call.
 *
 * @example
 * ```ts ignore
 * const client = withInvokeOptions(deps.bedrock, { serviceTier: "flex" }, (meta) => console.log(meta.serviceTier));
 * ```
 */
export function withInvokeOptions(
  client: BedrockClient,
  options: BedrockInvokeOptions,
  answered: (meta: BedrockAnswerMeta) => void,
  now: () => number = () => performance.now(),
): BedrockClient {
  const send = (command: _Command, sendOptions?: unknown) => {
    if (
      !(command instanceof InvokeModelCommand) &&
      !(command instanceof InvokeModelWithResponseStreamCommand)
    ) {
      return (client.send as (c: unknown, o?: unknown) => Promise<unknown>)(command, sendOptions);
    }
    const withOptions = Object.keys(options).length === 0
      ? command
      : new command.constructor({ ...command.input, ...options } as never);
    const started = now();
    return (client.send as (c: unknown, o?: unknown) => Promise<_Output>)(withOptions, sendOptions)
      .then((output) => {
        const meta: BedrockAnswerMeta = { latencyMs: Math.max(0, Math.round(now() - started)) };
        if (typeof output.serviceTier === "string") meta.serviceTier = output.serviceTier;
        if (typeof output.performanceConfigLatency === "string") {
          meta.performanceConfigLatency = output.performanceConfigLatency;
        }
        const requestId = output.$metadata?.requestId;
        if (typeof requestId === "string") meta.requestId = requestId;
        answered(meta);
        return output;
      });
  };
  return { send } as unknown as BedrockClient;
}
