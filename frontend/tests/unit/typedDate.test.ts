import { describe, expect, it } from 'vitest'
import { isoToTyped, parseTypedDate } from '../../src/lib/typedDate'

describe('parseTypedDate', () => {
  it.each([
    ['15031995', '1995-03-15'],
    ['15/3/1995', '1995-03-15'],
    ['15-03-1995', '1995-03-15'],
    ['15.03.1995', '1995-03-15'],
    [' 5/3/1995 ', '1995-03-05'],
    ['15 / 03 / 1995', '1995-03-15'],
    ['1995-03-15', '1995-03-15'],
    ['29/02/2024', '2024-02-29'],
    ['31122026', '2026-12-31'],
  ])('reads %s', (typed, iso) => {
    const r = parseTypedDate(typed)
    expect(r).toMatchObject({ kind: 'date', iso })
    if (r.kind === 'date') expect(r.display).toBe(isoToTyped(iso))
  })

  it.each(['31/02/1990', '29/02/2023', '32/01/2000', '15/13/1995', '00/01/2000', '31041990'])(
    'says %s is no such day',
    (typed) => {
      expect(parseTypedDate(typed).kind).toBe('impossible')
    },
  )

  it.each(['abc', '1503199', '15/03/95', '1995/03', '15031995x'])('says %s is not a date', (typed) => {
    expect(parseTypedDate(typed).kind).toBe('format')
  })

  it('treats blank as empty', () => {
    expect(parseTypedDate('   ').kind).toBe('empty')
  })

  it('shows an ISO date as typed', () => {
    expect(isoToTyped('1995-03-15')).toBe('15/03/1995')
    expect(isoToTyped('')).toBe('')
  })
})
