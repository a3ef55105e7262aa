/**
 * What `ccgate install` does to a workstation: Claude Code settings,
 * scheduled refresh, the mirror of Claude Code binaries.
 *
 * @module
 */
export * from "./claude_code_settings.ts";
export * from "./claude_code_bedrock_settings.ts";
