/**
 * The model catalogue of the policy tests that need two models at two
 * prices: Sonnet ($3 / $15 per million tokens) and Haiku ($1 / $5). A test
 * appends its own rules (`defaults:`, `groups:`...) after it.
 *
 * @module
 */

/** Sonnet's Anthropic model id in the catalogue. */
export const SONNET = "claude-sonnet-4-5-20250929";
/** Haiku's Anthropic model id in the catalogue. */
export const HAIKU = "claude-haiku-4-5-20251001";

/** The `models:` section: both models with their Bedrock ids and prices. */
export const TWO_MODEL_CATALOGUE = `models:
  ${SONNET}:
    bedrock: us.anthropic.claude-sonnet-4-5-20250929-v1:0
    price: { input: 3, output: 15 }
  ${HAIKU}:
    bedrock: us.anthropic.claude-haiku-4-5-20251001-v1:0
    price: { input: 1, output: 5 }
`;
