import { describe, expect, it } from "vitest";
import { encodeMeetingUuid, parseZoomJson } from "./client.ts";

describe("parseZoomJson", () => {
  it("keeps int64 ids beyond 2^53 exact as strings and leaves small numbers alone", () => {
    const parsed = parseZoomJson('{"id": 98765432109876543, "duration": 45, "size": 1.5}') as Record<
      string,
      unknown
    >;
    expect(parsed).toEqual({ id: "98765432109876543", duration: 45, size: 1.5 });
  });
});

describe("encodeMeetingUuid", () => {
  it("double-encodes UUIDs that start with / or contain //, as Zoom requires", () => {
    expect(encodeMeetingUuid("abc+def==")).toBe("abc%2Bdef%3D%3D");
    expect(encodeMeetingUuid("/abc==")).toBe("%252Fabc%253D%253D");
    expect(encodeMeetingUuid("ab//cd==")).toBe("ab%252F%252Fcd%253D%253D");
  });
});
