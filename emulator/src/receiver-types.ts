// What the event receiver (receiver.ts) keeps per endpoint and per delivery; stored by the state
// object (state.ts), so the types sit below both.
export type ReceiverMode = "ok" | "fail" | "gone" | "redirect" | "slow" | "down";

export interface ReceiverConfig {
  /** whsec_... secrets; a delivery verifies when any of them matches one of its signatures. */
  secrets: string[];
  mode: ReceiverMode;
  /** For "slow": how long to wait before answering 200. */
  delayMs?: number;
}

export interface ReceivedDelivery {
  seq: number;
  endpoint: string;
  webhookId: string | null;
  timestamp: string | null;
  signature: string | null;
  /** How many of the configured secrets verify the delivery (0: not verified). */
  verifiedSecrets: number;
  type: string | null;
  body: string;
  answeredStatus: number;
  receivedAt: number;
}
