import { z } from "zod";

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

const positiveInt = z.number().int().positive();
/** A limit: a positive number, or `null` for "no limit" (overrides a default). */
const usdLimit = z.number().positive().nullable().optional();
const tokenLimit = positiveInt.nullable().optional();
const countLimit = positiveInt.nullable().optional();

/**
 * A model's long-context tier: a request whose prompt (input, cache-read and
 * cache-write tokens together, as Bedrock reports them) is above
 * `above_tokens` has every token charged at these rates.
 */
const longContext = z.strictObject({
  /** Prompt tokens still charged at the base rates (Sonnet 4 and 4.5 with the 1M window: 200000). */
  above_tokens: positiveInt,
  /** US dollars per million uncached input tokens of a long request. */
  input: z.number().nonnegative(),
  /** US dollars per million output tokens of a long request. */
  output: z.number().nonnegative(),
  /** US dollars per million tokens read from the prompt cache. @default long_context.input × 0.1 */
  cache_read: z.number().nonnegative().optional(),
  /** US dollars per million tokens written to the 5-minute prompt cache. @default long_context.input × 1.25 */
  cache_write: z.number().nonnegative().optional(),
  /** US dollars per million tokens written to the 1-hour prompt cache. @default long_context.input × 2 */
  cache_write_1h: z.number().nonnegative().optional(),
});

const price = z.strictObject({
  /** US dollars per million uncached input tokens. */
  input: z.number().nonnegative(),
  /** US dollars per million output tokens. */
  output: z.number().nonnegative(),
  /** US dollars per million tokens read from the prompt cache. @default input × 0.1 */
  cache_read: z.number().nonnegative().optional(),
  /** US dollars per million tokens written to the 5-minute prompt cache. @default input × 1.25 */
  cache_write: z.number().nonnegative().optional(),
  /**
   * US dollars per million tokens written to the 1-hour prompt cache
   * (`cache_control.ttl: "1h"`, Claude Code's `ENABLE_PROMPT_CACHING_1H`). @default input × 2
   */
  cache_write_1h: z.number().nonnegative().optional(),
  /**
   * Rates for requests with long prompts, when the model has them (every
   * token of a request past `above_tokens` prompt tokens). Absent: one rate
   * whatever the prompt's length.
   */
  long_context: longContext.optional(),
}).superRefine((p, ctx) => {
  // A long-context tier is a premium: a rate below the base one is a typo (or a per-1K price).
  for (const key of ["input", "output"] as const) {
    const long = p.long_context?.[key];
    if (long !== undefined && long < p[key]) {
      ctx.addIssue({
        code: "custom",
        path: ["long_context", key],
        message: `Expected at least the base ${key} rate, ${p[key]}`,
      });
    }
  }
});

const model = z.strictObject({
  /**
   * The Bedrock model id, inference profile id or ARN: one for every region,
   * or one per region (`{"us-east-1": "us.anthropic...", "eu-west-1": "eu.anthropic..."}`).
   */
  bedrock: z.union([
    z.string().min(1),
    z.record(z.string().regex(REGION, "Expected an AWS region like us-east-1"), z.string().min(1))
      .refine((r) => Object.keys(r).length > 0, "Expected at least one region"),
  ]),
  /** Price per million tokens. */
  price,
});

const budgets = z.strictObject({
  /** US dollars per UTC day. */
  daily_usd: usdLimit,
  /** US dollars per UTC calendar month. */
  monthly_usd: usdLimit,
  /** Tokens (input + output + cache read + cache write) per UTC day. */
  daily_tokens: tokenLimit,
  /** Tokens per UTC calendar month. */
  monthly_tokens: tokenLimit,
});

/** Per-user rules, as `defaults`, a role, a group or a user states them. */
const rules = z.strictObject({
  /** Policy model names this rule allows, or `["*"]` for all of them. */
  models: z.array(z.string().min(1)).optional(),
  /** Largest `max_tokens` of one request. */
  max_tokens: countLimit,
  /** Over `max_tokens`: `cap` lowers it (header `x-ccgate-max-tokens-capped`), `refuse` answers 400. @default "refuse" */
  max_tokens_mode: z.enum(["cap", "refuse"]).optional(),
  /** Model requests per minute, per user. */
  requests_per_minute: countLimit,
  /**
   * Input tokens per minute, per user: each request's prompt (input, cache read and cache
   * write) as estimated at admission, plus what Bedrock reports above the estimate.
   */
  tokens_per_minute: tokenLimit,
  /** Model requests in flight at once (streamed or not), per user. */
  concurrent_streams: countLimit,
  /** Spending limits, per user. */
  budgets: budgets.optional(),
});

/** Limits shared by every member of a group together. */
const pool = z.strictObject({
  requests_per_minute: countLimit,
  tokens_per_minute: tokenLimit,
  concurrent_streams: countLimit,
  budgets: budgets.optional(),
});

const group = rules.extend({
  /** Limits on the whole group (every member's requests added up). */
  pool: pool.optional(),
});

/**
 * The policy file (`CCGATE_POLICY`, JSON or YAML), as zod validates it.
 * Unknown keys are errors, so a typo never silently turns a limit off.
 */
export const policySchema = z.strictObject({
  /** Format version. @default 1 */
  version: z.literal(1).optional(),
  /** The model catalogue: name → Bedrock id(s) and price. Requests for other models are refused. */
  models: z.record(z.string().min(1), model).refine(
    (m) => Object.keys(m).length > 0,
    "Expected at least one model",
  ),
  /** Rules for everyone, where no role, group or user rule says otherwise. */
  defaults: rules.optional(),
  /** Rules per app role (the token's `roles` claim). */
  roles: z.record(z.string().min(1), rules).optional(),
  /** Rules per group (the token's `groups` claim), with optional pooled limits. */
  groups: z.record(z.string().min(1), group).optional(),
  /** Rules per user (the token's `sub`), winning over roles, groups and defaults. */
  users: z.record(z.string().min(1), rules).optional(),
});

/** A policy file's content, validated. */
export type PolicyDocument = z.infer<typeof policySchema>;
/** Per-user rules of `defaults`, a role, a group or a user. */
export type PolicyRules = z.infer<typeof rules>;
/** Pooled group limits. */
export type PolicyPool = z.infer<typeof pool>;
/** Budgets of a rule or a pool. */
export type PolicyBudgets = z.infer<typeof budgets>;
/** One model of the catalogue. */
export type PolicyModel = z.infer<typeof model>;
