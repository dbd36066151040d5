// The per-IP budget of refused link clicks (JOIN_RATE_LIMITER). Only refusals are charged: a valid
// link cannot be forged, and a leaked one is limited per link by its class's roster object.
import { tooManyPage } from "./pages/link-clicks.ts";

/**
 * Charges a refused click to the client's address (generous: a school may sit behind one NAT
 * address). Past the limit the answer becomes a 429 page.
 */
export async function charged(request: Request, env: Env, refused: Response): Promise<Response> {
  const limiter = env.JOIN_RATE_LIMITER;
  if (!limiter) return refused;
  const { success } = await limiter.limit({ key: request.headers.get("cf-connecting-ip") ?? "unknown" });
  if (success) return refused;
  await refused.body?.cancel();
  return tooManyPage("Too many link openings from your network. Wait a minute and try again.");
}
