import type { ModelPrice } from "../model_price.ts";
import { type EffectiveRules, effectiveRules, type PolicySubject } from "./effective_rules.ts";
import type { PolicyDocument } from "./policy_schema.ts";

/** A catalogue model as the engine uses it. */
export interface CatalogueModel {
  /** Its name in the policy (`models.<name>`). */
  name: string;
  /** Price per million tokens (cache prices filled in). */
  price: ModelPrice;
}

/** A policy ready for the hot path: indexes built once per (re)load. */
export interface CompiledPolicy {
  /** The validated document. */
  readonly document: PolicyDocument;
  /**
   * The catalogue model a Bedrock id belongs to: exact ids and ARNs, and
   * cross-region profile ids matched on their foundation model (a policy
   * entry `us.anthropic.x` also covers `eu.anthropic.x` and `anthropic.x`).
   */
  modelOf(bedrockModelId: string): CatalogueModel | undefined;
  /** Model name → Bedrock id in `region` (for model resolution). */
  aliases(region: string): Record<string, string>;
  /** The effective rules of a user (cached per claims object). */
  rulesFor(subject: PolicySubject): EffectiveRules;
}

const PROFILE = /^(?:us|eu|apac|jp|au|ca|us-gov|global)\./;
/** Bounded: subjects come from tokens; at most this many distinct claim sets are cached. */
const MAX_CACHED = 10_000;

/**
 * Builds the hot-path indexes of a policy. Pure.
 *
 * @param document The validated policy.
 * @returns The compiled policy.
 *
 * @example
 * ```ts
 * import { compilePolicy } from "./compile_policy.ts";
 * const policy = compilePolicy({
 *   models: { sonnet: { bedrock: "us.anthropic.claude-sonnet-4-6", price: { input: 3, output: 15 } } },
 * });
 * console.assert(policy.modelOf("eu.anthropic.claude-sonnet-4-6")?.name === "sonnet");
 * console.assert(policy.modelOf("eu.anthropic.claude-sonnet-4-6")?.price.cacheRead === 0.3);
 * ```
 */
export function compilePolicy(document: PolicyDocument): CompiledPolicy {
  const exact = new Map<string, CatalogueModel>();
  const foundation = new Map<string, CatalogueModel>();
  for (const [name, m] of Object.entries(document.models)) {
    const entry: CatalogueModel = {
      name,
      price: {
        input: m.price.input,
        output: m.price.output,
        cacheRead: m.price.cache_read ?? m.price.input * 0.1,
        cacheWrite: m.price.cache_write ?? m.price.input * 1.25,
      },
    };
    const ids = typeof m.bedrock === "string" ? [m.bedrock] : Object.values(m.bedrock);
    for (const id of ids) {
      if (!exact.has(id)) exact.set(id, entry);
      const base = id.replace(PROFILE, "");
      if (base.startsWith("anthropic.") && !foundation.has(base)) foundation.set(base, entry);
    }
  }
  const cache = new Map<string, EffectiveRules>();
  return {
    document,
    modelOf(id) {
      return exact.get(id) ?? foundation.get(id.replace(PROFILE, ""));
    },
    aliases(region) {
      const out: Record<string, string> = {};
      for (const [name, m] of Object.entries(document.models)) {
        const id = typeof m.bedrock === "string" ? m.bedrock : m.bedrock[region];
        if (id !== undefined) out[name] = id;
      }
      return out;
    },
    rulesFor(subject) {
      const key = JSON.stringify([subject.sub, subject.roles, subject.groups]);
      let rules = cache.get(key);
      if (rules === undefined) {
        rules = effectiveRules(document, subject);
        if (cache.size >= MAX_CACHED) cache.clear();
        cache.set(key, rules);
      }
      return rules;
    },
  };
}
