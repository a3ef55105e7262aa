/**
 * What the emulator accepts by default: Claude model ids and inference
 * profiles, top-level body keys and `anthropic_beta` flags. Every list can be
 * replaced through the emulator's options.
 *
 * @module
 */

/** Claude foundation model ids on Bedrock (without a geographic prefix). */
export const CLAUDE_FOUNDATION_MODELS: readonly string[] = [
  "anthropic.claude-3-haiku-20240307-v1:0",
  "anthropic.claude-3-5-haiku-20241022-v1:0",
  "anthropic.claude-3-5-sonnet-20240620-v1:0",
  "anthropic.claude-3-5-sonnet-20241022-v2:0",
  "anthropic.claude-3-7-sonnet-20250219-v1:0",
  "anthropic.claude-sonnet-4-20250514-v1:0",
  "anthropic.claude-opus-4-20250514-v1:0",
  "anthropic.claude-opus-4-1-20250805-v1:0",
  "anthropic.claude-sonnet-4-5-20250929-v1:0",
  "anthropic.claude-haiku-4-5-20251001-v1:0",
  "anthropic.claude-opus-4-5-20251101-v1:0",
  "anthropic.claude-opus-4-6-v1",
  "anthropic.claude-sonnet-4-6",
  "anthropic.claude-opus-4-7",
  "anthropic.claude-opus-4-8",
  "anthropic.claude-sonnet-5",
  "anthropic.claude-fable-5",
  "anthropic.claude-opus-5",
  "anthropic.claude-opus-5-5",
  "anthropic.claude-sonnet-5-5",
  "anthropic.claude-haiku-5-5",
  "anthropic.claude-fable-5-1",
  "anthropic.claude-fable-5-2",
];

/** Prefixes of cross-region inference profiles ("" is the foundation model itself). */
export const INFERENCE_PROFILE_PREFIXES: readonly string[] = [
  "",
  "us.",
  "eu.",
  "apac.",
  "jp.",
  "au.",
  "us-gov.",
  "global.",
];

/** Every model id the emulator accepts by default: each foundation model with each prefix. */
export const DEFAULT_BEDROCK_MODELS: readonly string[] = INFERENCE_PROFILE_PREFIXES.flatMap((
  prefix,
) => CLAUDE_FOUNDATION_MODELS.map((id) => prefix + id));

/**
 * Top-level keys Bedrock accepts in an Anthropic Claude Messages body
 * (`model` and `stream` are not among them: the model is in the path and
 * streaming is chosen by the operation).
 */
export const DEFAULT_ALLOWED_KEYS: readonly string[] = [
  "anthropic_version",
  "anthropic_beta",
  "messages",
  "system",
  "max_tokens",
  "temperature",
  "top_p",
  "top_k",
  "stop_sequences",
  "tools",
  "tool_choice",
  "thinking",
  "metadata",
  "output_config",
  "context_management",
];

/** `anthropic_beta` flags Bedrock accepts (others: 400 "invalid beta flag"). */
export const DEFAULT_ALLOWED_BETAS: readonly string[] = [
  "computer-use-2024-10-22",
  "computer-use-2025-01-24",
  "computer-use-2025-11-24",
  "token-efficient-tools-2025-02-19",
  "interleaved-thinking-2025-05-14",
  "output-128k-2025-02-19",
  "dev-full-thinking-2025-05-14",
  "context-1m-2025-08-07",
  "context-management-2025-06-27",
  "effort-2025-11-24",
  "tool-search-tool-2025-10-19",
  "tool-examples-2025-10-29",
  "fine-grained-tool-streaming-2025-05-14",
  "claude-code-20250219",
  "compact-2026-01-12",
];

/** The only `anthropic_version` Bedrock accepts for Claude. */
export const BEDROCK_ANTHROPIC_VERSION = "bedrock-2023-05-31";
