import type { ModelPrice, TokenRates } from "../model_price.ts";
import { type EffectiveRules, effectiveRules, type PolicySubject } from "./effective_rules.ts";
import type { PolicyDocument } from "./policy_schema.ts";

/** A Bedrock id of the catalogue as the engine uses it. */
export interface CatalogueModel {
  /**
   * Every catalogue name listing the id (`models.<name>`), in file order: the
   * model is allowed when any of them is.
   */
  names: readonly string[];
  /** Price per million tokens (cache prices filled in; entries sharing an id agree, see `parsePolicy`). */
  price: ModelPrice;
}

/** A policy ready for the hot path: indexes built once per (re)load. */
export interface CompiledPolicy {
  /** The validated document. */
  readonly document: PolicyDocument;
  /**
   * The catalogue entries listing a Bedrock id, for the allowlist: only the
   * exact ids and ARNs the catalogue lists. An entry for `eu.anthropic.x` does
   * not cover `global.anthropic.x`, `us.anthropic.x` or `anthropic.x`: another
   * profile routes the request through other geographies (data residency).
   */
  modelOf(bedrockModelId: string): CatalogueModel | undefined;
  /**
   * The price of a Bedrock id, for costs and budgets of requests already
   * admitted: the exact id's, else that of the first entry listing another
   * profile of the same foundation model (the same model, priced alike).
   */
  priceOf(bedrockModelId: string): ModelPrice | undefined;
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
 * console.assert(policy.modelOf("us.anthropic.claude-sonnet-4-6")?.names[0] === "sonnet");
 * console.assert(policy.modelOf("eu.anthropic.claude-sonnet-4-6") === undefined);
 * console.assert(policy.priceOf("eu.anthropic.claude-sonnet-4-6")?.cacheRead === 0.3);
 * ```
 */
export function compilePolicy(document: PolicyDocument): CompiledPolicy {
  const exact = new Map<string, { names: string[]; price: ModelPrice }>();
  const foundation = new Map<string, ModelPrice>();
  for (const [name, m] of Object.entries(document.models)) {
    const price: ModelPrice = _rates(m.price);
    const long = m.price.long_context;
    if (long !== undefined) price.longContext = { aboveTokens: long.above_tokens, ..._rates(long) };
    const ids = typeof m.bedrock === "string" ? [m.bedrock] : Object.values(m.bedrock);
    for (const id of new Set(ids)) {
      const entry = exact.get(id);
      if (entry === undefined) exact.set(id, { names: [name], price });
      else entry.names.push(name);
      const base = id.replace(PROFILE, "");
      if (base.startsWith("anthropic.") && !foundation.has(base)) foundation.set(base, price);
    }
  }
  const cache = new Map<string, EffectiveRules>();
  return {
    document,
    modelOf(id) {
      return exact.get(id);
    },
    priceOf(id) {
      return exact.get(id)?.price ?? foundation.get(id.replace(PROFILE, ""));
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

/** A tier's rates per million tokens, the cache rates defaulting to multiples of its input rate. */
function _rates(
  p: {
    input: number;
    output: number;
    cache_read?: number;
    cache_write?: number;
    cache_write_1h?: number;
  },
): TokenRates {
  return {
    input: p.input,
    output: p.output,
    cacheRead: p.cache_read ?? p.input * 0.1,
    cacheWrite: p.cache_write ?? p.input * 1.25,
    cacheWrite1h: p.cache_write_1h ?? p.input * 2,
  };
}
