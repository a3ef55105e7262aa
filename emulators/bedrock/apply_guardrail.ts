import type { EmulatedGuardrail } from "./bedrock_emulator_types.ts";
import { textAnswer } from "./text_answer.ts";
import type { AnthropicStreamEvent } from "./types.ts";

/** What a guardrail decided about a request's input. */
export interface GuardrailOutcome {
  /** `INTERVENED` when the input was blocked, else `NONE`. */
  action: "NONE" | "INTERVENED";
  /** The answer to send instead of the model's when the input was blocked. */
  blocked?: AnthropicStreamEvent[];
  /** The guardrail's trace (`amazon-bedrock-trace`), when the request enabled tracing. */
  trace?: { guardrail: Record<string, unknown> };
}

const DEFAULT_BLOCKED = "Sorry, the model cannot answer this question.";

/**
 * Applies a guardrail's word policy to a request's input the way Bedrock
 * reports it: the text of `system` and of every message is searched for the
 * denied words; a match blocks the request, and the answer is the
 * guardrail's blocked-input message (the model is not invoked). With
 * `X-Amzn-Bedrock-Trace` `ENABLED` or `ENABLED_FULL` the assessment is
 * returned as `amazon-bedrock-trace`. Pure.
 *
 * @param guardrail The guardrail named by the request.
 * @param body The request body.
 * @param trace The request's `X-Amzn-Bedrock-Trace`, if any.
 * @returns The action, the blocked answer and the trace.
 *
 * @example
 * ```ts
 * import { applyGuardrail } from "./apply_guardrail.ts";
 * const g = { id: "g1", versions: ["1"], deniedWords: ["secret"] };
 * const out = applyGuardrail(g, { messages: [{ role: "user", content: "a secret" }] });
 * if (out.action !== "INTERVENED") throw new Error("unexpected");
 * ```
 */
export function applyGuardrail(
  guardrail: EmulatedGuardrail,
  body: Record<string, unknown>,
  trace?: string,
): GuardrailOutcome {
  const text = _texts(body.system).concat(
    ...(Array.isArray(body.messages)
      ? body.messages.map((m) => _texts((m as { content?: unknown })?.content))
      : []),
  ).join("\n").toLowerCase();
  const matches = guardrail.deniedWords.filter((w) => text.includes(w.toLowerCase()));
  const action = matches.length > 0 ? "INTERVENED" : "NONE";
  const out: GuardrailOutcome = { action };
  if (action === "INTERVENED") {
    out.blocked = textAnswer(guardrail.blockedInputMessaging ?? DEFAULT_BLOCKED, {
      usage: { input_tokens: 0, output_tokens: 0 },
    });
  }
  if (trace === "ENABLED" || trace === "ENABLED_FULL") {
    out.trace = {
      guardrail: {
        input: {
          [guardrail.id]: matches.length === 0 ? {} : {
            wordPolicy: { customWords: matches.map((match) => ({ match, action: "BLOCKED" })) },
          },
        },
      },
    };
  }
  return out;
}

function _texts(content: unknown): string[] {
  if (typeof content === "string") return [content];
  if (!Array.isArray(content)) return [];
  return content.flatMap((block) => {
    const b = block as { type?: unknown; text?: unknown };
    return b?.type === "text" && typeof b.text === "string" ? [b.text] : [];
  });
}
