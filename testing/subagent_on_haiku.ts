/**
 * The Bedrock emulator's answer that has the real Claude Code start a
 * subagent on `haiku` (its Agent tool, in the foreground): what the
 * subagent end-to-end tests of both Claude Code modes enqueue first.
 *
 * @module
 */
import { toolUseAnswer } from "@ccgate/emulators";

/** The emulator's answer calling Claude Code's Agent tool with `model: "haiku"`. */
export function subagentOnHaiku(): ReturnType<typeof toolUseAnswer> {
  return toolUseAnswer({
    name: "Agent",
    input: {
      description: "Look around",
      prompt: "List the files",
      subagent_type: "general-purpose",
      model: "haiku",
      run_in_background: false,
    },
  });
}
