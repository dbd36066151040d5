// Fault rules set through POST /__emulator/faults: they replace or damage the answer of one
// operation (optionally for one account) a given number of times.
import type { Core } from "./core.ts";
import type { Fault } from "./db.ts";
import { type FaultEffect, json, type WireResponse } from "./http.ts";
import { newOpaque } from "./ids.ts";

export interface FaultInput {
  operation?: unknown;
  accountId?: unknown;
  times?: unknown;
  status?: unknown;
  zoomCode?: unknown;
  message?: unknown;
  body?: unknown;
  delayMs?: unknown;
  dropAfterBytes?: unknown;
  html200?: unknown;
  truncateBody?: unknown;
  xml?: unknown;
  headers?: unknown;
}

const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

export function addFault(core: Core, input: FaultInput): Fault {
  if (typeof input.operation !== "string" || !input.operation) throw new Error("operation is required");
  const times = num(input.times) ?? 1;
  const fault: Fault = {
    id: `flt_${newOpaque(9)}`,
    operation: input.operation,
    accountId: typeof input.accountId === "string" ? input.accountId : undefined,
    remaining: times === 0 ? -1 : times,
    status: num(input.status),
    zoomCode: num(input.zoomCode),
    message: typeof input.message === "string" ? input.message : undefined,
    body: input.body,
    delayMs: num(input.delayMs),
    dropAfterBytes: num(input.dropAfterBytes),
    html200: input.html200 === true,
    truncateBody: num(input.truncateBody),
    xml: input.xml === true,
    headers:
      input.headers && typeof input.headers === "object"
        ? (input.headers as Record<string, string>)
        : undefined,
  };
  core.db.putFault(fault);
  return fault;
}

/** Finds the first rule for this operation and account and uses up one application of it. */
export function takeFault(core: Core, operation: string, accountId: string | undefined): Fault | undefined {
  const fault = core.db
    .faults()
    .find((f) => f.operation === operation && (!f.accountId || f.accountId === accountId));
  if (!fault) return undefined;
  if (fault.remaining === 1) core.db.deleteFault(fault.id);
  else if (fault.remaining > 1) core.db.putFault({ ...fault, remaining: fault.remaining - 1 });
  return fault;
}

/** The answer that replaces the real one, when the rule defines one. */
export function replacement(fault: Fault): WireResponse | undefined {
  if (fault.xml) {
    // Zoom has been seen answering its token endpoint in XML.
    return {
      status: fault.status ?? 200,
      headers: { "content-type": "application/xml;charset=UTF-8" },
      body: `<?xml version="1.0" encoding="UTF-8"?><result><error>server_error</error><reason>${fault.message ?? "Internal error"}</reason></result>`,
    };
  }
  if (fault.html200) {
    // A login or maintenance page with status 200: the failure a download must detect by its bytes.
    return {
      status: 200,
      headers: { "content-type": "text/html;charset=utf-8" },
      body: "<!doctype html><html><head><title>Zoom</title></head><body><h1>Sign In</h1><p>Please sign in to continue.</p></body></html>",
    };
  }
  if (fault.status === undefined && fault.body === undefined && fault.zoomCode === undefined)
    return undefined;
  const status = fault.status ?? 500;
  if (typeof fault.body === "string") {
    return { status, headers: { "content-type": "application/json;charset=UTF-8" }, body: fault.body };
  }
  if (fault.body !== undefined) return json(status, fault.body);
  return json(status, { code: fault.zoomCode ?? status, message: fault.message ?? "Internal Error" });
}

export function effectOf(fault: Fault | undefined): FaultEffect | undefined {
  if (!fault) return undefined;
  const effect: FaultEffect = {};
  if (fault.delayMs) effect.delayMs = fault.delayMs;
  if (fault.dropAfterBytes !== undefined) effect.dropAfterBytes = fault.dropAfterBytes;
  if (fault.truncateBody !== undefined) effect.truncateBody = fault.truncateBody;
  if (fault.headers) effect.headers = fault.headers;
  return Object.keys(effect).length ? effect : undefined;
}

/** Runs an operation under its fault rule: replaced answers skip the operation entirely. */
export async function withFault(
  core: Core,
  operation: string,
  accountId: string | undefined,
  run: () => Promise<WireResponse> | WireResponse,
): Promise<WireResponse> {
  const fault = takeFault(core, operation, accountId);
  const replaced = fault ? replacement(fault) : undefined;
  const response = replaced ?? (await run());
  const effect = effectOf(fault);
  if (replaced && fault?.headers) replaced.headers = { ...replaced.headers, ...fault.headers };
  return effect ? { ...response, effect } : response;
}
