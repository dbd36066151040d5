// Date windows for listing recordings: Zoom answers at most one month per call, so a look-back is
// cut into month-long windows that overlap by a day (dates are in the account's time zone at
// Zoom, in UTC here: the overlap keeps a recording near midnight from falling between two).

const DAY_MS = 86_400_000;

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function addMonth(ms: number): number {
  const d = new Date(ms);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + 1);
  const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, lastDay));
  return d.getTime();
}

/** Windows `{from, to}` (inclusive YYYY-MM-DD) covering the last `days` days up to `now`. */
export function listingWindows(now: number, days: number): { from: string; to: string }[] {
  const today = Date.parse(`${isoDate(now)}T00:00:00Z`);
  let from = today - days * DAY_MS;
  const windows: { from: string; to: string }[] = [];
  for (;;) {
    const to = Math.min(addMonth(from), today);
    windows.push({ from: isoDate(from), to: isoDate(to) });
    if (to >= today) return windows;
    from = to - DAY_MS;
  }
}
