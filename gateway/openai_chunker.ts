/** Options of {@linkcode OpenAiChunker}. */
export interface OpenAiChunkerOptions {
  /** `model` of every chunk: the name the client asked for. */
  model: string;
  /** `created` of every chunk, Unix seconds (from the injected clock). */
  created: number;
  /** Send a final chunk with `usage` and no choices (`stream_options.include_usage`). */
  includeUsage?: boolean;
}

/** One `chat.completion.chunk`. */
export interface OpenAiChunk {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  choices: {
    index: 0;
    delta: Record<string, unknown>;
    finish_reason: string | null;
    logprobs: null;
  }[];
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
}

/** Anthropic `stop_reason` → OpenAI `finish_reason`. */
export const FINISH_REASONS: Readonly<Record<string, string>> = Object.freeze({
  end_turn: "stop",
  stop_sequence: "stop",
  pause_turn: "stop",
  max_tokens: "length",
  model_context_window_exceeded: "length",
  tool_use: "tool_calls",
  refusal: "content_filter",
});

type Event = Record<string, unknown>;

/**
 * Turns Anthropic stream events (what each Bedrock chunk carries) into
 * OpenAI `chat.completion.chunk` objects, one event at a time: the first
 * chunk carries `role: "assistant"`, text deltas become `content`, each
 * `tool_use` block becomes a `tool_calls` entry (its id and name first, then
 * its input as `arguments` pieces, `"{}"` for a call without input), `message_delta` gives the
 * `finish_reason`, and `message_stop` the optional usage chunk. Thinking
 * blocks are not forwarded. Holds only the stream's own state; no clock.
 *
 * @example
 * ```ts
 * import { OpenAiChunker } from "./openai_chunker.ts";
 * const chunker = new OpenAiChunker({ model: "claude-sonnet-4-5", created: 0 });
 * chunker.push({ type: "message_start", message: { id: "msg_1", usage: { input_tokens: 3 } } });
 * const [chunk] = chunker.push({
 *   type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Hi" },
 * });
 * console.assert(chunk?.choices[0]?.delta.content === "Hi");
 * ```
 */
export class OpenAiChunker {
  readonly #options: OpenAiChunkerOptions;
  #id = "chatcmpl-ccgate";
  #toolIndex = new Map<number, number>();
  /** Anthropic block indexes of the tool calls whose `arguments` have had a piece. */
  #withArguments = new Set<number>();
  #promptTokens = 0;
  #completionTokens = 0;

  /** @param options Model, creation time, usage chunk. */
  constructor(options: OpenAiChunkerOptions) {
    this.#options = options;
  }

  /**
   * Translates one event.
   *
   * @param event The parsed Anthropic stream event.
   * @returns The chunks to send for it (often one, sometimes none).
   */
  push(event: Event): OpenAiChunk[] {
    switch (event.type) {
      case "message_start": {
        const message = (event.message ?? {}) as Event;
        if (typeof message.id === "string") this.#id = `chatcmpl-${message.id}`;
        this.#readUsage(message.usage);
        return [this.#chunk({ role: "assistant", content: "" })];
      }
      case "content_block_start": {
        const block = (event.content_block ?? {}) as Event;
        if (block.type !== "tool_use") return [];
        const index = this.#toolIndex.size;
        this.#toolIndex.set(event.index as number, index);
        return [this.#chunk({
          tool_calls: [{
            index,
            id: block.id,
            type: "function",
            function: { name: block.name, arguments: "" },
          }],
        })];
      }
      case "content_block_delta": {
        const delta = (event.delta ?? {}) as Event;
        if (delta.type === "text_delta") return [this.#chunk({ content: delta.text })];
        if (delta.type === "input_json_delta") {
          const index = this.#toolIndex.get(event.index as number);
          if (index === undefined || delta.partial_json === "") return [];
          this.#withArguments.add(event.index as number);
          return [this.#chunk({
            tool_calls: [{ index, function: { arguments: delta.partial_json } }],
          })];
        }
        return [];
      }
      case "content_block_stop": {
        // A call without arguments streams only `""`: OpenAI's is "{}", which clients parse.
        const index = this.#toolIndex.get(event.index as number);
        if (index === undefined || this.#withArguments.has(event.index as number)) return [];
        return [this.#chunk({ tool_calls: [{ index, function: { arguments: "{}" } }] })];
      }
      case "message_delta": {
        this.#readUsage(event.usage);
        const delta = (event.delta ?? {}) as Event;
        const reason = typeof delta.stop_reason === "string"
          ? FINISH_REASONS[delta.stop_reason] ?? "stop"
          : null;
        return [this.#chunk({}, reason)];
      }
      case "message_stop": {
        if (!this.#options.includeUsage) return [];
        return [{ ...this.#base(), choices: [], usage: this.usage }];
      }
      default:
        return [];
    }
  }

  /** Token counts so far, in OpenAI's names. */
  get usage(): { prompt_tokens: number; completion_tokens: number; total_tokens: number } {
    return {
      prompt_tokens: this.#promptTokens,
      completion_tokens: this.#completionTokens,
      total_tokens: this.#promptTokens + this.#completionTokens,
    };
  }

  #readUsage(raw: unknown): void {
    if (raw === null || typeof raw !== "object") return;
    const u = raw as Record<string, unknown>;
    const n = (v: unknown) => typeof v === "number" && Number.isFinite(v) ? v : undefined;
    const input = n(u.input_tokens);
    if (input !== undefined) {
      this.#promptTokens = input + (n(u.cache_read_input_tokens) ?? 0) +
        (n(u.cache_creation_input_tokens) ?? 0);
    }
    this.#completionTokens = n(u.output_tokens) ?? this.#completionTokens;
  }

  #base() {
    return {
      id: this.#id,
      object: "chat.completion.chunk" as const,
      created: this.#options.created,
      model: this.#options.model,
    };
  }

  #chunk(delta: Record<string, unknown>, finishReason: string | null = null): OpenAiChunk {
    const chunk: OpenAiChunk = {
      ...this.#base(),
      choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
    };
    if (this.#options.includeUsage) chunk.usage = null;
    return chunk;
  }
}
