import type {
  PerformanceConfigLatency,
  ServiceTierType,
  Trace,
} from "@aws-sdk/client-bedrock-runtime";
import { InvalidRequestError } from "./errors.ts";

/**
 * The InvokeModel(WithResponseStream) request options that Bedrock takes as
 * HTTP headers, by their AWS SDK input field (`InvokeModelCommand`'s input).
 * Each is absent when the client did not send its header.
 */
export interface BedrockInvokeOptions {
  /** `X-Amzn-Bedrock-Service-Tier`: `priority`, `default`, `flex` or `reserved`. */
  serviceTier?: ServiceTierType;
  /** `X-Amzn-Bedrock-PerformanceConfig-Latency`: `standard` or `optimized`. */
  performanceConfigLatency?: PerformanceConfigLatency;
  /** `X-Amzn-Bedrock-GuardrailIdentifier`: a guardrail id or ARN. */
  guardrailIdentifier?: string;
  /** `X-Amzn-Bedrock-GuardrailVersion`: a version number or `DRAFT`. */
  guardrailVersion?: string;
  /** `X-Amzn-Bedrock-Trace`: `ENABLED`, `DISABLED` or `ENABLED_FULL`. */
  trace?: Trace;
}

/** The request headers, lower-cased, and the field each sets. */
export const BEDROCK_INVOKE_HEADERS = {
  serviceTier: "x-amzn-bedrock-service-tier",
  performanceConfigLatency: "x-amzn-bedrock-performanceconfig-latency",
  guardrailIdentifier: "x-amzn-bedrock-guardrailidentifier",
  guardrailVersion: "x-amzn-bedrock-guardrailversion",
  trace: "x-amzn-bedrock-trace",
} as const satisfies Record<keyof BedrockInvokeOptions, string>;

const SERVICE_TIERS = ["priority", "default", "flex", "reserved"] as const;
const LATENCIES = ["standard", "optimized"] as const;
const TRACES = ["ENABLED", "DISABLED", "ENABLED_FULL"] as const;
/** Bedrock's patterns (API reference, InvokeModel). */
const GUARDRAIL_ID =
  /^(([a-z0-9]+)|(arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:guardrail\/[a-z0-9]+))$/;
const GUARDRAIL_VERSION = /^(([1-9][0-9]{0,7})|(DRAFT))$/;
const MAX_GUARDRAIL_ID = 2048;
/** The body field that configures the guardrail named in the headers. */
export const GUARDRAIL_CONFIG_FIELD = "amazon-bedrock-guardrailConfig";

/**
 * Reads and checks Bedrock's invocation headers the way Bedrock does, with
 * Bedrock's wording (`1 validation error detected: Value 'x' at 'serviceTier'
 * failed to satisfy constraint: ...`): an enum value outside its set, a
 * guardrail id or version outside its pattern, a guardrail id without a
 * version, a version without an id, or the body's
 * `amazon-bedrock-guardrailConfig` without a guardrail id are refused, so a
 * guardrail the client asked for is applied or the request refused, never
 * dropped. Values are taken as sent (Bedrock's enums are case-sensitive);
 * an empty header is as good as absent. Pure.
 *
 * @param headers The request's headers.
 * @param body The request body as the client sent it (for its guardrail configuration).
 * @returns The options for the SDK command.
 * @throws {InvalidRequestError} A ValidationException on the Bedrock-native routes.
 *
 * @example
 * ```ts
 * import { readBedrockInvokeOptions } from "./bedrock_invoke_options.ts";
 * const options = readBedrockInvokeOptions(new Headers({ "x-amzn-bedrock-service-tier": "flex" }), {});
 * console.assert(options.serviceTier === "flex");
 * ```
 */
export function readBedrockInvokeOptions(
  headers: Headers,
  body: Record<string, unknown>,
): BedrockInvokeOptions {
  const options: BedrockInvokeOptions = {};
  const problems: string[] = [];
  const value = (field: keyof BedrockInvokeOptions) => {
    const v = headers.get(BEDROCK_INVOKE_HEADERS[field]);
    return v === null || v === "" ? undefined : v;
  };
  const oneOf = <T extends string>(
    field: keyof BedrockInvokeOptions,
    allowed: readonly T[],
  ): T | undefined => {
    const v = value(field);
    if (v === undefined) return undefined;
    if ((allowed as readonly string[]).includes(v)) return v as T;
    problems.push(_failed(v, field, `Member must satisfy enum value set: [${allowed.join(", ")}]`));
    return undefined;
  };
  const matching = (field: keyof BedrockInvokeOptions, pattern: RegExp, max?: number) => {
    const v = value(field);
    if (v === undefined) return undefined;
    if (max !== undefined && v.length > max) {
      problems.push(_failed(v, field, `Member must have length less than or equal to ${max}`));
    } else if (!pattern.test(v)) {
      problems.push(
        _failed(v, field, `Member must satisfy regular expression pattern: ${pattern.source}`),
      );
    } else return v;
    return undefined;
  };
  const serviceTier = oneOf("serviceTier", SERVICE_TIERS);
  const latency = oneOf("performanceConfigLatency", LATENCIES);
  const trace = oneOf("trace", TRACES);
  const guardrailIdentifier = matching("guardrailIdentifier", GUARDRAIL_ID, MAX_GUARDRAIL_ID);
  const guardrailVersion = matching("guardrailVersion", GUARDRAIL_VERSION);
  if (problems.length > 0) {
    const n = problems.length;
    throw new InvalidRequestError(
      `${n} validation error${n === 1 ? "" : "s"} detected: ${problems.join("; ")}`,
    );
  }
  const hasId = value("guardrailIdentifier") !== undefined;
  const hasVersion = value("guardrailVersion") !== undefined;
  if (hasId && !hasVersion) {
    throw new InvalidRequestError("Guardrail version is required when guardrail identifier is set");
  }
  if (hasVersion && !hasId) {
    throw new InvalidRequestError("Guardrail identifier is required when guardrail version is set");
  }
  if (!hasId && body[GUARDRAIL_CONFIG_FIELD] !== undefined) {
    throw new InvalidRequestError(
      `${GUARDRAIL_CONFIG_FIELD} is set in the body but no guardrail identifier is given`,
    );
  }
  if (serviceTier !== undefined) options.serviceTier = serviceTier;
  if (latency !== undefined) options.performanceConfigLatency = latency;
  if (guardrailIdentifier !== undefined) options.guardrailIdentifier = guardrailIdentifier;
  if (guardrailVersion !== undefined) options.guardrailVersion = guardrailVersion;
  if (trace !== undefined) options.trace = trace;
  return options;
}

/** AWS's wording of one failed constraint; the value is cut to 100 characters. */
function _failed(value: string, field: string, constraint: string): string {
  const shown = value.length > 100 ? `${value.slice(0, 100)}...` : value;
  return `Value '${shown}' at '${field}' failed to satisfy constraint: ${constraint}`;
}
