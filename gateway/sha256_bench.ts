import { createHash } from "node:crypto";
import { sha256 } from "./sha256.ts";

// An access token is about 1 KB.
const token = "eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIn0." + "x".repeat(900) + ".signature";

Deno.bench("sha256() of a 1 KB token, base64url", () => {
  sha256(token).toBase64({ alphabet: "base64url", omitPadding: true });
});

Deno.bench("baseline: node:crypto createHash of the same token", { baseline: true }, () => {
  createHash("sha256").update(token).digest("base64url");
});
