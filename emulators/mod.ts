export { startBedrockEmulator } from "./bedrock/bedrock_emulator.ts";
export type * from "./bedrock/bedrock_emulator_types.ts";
export { answerScript, errorScript, hangScript } from "./bedrock/scripts.ts";
export type {
  AnswerScript,
  BedrockScript,
  ErrorScript,
  HangScript,
  ScriptTiming,
} from "./bedrock/scripts.ts";
export { messageAnswer } from "./bedrock/message_answer.ts";
export type {
  AnswerOptions,
  BlockScript,
  TextBlockScript,
  ThinkingBlockScript,
  ToolUseBlockScript,
} from "./bedrock/message_answer.ts";
export { textAnswer } from "./bedrock/text_answer.ts";
export { toolUseAnswer } from "./bedrock/tool_use_answer.ts";
export type { ToolUseAnswerInput } from "./bedrock/tool_use_answer.ts";
export { thinkingAnswer } from "./bedrock/thinking_answer.ts";
export type { ThinkingAnswerInput } from "./bedrock/thinking_answer.ts";
export { eventsToMessage } from "./bedrock/events_to_message.ts";
export { countInputTokens } from "./bedrock/count_input_tokens.ts";
export { defaultAnswer, TOOL_USE_MARKER } from "./bedrock/default_answer.ts";
export { encodeChunkFrame, encodeExceptionFrame } from "./bedrock/encode_frames.ts";
export type { EncodeChunkOptions } from "./bedrock/encode_frames.ts";
export {
  BEDROCK_EXCEPTIONS,
  DEFAULT_EXCEPTION_MESSAGES,
  streamExceptionType,
} from "./bedrock/bedrock_exceptions.ts";
export type { BedrockExceptionName } from "./bedrock/bedrock_exceptions.ts";
export { errorResponse } from "./bedrock/error_response.ts";
export type { ErrorResponseOptions } from "./bedrock/error_response.ts";
export { validateInvokeBody, validateInvokeJson } from "./bedrock/validate_invoke_body.ts";
export type {
  InvokeBodyValidation,
  ValidateInvokeBodyOptions,
} from "./bedrock/validate_invoke_body.ts";
export { parseAuthorization } from "./bedrock/parse_authorization.ts";
export type { RequestAuth } from "./bedrock/parse_authorization.ts";
export { authorizationError } from "./bedrock/authorization_error.ts";
export type { AuthorizationPolicy } from "./bedrock/authorization_error.ts";
export {
  BEDROCK_ANTHROPIC_VERSION,
  CLAUDE_FOUNDATION_MODELS,
  DEFAULT_ALLOWED_BETAS,
  DEFAULT_ALLOWED_KEYS,
  DEFAULT_BEDROCK_MODELS,
  INFERENCE_PROFILE_PREFIXES,
} from "./bedrock/defaults.ts";
export { BedrockEmulatorError } from "./bedrock/errors.ts";
export type { BedrockEmulatorErrorCode } from "./bedrock/errors.ts";
export type {
  AnthropicContentBlock,
  AnthropicDelta,
  AnthropicMessage,
  AnthropicStopReason,
  AnthropicStreamEvent,
  AnthropicUsage,
  InvocationMetrics,
} from "./bedrock/types.ts";
export * from "./entra/start_entra_emulator.ts";
export * from "./entra/entra_flows.ts";
