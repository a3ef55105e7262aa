import type { BedrockFamily } from "./bedrock_compat.ts";
import { InvalidRequestError } from "./errors.ts";

type Json = Record<string, unknown>;

/**
 * Checks content blocks (`tool_result` contents included) and strips the
 * `cache_control` keys Bedrock rejects for the model family (`scope`, and
 * `ttl` where unsupported), noting each in `dropped`; unless tool search is
 * forwarded, a `tool_reference` (tool search's answer) becomes a text block
 * saying the tool is loaded. Copies only what changed: unchanged input comes
 * back as the same array. Pure but for `dropped`.
 *
 * @param blocks The content blocks.
 * @param path Where they are, for errors and `dropped` (`messages.3.content`).
 * @param family The model family's rules.
 * @param dropped Receives `field:<path>.cache_control.<key>` per key removed.
 * @param toolSearch Whether tool search is forwarded: `tool_reference` blocks are then kept.
 * @returns The blocks to send.
 * @throws {InvalidRequestError} When a block is not an object with a `type`,
 * or is an image or document Bedrock cannot read (see `_checkSource`).
 *
 * @example
 * ```ts
 * import { bedrockBlocks } from "./bedrock_messages.ts";
 * import { bedrockFamily } from "./bedrock_compat.ts";
 * const dropped: string[] = [];
 * const blocks = [{ type: "text", text: "hi", cache_control: { type: "ephemeral", scope: "global" } }];
 * const out = bedrockBlocks(blocks, "system", bedrockFamily("anthropic.claude-sonnet-4-5-20250929-v1:0"), dropped);
 * console.assert(!("scope" in (out[0] as { cache_control: object }).cache_control));
 * console.assert(dropped[0] === "field:system.0.cache_control.scope");
 * ```
 */
export function bedrockBlocks(
  blocks: unknown[],
  path: string,
  family: BedrockFamily,
  dropped: string[],
  toolSearch = false,
): unknown[] {
  let out: unknown[] | undefined;
  for (let i = 0; i < blocks.length; i++) {
    const block = blocks[i];
    if (!_isObject(block) || typeof block.type !== "string") {
      throw new InvalidRequestError(`${path}.${i}: Input should be a content block with a "type"`);
    }
    if (block.type === "image" || block.type === "document") _checkSource(block, `${path}.${i}`);
    let fixed = bedrockCacheControl(block, `${path}.${i}`, family, dropped);
    if (block.type === "tool_reference" && !toolSearch) {
      // Tool search is not forwarded (bedrock_compat.json): every tool is loaded eagerly, and
      // Bedrock refuses a tool_reference without its beta. Claude Code's ToolSearch tool answers
      // with these; the model then calls the tool by name, which it can.
      const { tool_name: name, type: _type, ...rest } = fixed as Json;
      fixed = { ...rest, type: "text", text: `Tool ${String(name)} is loaded.` };
      dropped.push(`rewrite:${path}.${i}.tool_reference`);
    }
    if (block.type === "tool_result" && Array.isArray(block.content)) {
      const inner = bedrockBlocks(
        block.content,
        `${path}.${i}.content`,
        family,
        dropped,
        toolSearch,
      );
      if (inner !== block.content) fixed = { ...fixed, content: inner };
    }
    if (fixed !== block) {
      out ??= blocks.slice();
      out[i] = fixed;
    }
  }
  return out ?? blocks;
}

/**
 * A block (content block or tool) without the `cache_control` keys Bedrock
 * rejects for the model family: `scope` always, `ttl` where unsupported.
 * Each removal is noted in `dropped`; an unchanged block comes back as is.
 *
 * @param block The block.
 * @param path Where it is (`tools.2`), for `dropped`.
 * @param family The model family's rules.
 * @param dropped Receives `field:<path>.cache_control.<key>`.
 * @returns The block to send.
 */
export function bedrockCacheControl(
  block: Json,
  path: string,
  family: BedrockFamily,
  dropped: string[],
): Json {
  const cc = block.cache_control;
  if (!_isObject(cc)) return block;
  const dropTtl = !family.cacheTtl && "ttl" in cc;
  if (!("scope" in cc) && !dropTtl) return block;
  const kept: Json = {};
  for (const key of Object.keys(cc)) {
    if (key === "scope" || (key === "ttl" && dropTtl)) {
      dropped.push(`field:${path}.cache_control.${key}`);
    } else kept[key] = cc[key];
  }
  return { ...block, cache_control: kept };
}

/**
 * Translates the `messages` list for Bedrock: content blocks as
 * {@linkcode bedrockBlocks}, and each `role: "system"` message (which
 * Bedrock rejects) rewritten as `<system-reminder>` text in the adjacent
 * user turn, after its leading `tool_result` blocks (or in a user turn of
 * its own), noted as `rewrite:messages.<i>.role`. Copies only what changed.
 *
 * @param value The request's `messages`.
 * @param family The model family's rules.
 * @param dropped Receives what was removed or rewritten.
 * @param toolSearch Whether tool search is forwarded (see {@linkcode bedrockBlocks}).
 * @returns The messages to send.
 * @throws {InvalidRequestError} Naming the field, e.g. `messages.2.role: ...`.
 *
 * @example
 * ```ts
 * import { bedrockMessages } from "./bedrock_messages.ts";
 * import { bedrockFamily } from "./bedrock_compat.ts";
 * const out = bedrockMessages(
 *   [{ role: "user", content: "hi" }, { role: "system", content: "be brief" }],
 *   bedrockFamily("anthropic.claude-sonnet-4-5-20250929-v1:0"),
 *   [],
 * ) as { role: string; content: { text: string }[] }[];
 * console.assert(out.length === 1 && out[0]!.content[1]!.text.includes("<system-reminder>"));
 * ```
 */
