/**
 * The settings production requires (`CCGATE_ENV=production`): an AWS region,
 * an Entra tenant with its client ids and an https issuer, with a free port
 * and no colours, for the tests that start a production entry point. Add a
 * `CCGATE_KV_PATH`.
 */
export const PRODUCTION_ENV: Readonly<Record<string, string>> = {
  CCGATE_ENV: "production",
  PORT: "0",
  AWS_REGION: "us-east-1",
  ENTRA_TENANT_ID: "11111111-1111-1111-1111-111111111111",
  ENTRA_CLIENT_ID: "22222222-2222-2222-2222-222222222222",
  ENTRA_ALLOWED_CLIENT_IDS: "33333333-3333-3333-3333-333333333333",
  CCGATE_ISSUER: "https://ccgate.example.com",
  NO_COLOR: "1",
};
