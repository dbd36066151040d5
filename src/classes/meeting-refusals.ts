// Zoom's refusals of meeting calls, as failures the caller can act on, and the tests the meeting
// lifecycle uses to tell a meeting gone or an outcome unknown.
import { Conflict, conflict, InvalidInput, LimitReached } from "../platform/errors.ts";
import { ZoomApiError, ZoomRateLimited, ZoomResponseInvalid, ZoomUnavailable } from "../zoom/errors.ts";

/** Zoom refusals of meeting calls, as failures the caller can act on. */
export function meetingRefusal(err: unknown): unknown {
  if (err instanceof ZoomRateLimited && err.kind === "Daily-limit") {
    const retryAt = new Date(Date.now() + err.retryAfterSeconds * 1000).toISOString();
    return new LimitReached(
      "meeting_write_limit",
      `Zoom allows 100 meeting creates or updates per host per day; retry after ${retryAt}`,
      {
        title: "Daily meeting limit reached",
        extras: { retryAfterSeconds: err.retryAfterSeconds, retryAt },
        retryAfterSeconds: err.retryAfterSeconds,
      },
    );
  }
  if (!(err instanceof ZoomApiError)) return err;
  if (err.zoomCode === 300 || err.status === 400) {
    return new InvalidInput(err.zoomMessage, { code: "zoom_validation", title: "Zoom refused the meeting" });
  }
  if (err.zoomCode === 1001) {
    return conflict("zoom_user_gone", "The teacher's Zoom user no longer exists; run a teacher sync");
  }
  if (err.zoomCode === 3001) {
    return new Conflict("zoom_meeting_gone", "The Zoom meeting was deleted in Zoom");
  }
  return err;
}

export const isMeetingGone = (err: unknown) => err instanceof ZoomApiError && err.zoomCode === 3001;
/** Failures after which Zoom may or may not have acted. */
export const isUncertain = (err: unknown) =>
  err instanceof ZoomUnavailable || err instanceof ZoomResponseInvalid;
