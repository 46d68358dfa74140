/** Calendar periods in the region's time zone (days start at local midnight, weeks on Monday). Pure. */

const DAY_MS = 86_400_000;

/** One formatter per time zone: building an Intl.DateTimeFormat costs far more than formatting with it. */
const formatters = new Map<string, Intl.DateTimeFormat>();
const formatterFor = (timeZone: string): Intl.DateTimeFormat => {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', weekday: 'short' });
    formatters.set(timeZone, f);
  }
  return f;
};

/** The local wall-clock parts of an instant in `timeZone`. */
export function localParts(at: Date, timeZone: string): { year: number; month: number; day: number; hour: number; minute: number; weekday: number } {
  const parts = formatterFor(timeZone).formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  return {
    year: Number(get('year')),
    month: Number(get('month')),
    day: Number(get('day')),
    hour: Number(get('hour')),
    minute: Number(get('minute')),
    weekday: weekdays.indexOf(get('weekday')), // 0 = Sunday
  };
}

/** Offset of `timeZone` from UTC at `at`, in ms (Asia/Krasnoyarsk: +7 h). */
function offsetMs(at: Date, timeZone: string): number {
  const p = localParts(at, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
  return asUtc - Math.floor(at.getTime() / 60_000) * 60_000;
}

/** The instant of local midnight of the calendar date y-m-d in `timeZone`. */
export function localMidnight(year: number, month: number, day: number, timeZone: string): Date {
  const guess = Date.UTC(year, month - 1, day);
  let t = guess - offsetMs(new Date(guess), timeZone);
  t = guess - offsetMs(new Date(t), timeZone); // second pass: the offset at the answer, not at the guess
  return new Date(t);
}

/** 'YYYY-MM-DD' of an instant in `timeZone`. */
export function localDate(at: Date, timeZone: string): string {
  const p = localParts(at, timeZone);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** Parses 'YYYY-MM-DD' into the instant of its local midnight; null when malformed. */
export function parseLocalDate(s: string, timeZone: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null;
  return localMidnight(y, mo, d, timeZone);
}

/** A half-open interval [from, to). */
export interface Period {
  from: Date;
  to: Date;
}

/** Today so far: from local midnight to the next one. */
export function today(now: Date, timeZone: string): Period {
  const p = localParts(now, timeZone);
  const from = localMidnight(p.year, p.month, p.day, timeZone);
  return { from, to: addLocalDays(from, 1, timeZone) };
}

/** This week: from Monday's local midnight to the next Monday's. */
export function thisWeek(now: Date, timeZone: string): Period {
  const p = localParts(now, timeZone);
  const back = (p.weekday + 6) % 7; // days since Monday
  const day = new Date(Date.UTC(p.year, p.month - 1, p.day) - back * DAY_MS);
  const from = localMidnight(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), timeZone);
  return { from, to: addLocalDays(from, 7, timeZone) };
}

/** The last `days` local days including today. */
export function lastDays(now: Date, days: number, timeZone: string): Period {
  const t = today(now, timeZone);
  return { from: addLocalDays(t.from, -(days - 1), timeZone), to: t.to };
}

/** Local midnight `n` calendar days after the local midnight `from`. */
export function addLocalDays(from: Date, n: number, timeZone: string): Date {
  const p = localParts(from, timeZone);
  const d = new Date(Date.UTC(p.year, p.month - 1, p.day) + n * DAY_MS);
  return localMidnight(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), timeZone);
}

/** 'DD.MM.YYYY HH:MM' in `timeZone`, as Russian officials write it. */
export function formatLocal(at: Date, timeZone: string, withTime = true): string {
  const p = localParts(at, timeZone);
  const date = `${String(p.day).padStart(2, '0')}.${String(p.month).padStart(2, '0')}.${p.year}`;
  return withTime ? `${date} ${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}` : date;
}
