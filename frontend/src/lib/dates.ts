// Dates: the backend speaks 'YYYY-MM-DD' (calendar dates) and RFC3339 (instants);
// people read dd/MM/yyyy. "Today" and the time of an instant are Vietnam's (UTC+7, no
// daylight saving, as the backend's rules), whatever the PC's own zone is set to: a PC left
// on UTC must not default a permit to yesterday. Calendar arithmetic is zone-free (UTC).

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/

/** The pattern naive-ui date pickers display and parse. */
export const DISPLAY_DATE_FORMAT = 'dd/MM/yyyy'
/** The pattern naive-ui date pickers emit as formatted value (sent to the backend). */
export const VALUE_DATE_FORMAT = 'yyyy-MM-dd'

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0')
}

/** Vietnam's offset from UTC in ms (Asia/Ho_Chi_Minh has had no DST since 1975). */
const VIETNAM_OFFSET_MS = 7 * 3600_000

/** The instant d as a Date whose UTC fields read Vietnam's wall clock. */
function vietnamClock(d: Date): Date {
  return new Date(d.getTime() + VIETNAM_OFFSET_MS)
}

/** Local calendar date of d (a date built from parts, e.g. by parseISODate) as 'YYYY-MM-DD'. */
export function toISODate(d: Date): string {
  return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

/** Parses 'YYYY-MM-DD' to a local Date at midnight, or null when not a real date. */
export function parseISODate(s: string): Date | null {
  const m = ISO_DATE.exec(s)
  if (!m) return null
  const y = Number(m[1])
  const mo = Number(m[2])
  const d = Number(m[3])
  const date = new Date(y, mo - 1, d)
  if (date.getFullYear() !== y || date.getMonth() !== mo - 1 || date.getDate() !== d) return null
  return date
}

/** Today's date in Vietnam as 'YYYY-MM-DD'. */
export function todayISO(now: Date = new Date()): string {
  const v = vietnamClock(now)
  return `${pad(v.getUTCFullYear(), 4)}-${pad(v.getUTCMonth() + 1)}-${pad(v.getUTCDate())}`
}

/** 'YYYY-MM-DD' plus n days (n may be negative). */
export function addDaysISO(iso: string, n: number): string {
  if (!parseISODate(iso)) return ''
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number]
  const u = new Date(Date.UTC(y, m - 1, d + n))
  return `${pad(u.getUTCFullYear(), 4)}-${pad(u.getUTCMonth() + 1)}-${pad(u.getUTCDate())}`
}

/**
 * dd/MM/yyyy for a calendar date ('YYYY-MM-DD') or an instant (RFC3339, shown in Vietnam
 * time). Empty or unparseable input gives ''.
 */
export function formatDate(value: string | null | undefined): string {
  if (!value) return ''
  const plain = parseISODate(value)
  if (plain) return `${pad(plain.getDate())}/${pad(plain.getMonth() + 1)}/${pad(plain.getFullYear(), 4)}`
  const d = new Date(value)
  if (Number.isNaN(d.getTime())) return ''
  const v = vietnamClock(d)
  return `${pad(v.getUTCDate())}/${pad(v.getUTCMonth() + 1)}/${pad(v.getUTCFullYear(), 4)}`
}

/** dd/MM/yyyy HH:mm in Vietnam time for an RFC3339 instant. */
export function formatDateTime(value: string | null | undefined): string {
  if (!value) return ''
  const d = new Date(value)
  if (Number.isNaN(d.getTime())) return ''
  const v = vietnamClock(d)
  return `${formatDate(value)} ${pad(v.getUTCHours())}:${pad(v.getUTCMinutes())}`
}

/** 'dd/MM/yyyy' (as typed by a person) to 'YYYY-MM-DD', or '' when not a real date. */
export function displayToISO(s: string): string {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s.trim())
  if (!m) return ''
  const iso = `${m[3]}-${pad(Number(m[2]))}-${pad(Number(m[1]))}`
  return parseISODate(iso) ? iso : ''
}

/** A validity window for display: 'dd/MM/yyyy – dd/MM/yyyy'. */
export function formatRange(from: string, to: string): string {
  const a = formatDate(from)
  const b = formatDate(to)
  if (!a && !b) return ''
  return `${a} – ${b}`
}
