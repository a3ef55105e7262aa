/**
 * One model request's admission by the policy engine (`PolicyEngine.admit`):
 * what it needs to know about the request, and what it returns to settle.
 *
 * @module
 */
import type { TokenUsage } from "../usage.ts";
import type { PolicySubject } from "./effective_rules.ts";
import type { UpstreamScope } from "./upstream_scope.ts";

/** What admission needs to know about one model request. */
export interface AdmissionRequest {
  /** The user, roles and groups (the verified access token's claims). */
  subject: PolicySubject;
  /** The model name the client sent, for messages. */
  requested?: string;
  /** The Bedrock id the request will invoke. */
  modelId: string;
  /** The request's `max_tokens`, if it has one. */
  maxTokens: number | undefined;
  /**
   * The client sent no `max_tokens` and `maxTokens` is the gateway's default
   * (`/v1/chat/completions`: the OpenAI API makes it optional): above the
   * limit it is capped, never refused, whatever `max_tokens_mode` says.
   */
  maxTokensDefaulted?: boolean;
  /**
   * Estimate of the input tokens, erring high; called only when a budget or
   * `tokens_per_minute` applies.
   */
  inputTokens: () => number;
  /**
   * Whether the request asks for 1-hour prompt-cache writes
   * (`asksOneHourCache`): its dollar escrow then prices the input at the
   * 1-hour write rate. Called only when a dollar budget applies.
   * @default {() => false}
   */
  oneHourCache?: () => boolean;
}

/** An admitted request: settle it exactly once when it ends (later calls do nothing). */
export interface Admission {
  /** Set when the policy capped `max_tokens`: the value to send instead. */
  cappedMaxTokens?: number;
  /**
   * The region × Bedrock ids the catalogue entries that admitted the request
   * allow (see `upstreamScope`): failover may try only these.
   */
  upstreams: UpstreamScope;
  /**
   * Ends the request: releases its reservation and its in-flight slot and
   * charges `usage` (what Bedrock reported, or a cut stream's estimate;
   * nothing when the call failed before an answer). With Bedrock's prompt
   * count, `tokens_per_minute` is corrected to it (see `promptCorrection`).
   */
  settle(usage?: TokenUsage, options?: SettleOptions): void;
}

/** How {@linkcode Admission.settle}'s usage was known. */
export interface SettleOptions {
  /**
   * The prompt counts are the gateway's estimate, not Bedrock's (a call
   * that most likely cost its prompt but was never answered, see
   * `likelyBilled`): `tokens_per_minute` keeps the admission's estimate.
   * @default false
   */
  promptEstimated?: boolean;
}
