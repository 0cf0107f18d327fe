import { describe, expect, it } from 'vitest'
import { addDaysISO, displayToISO, formatDate, formatDateTime, formatRange, parseISODate, toISODate, todayISO } from '../../src/lib/dates'

describe('dates', () => {
  it('shows calendar dates as dd/MM/yyyy', () => {
    expect(formatDate('1995-03-15')).toBe('15/03/1995')
    expect(formatDate('2025-12-01')).toBe('01/12/2025')
    expect(formatDate('')).toBe('')
    expect(formatDate(null)).toBe('')
    expect(formatDate('not a date')).toBe('')
  })

  it('shows instants in Vietnam time, whatever the zone of the PC', () => {
    expect(formatDate('2025-01-01T17:05:00Z')).toBe('02/01/2025')
    expect(formatDateTime('2025-01-01T17:05:00Z')).toBe('02/01/2025 00:05')
    expect(formatDateTime('2025-01-02T07:05:00+07:00')).toBe('02/01/2025 07:05')
    expect(formatDateTime(undefined)).toBe('')
  })

  it('does calendar arithmetic across months and years', () => {
    expect(addDaysISO('2025-01-31', 1)).toBe('2025-02-01')
    expect(addDaysISO('2024-02-28', 1)).toBe('2024-02-29')
    expect(addDaysISO('2025-12-31', 6)).toBe('2026-01-06')
    expect(addDaysISO('2025-03-01', -1)).toBe('2025-02-28')
    expect(addDaysISO('garbage', 1)).toBe('')
  })

  it('parses only real dates', () => {
    expect(parseISODate('2025-02-29')).toBeNull()
    expect(parseISODate('2024-02-29')?.getDate()).toBe(29)
    expect(displayToISO('15/03/1995')).toBe('1995-03-15')
    expect(displayToISO('5/3/1995')).toBe('1995-03-05')
    expect(displayToISO('31/02/2020')).toBe('')
    expect(displayToISO('1995-03-15')).toBe('')
  })

  it("gives Vietnam's today as YYYY-MM-DD and round-trips", () => {
    // 23:59 and 00:00 in Vietnam are 16:59 and 17:00 UTC.
    expect(todayISO(new Date(Date.UTC(2025, 5, 9, 16, 59)))).toBe('2025-06-09')
    expect(todayISO(new Date(Date.UTC(2025, 5, 9, 17, 0)))).toBe('2025-06-10')
    expect(toISODate(parseISODate('2000-01-01')!)).toBe('2000-01-01')
  })

  it('formats a validity window', () => {
    expect(formatRange('2025-06-01', '2025-06-07')).toBe('01/06/2025 – 07/06/2025')
    expect(formatRange('', '')).toBe('')
  })
})