export function bedrockMessages(
  value: unknown,
  family: BedrockFamily,
  dropped: string[],
  toolSearch = false,
): unknown[] {
  if (!Array.isArray(value)) throw new InvalidRequestError("messages: Input should be a list");
  if (value.length === 0) {
    throw new InvalidRequestError("messages: at least one message is required");
  }
  let out: unknown[] | undefined;
  /** System text waiting for the next user turn (the previous turn was not a user turn). */
  let pending: Json[] = [];
  for (let i = 0; i < value.length; i++) {
    const message = value[i];
    if (!_isObject(message)) {
      throw new InvalidRequestError(`messages.${i}: Input should be an object`);
    }
    const { role, content } = message;
    if (role !== "user" && role !== "assistant" && role !== "system") {
      throw new InvalidRequestError(
        `messages.${i}.role: Input should be "user", "assistant" or "system"`,
      );
    }
    if (typeof content !== "string" && !Array.isArray(content)) {
      throw new InvalidRequestError(
        `messages.${i}.content: Input should be a string or a list of content blocks`,
      );
    }
    if (role === "system") {
      out ??= value.slice(0, i);
      dropped.push(`rewrite:messages.${i}.role`);
      const reminder = _systemReminder(content, `messages.${i}.content`);
      const previous = out[out.length - 1] as Json | undefined;
      if (previous !== undefined && previous.role === "user" && pending.length === 0) {
        out[out.length - 1] = {
          ...previous,
          content: [..._asBlocks(previous.content), ...reminder],
        };
      } else pending.push(...reminder);
      continue;
    }
    let fixed: Json = message;
    if (Array.isArray(content)) {
      const blocks = bedrockBlocks(content, `messages.${i}.content`, family, dropped, toolSearch);
      if (blocks !== content) fixed = { ...message, content: blocks };
    }
    if (pending.length > 0) {
      if (role === "user") fixed = { ...fixed, content: _afterToolResults(fixed.content, pending) };
      else out!.push({ role: "user", content: pending });
      pending = [];
    }
    if (out !== undefined) out.push(fixed);
    else if (fixed !== message) {
      out = value.slice(0, i);
      out.push(fixed);
    }
  }
  if (pending.length > 0) out!.push({ role: "user", content: pending });
  return out ?? value;
}

/**
 * Refuses an image or document whose `source` Bedrock cannot read: a URL
 * (Bedrock does not fetch URLs for Claude, and the gateway must not fetch
 * them either: that would let any user make it request any address) or a
 * Files API `file_id` (Anthropic's own storage). Also the images of a
 * document whose source is a list of content blocks. A missing or malformed
 * source is left to Bedrock's own validation, which names it.
 */
function _checkSource(block: Json, at: string): void {
  const source = block.source;
  if (!_isObject(source)) return;
  if (source.type === "url" || source.type === "file") {
    const why = source.type === "url"
      ? "Bedrock does not fetch URLs, nor does this gateway"
      : "a Files API file_id is not readable by Bedrock (the Files API is Anthropic's own)";
    const how = block.type === "image"
      ? 'send the image as base64: {"type": "base64", "media_type": "image/png", "data": "..."}'
      : 'send the document inline: {"type": "base64", "media_type": "application/pdf", "data": "..."} for a PDF, {"type": "text", "media_type": "text/plain", "data": "..."} for text';
    throw new InvalidRequestError(`${at}.source: ${why}; ${how}`);
  }
  if (source.type === "content" && Array.isArray(source.content)) {
    for (let j = 0; j < source.content.length; j++) {
      const inner = source.content[j];
      if (_isObject(inner) && inner.type === "image") {
        _checkSource(inner, `${at}.source.content.${j}`);
      }
    }
  }
}

function _asBlocks(content: unknown): unknown[] {
  return typeof content === "string" ? [{ type: "text", text: content }] : content as unknown[];
}

/** Inserts blocks after the leading tool_result blocks (which must stay first in a user turn). */
function _afterToolResults(content: unknown, extra: Json[]): unknown[] {
  const blocks = _asBlocks(content);
  let at = 0;
  while (at < blocks.length && (blocks[at] as Json).type === "tool_result") at++;
  return [...blocks.slice(0, at), ...extra, ...blocks.slice(at)];
}

/** A role:system message's content as `<system-reminder>` text blocks. */
function _systemReminder(content: string | unknown[], path: string): Json[] {
  if (typeof content === "string") return [{ type: "text", text: _wrap(content) }];
  return content.map((block, j) => {
    if (!_isObject(block) || block.type !== "text" || typeof block.text !== "string") {
      throw new InvalidRequestError(
        `${path}.${j}: Input should be a text block (a system message holds only text)`,
      );
    }
    return { ...block, text: _wrap(block.text) };
  });
}

function _wrap(text: string): string {
  return `<system-reminder>\n${text}\n</system-reminder>`;
}

function _isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
