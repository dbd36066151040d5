// The Wise class id as it arrives in paths.
import { WiseId } from "../platform/identity.ts";

/** Class ids come from Wise and end up in paths and keys: safe characters only, no "..". */
export const ClassId = WiseId.refine((s) => !s.includes(".."), "must not contain ..");
