/** A user's effective policy and usage, as `PolicyEngine.describe` reports it. */
export interface EffectivePolicy {
  /** Allowed catalogue model names, or `all`. */
  models: string[] | "all";
  /** The rules that set `models`. */
  model_rules: string[];
  /** The `max_tokens` limit, or `null`. */
  max_tokens: { limit: number; rule: string; mode: "cap" | "refuse" } | null;
  /** Requests-per-minute limits and the sliding minute's count (as this instance knows it). */
  requests_per_minute: { scope: string; limit: number; rule: string; used: number }[];
  /** Input-tokens-per-minute limits and the sliding minute's count of input tokens. */
  tokens_per_minute: { scope: string; limit: number; rule: string; used: number }[];
  /** In-flight limits and the current count. */
  concurrent_streams: { scope: string; limit: number; rule: string; in_flight: number }[];
  /** Budgets with what is spent and reserved in the current window (dollars or tokens). */
  budgets: {
    scope: string;
    period: "daily" | "monthly";
    unit: "usd" | "tokens";
    window: string;
    limit: number;
    rule: string;
    spent: number;
    reserved: number;
  }[];
}
