// Dates: the backend speaks 'YYYY-MM-DD' (calendar dates) and RFC3339 (instants);
// people read dd/MM/yyyy. All calendar arithmetic is done on local dates.

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/

/** The pattern naive-ui date pickers display and parse. */
export const DISPLAY_DATE_FORMAT = 'dd/MM/yyyy'
/** The pattern naive-ui date pickers emit as formatted value (sent to the backend). */
export const VALUE_DATE_FORMAT = 'yyyy-MM-dd'

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0')
}

/** Local calendar date of d as 'YYYY-MM-DD'. */
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

/** Today's local date as 'YYYY-MM-DD'. */
export function todayISO(now: Date = new Date()): string {
  return toISODate(now)
}

/** 'YYYY-MM-DD' plus n days (n may be negative). */
export function addDaysISO(iso: string, n: number): string {
  const d = parseISODate(iso)
  if (!d) return ''
  d.setDate(d.getDate() + n)
  return toISODate(d)
}

/**
 * dd/MM/yyyy for a calendar date ('YYYY-MM-DD') or an instant (RFC3339, shown in local
 * time). Empty or unparseable input gives ''.
 */
export function formatDate(value: string | null | undefined): string {
  if (!value) return ''
  const plain = parseISODate(value)
  const d = plain ?? new Date(value)
  if (Number.isNaN(d.getTime())) return ''
  return `${pad(d.getDate())}/${pad(d.getMonth() + 1)}/${pad(d.getFullYear(), 4)}`
}

/** dd/MM/yyyy HH:mm in local time for an RFC3339 instant. */
export function formatDateTime(value: string | null | undefined): string {
  if (!value) return ''
  const d = new Date(value)
  if (Number.isNaN(d.getTime())) return ''
  return `${formatDate(value)} ${pad(d.getHours())}:${pad(d.getMinutes())}`
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
