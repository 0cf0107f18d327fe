// What a clerk types into a date field, read the ways people write dates here:
// "15031995", "150395"?, "15/3/1995", "15-03-1995", "15.3.1995", "1995-03-15". Pure.

export type TypedDate =
  | { kind: 'empty' }
  | { kind: 'date'; iso: string; display: string }
  /** Not a date at all (letters, wrong number of digits). */
  | { kind: 'format' }
  /** Looks like a date but no such day exists (31/02/1990, month 13). */
  | { kind: 'impossible'; day: number; month: number; year: number }

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0')
}

function daysIn(month: number, year: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate()
}

function build(day: number, month: number, year: number): TypedDate {
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > daysIn(month, year)) {
    return { kind: 'impossible', day, month, year }
  }
  return { kind: 'date', iso: `${pad(year, 4)}-${pad(month)}-${pad(day)}`, display: `${pad(day)}/${pad(month)}/${pad(year, 4)}` }
}

/** Reads a typed date (day first, as Vietnam writes it). */
export function parseTypedDate(raw: string): TypedDate {
  const s = raw.trim()
  if (s === '') return { kind: 'empty' }
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s) // ISO, as the backend and Excel write it
  if (m) return build(Number(m[3]), Number(m[2]), Number(m[1]))
  m = /^(\d{1,2})\s*[/.\- ]\s*(\d{1,2})\s*[/.\- ]\s*(\d{4})$/.exec(s)
  if (m) return build(Number(m[1]), Number(m[2]), Number(m[3]))
  m = /^(\d{2})(\d{2})(\d{4})$/.exec(s) // ddMMyyyy, as the ID card writes it
  if (m) return build(Number(m[1]), Number(m[2]), Number(m[3]))
  return { kind: 'format' }
}

/** 'YYYY-MM-DD' as dd/MM/yyyy for the field, '' for ''. */
export function isoToTyped(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso)
  return m ? `${m[3]}/${m[2]}/${m[1]}` : iso
}
