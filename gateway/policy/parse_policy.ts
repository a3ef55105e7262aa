import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { PolicyFileError } from "../errors.ts";
import { formatKeyPath } from "./format_key_path.ts";
import { type PolicyDocument, policySchema } from "./policy_schema.ts";
import { sharedIdConflict } from "./shared_id_conflict.ts";

/**
 * Parses and validates a policy file's text (YAML, which includes JSON).
 * Every error names the file and the bad key path, e.g.
 * `policy.yaml: groups.eng.budgets.daily_usd: Expected number, received string`;
 * model names in `models` lists must exist in the catalogue, and catalogue
 * entries listing the same Bedrock id must agree on its price and regional ids.
 *
 * @param text The file's content.
 * @param name The file name used in messages.
 * @returns The validated policy.
 * @throws {PolicyFileError} Naming the file, the key path and the problem.
 *
 * @example
 * ```ts
 * import { parsePolicy } from "./parse_policy.ts";
 * const policy = parsePolicy(
 *   "models:\n  sonnet:\n    bedrock: us.anthropic.claude-sonnet-4-6\n    price: { input: 3, output: 15 }\n",
 *   "policy.yaml",
 * );
 * console.assert(Object.keys(policy.models)[0] === "sonnet");
 * ```
 */
export function parsePolicy(text: string, name: string): PolicyDocument {
  let raw: unknown;
  try {
    raw = parseYaml(text, { prettyErrors: false, uniqueKeys: true });
  } catch (err) {
    const detail = err instanceof Error ? err.message.split("\n")[0] : String(err);
    throw new PolicyFileError(`${name}: Cannot parse the file: ${detail}`);
  }
  const result = policySchema.safeParse(raw ?? {});
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new PolicyFileError(`${name}: ${_issuePath(issue)}: ${_issueMessage(issue)}`);
  }
  const policy = result.data;
  const conflict = sharedIdConflict(policy.models);
  if (conflict !== undefined) {
    throw new PolicyFileError(`${name}: ${conflict.path}: ${conflict.message}`);
  }
  const known = new Set(Object.keys(policy.models));
  const sections = [
    ["defaults", { _: policy.defaults }],
    ["roles", policy.roles],
    ["groups", policy.groups],
    ["users", policy.users],
  ] as const;
  for (const [section, entries] of sections) {
    for (const [key, rules] of Object.entries(entries ?? {})) {
      (rules?.models ?? []).forEach((m, i) => {
        if (m === "*" || known.has(m)) return;
        const path = section === "defaults"
          ? ["defaults", "models", i]
          : [section, key, "models", i];
        throw new PolicyFileError(
          `${name}: ${formatKeyPath(path)}: Unknown model ${JSON.stringify(m)} (not in models)`,
        );
      });
    }
  }
  return policy;
}

function _issuePath(issue: z.core.$ZodIssue): string {
  const path = [...issue.path];
  if (issue.code === "unrecognized_keys" && issue.keys.length > 0) path.push(issue.keys[0]!);
  return path.length === 0 ? "(top level)" : formatKeyPath(path);
}

function _issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") return "Unknown key";
  if (issue.code === "invalid_type") {
    const m = /expected (\S+), received (\S+)/.exec(issue.message);
    return m ? `Expected ${m[1]}, received ${m[2]}` : `Expected ${issue.expected}`;
  }
  if (issue.code === "invalid_union") {
    return "Expected a model id, or an object of region: model id";
  }
  return issue.message.replace(/^Invalid input: /, "");
}
