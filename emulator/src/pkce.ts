// PKCE (RFC 7636) check for the S256 method; "plain" is refused at the authorize step.
import { sha256Base64url } from "./ids.ts";

export async function verifyS256(verifier: string, challenge: string): Promise<boolean> {
  // RFC 7636 section 4.1: 43 to 128 characters of the unreserved set.
  if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier)) return false;
  return (await sha256Base64url(verifier)) === challenge;
}
