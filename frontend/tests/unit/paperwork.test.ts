import { describe, expect, it } from 'vitest'
import { chartBuckets, defaultPeriod, faultyRows, importPercent, parseUnitCodes, sortedProblems } from '@/lib/paperwork'
import type { BackfillProblem } from '@/api'

const p = (row: number, column: string): BackfillProblem => ({ row, column, field: '', header: '', code: '', vi: '', en: '' })

describe('paperwork helpers', () => {
  it('opens on the last 30 days', () => {
    expect(defaultPeriod(new Date(2026, 2, 1))).toEqual({ from: '2026-01-31', to: '2026-03-01' })
  })
  it('folds the smallest buckets into one', () => {
    const b = [5, 4, 3, 2, 1].map((n) => ({ key: `u${n}`, label: `U${n}`, count: n }))
    expect(chartBuckets(b, 3, 'Khác')).toEqual([b[0], b[1], { key: '_other', label: 'Khác', count: 6 }])
    expect(chartBuckets(b, 5, 'Khác')).toEqual(b)
    expect(chartBuckets(null, 5, 'Khác')).toEqual([])
  })
  it('shows reading then saving on one bar', () => {
    expect(importPercent({ phase: 'reading', done: 500, total: 1000, finished: false, commit: false })).toBe(50)
    expect(importPercent({ phase: 'reading', done: 500, total: 1000, finished: false, commit: true })).toBe(25)
    expect(importPercent({ phase: 'saving', done: 500, total: 1000, finished: false, commit: true })).toBe(75)
    expect(importPercent({ phase: 'reading', done: 10, total: 0, finished: false, commit: true })).toBe(0)
    expect(importPercent({ phase: 'done', done: 0, total: 0, finished: true, commit: true })).toBe(100)
  })
  it('orders problems by row and column', () => {
    const got = sortedProblems([p(7, 'AA'), p(3, 'M'), p(7, 'B'), p(3, 'C')])
    expect(got.map((x) => `${x.row}${x.column}`)).toEqual(['3C', '3M', '7B', '7AA'])
    expect(faultyRows(got)).toBe(2)
  })
  it('reads unit codes however they are separated', () => {
    expect(parseUnitCodes(' 28261, 28264;28267  30 ')).toEqual(['28261', '28264', '28267', '30'])
    expect(parseUnitCodes('')).toEqual([])
  })
})
