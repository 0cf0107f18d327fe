import { describe, expect, it } from 'vitest'
import { PERMIT_NUMBER_RE, PERMIT_STATUSES, allows, permitTagType } from '../../src/lib/permits'
import { initialPrinter, printerOptions } from '../../src/lib/printers'
import { normalizeJob, normalizePrinter } from '../../src/api/services'
import vi from '../../src/i18n/vi'
import type { Printer } from '../../src/api/types'

describe('permit statuses', () => {
  it('has the Vietnamese labels the office uses', () => {
    expect(vi.permitStatus).toEqual({
      signed: 'Đã ký số',
      awaiting_hand_signature: 'Chờ ký tay',
      hand_signed: 'Đã ký tay',
      issued: 'Đã giao',
      revoked: 'Đã thu hồi',
    })
    expect(vi.permit.expired).toBe('Hết hạn')
    expect(Object.keys(vi.permitStatus).sort()).toEqual([...PERMIT_STATUSES].sort())
  })

  it('colours revoked red and handed-over green', () => {
    expect(permitTagType('revoked')).toBe('error')
    expect(permitTagType('issued')).toBe('success')
    expect(permitTagType('awaiting_hand_signature')).toBe('warning')
    expect(permitTagType('whatever')).toBe('default')
  })

  it('matches permit numbers', () => {
    expect(PERMIT_NUMBER_RE.test('28291/2026/000001')).toBe(true)
    expect(PERMIT_NUMBER_RE.test('28291/26/000001')).toBe(false)
  })
})

// Which actions a role may take in which state is decided in Go (auth.PermitActions, tested
// there table by table); the window only reads the list.
describe('what may be done with a permit', () => {
  it('is what the backend listed, and nothing without a list', () => {
    expect(allows(['preview', 'print', 'revoke'], 'revoke')).toBe(true)
    expect(allows(['preview', 'print'], 'revoke')).toBe(false)
    expect(allows(null, 'preview')).toBe(false)
    expect(allows(undefined, 'issue')).toBe(false)
  })
})

describe('printers', () => {
  it('accepts the Go field names and the json ones', () => {
    expect(normalizePrinter({ Name: 'GDD-PDF', Description: 'PDF', State: 'idle', Default: false, Accepting: true })).toEqual({
      name: 'GDD-PDF',
      description: 'PDF',
      state: 'idle',
      default: false,
      accepting: true,
    })
    expect(normalizePrinter({ name: 'HP', description: '', state: 'paused', default: true, accepting: false })).toEqual({
      name: 'HP',
      description: '',
      state: 'paused',
      default: true,
      accepting: false,
    })
    expect(normalizePrinter({ Name: 'X' }).state).toBe('unknown')
    expect(normalizeJob({ ID: 'GDD-PDF-12', Printer: 'GDD-PDF' })).toEqual({ id: 'GDD-PDF-12', printer: 'GDD-PDF' })
    expect(normalizeJob({ id: 'GDD-PDF-13', printer: 'GDD-PDF' })).toEqual({ id: 'GDD-PDF-13', printer: 'GDD-PDF' })
  })

  const list: Printer[] = [
    { name: 'Zebra', description: '', state: 'idle', default: false, accepting: true },
    { name: 'HP', description: 'HP LaserJet', state: 'paused', default: true, accepting: true },
    { name: 'GDD-PDF', description: 'PDF', state: 'idle', default: false, accepting: true },
  ]
  const labels = {
    officeDefault: 'office',
    systemDefault: 'system',
    notFound: 'missing',
    notAccepting: 'refusing',
    state: (s: string) => `state ${s}`,
  }

  it('starts with the office default, then the system default', () => {
    expect(initialPrinter(list, 'GDD-PDF')).toBe('GDD-PDF')
    expect(initialPrinter(list, '')).toBe('HP')
    expect(initialPrinter([], '')).toBe('')
    const opts = printerOptions(list, 'GDD-PDF', labels)
    expect(opts.map((o) => o.value)).toEqual(['GDD-PDF', 'HP', 'Zebra'])
    expect(opts[0]!.label).toBe('GDD-PDF — PDF (office)')
    expect(opts[1]!.label).toBe('HP — HP LaserJet (system, state paused)')
    expect(opts[2]!.label).toBe('Zebra')
  })

  it('keeps an office default this computer does not list', () => {
    const opts = printerOptions(list, 'Office-Net', labels)
    expect(opts[0]).toEqual({ label: 'Office-Net (office, missing)', value: 'Office-Net' })
    expect(opts).toHaveLength(4)
  })
})

describe('printer choices while the list is unknown', () => {
  it('does not call the office default missing before the list came', () => {
    const labels = {
      officeDefault: 'office',
      systemDefault: 'system',
      notFound: 'missing',
      notAccepting: 'refusing',
      state: (s: string) => s,
    }
    expect(printerOptions([], 'GDD-PDF', labels, false)).toEqual([{ label: 'GDD-PDF (office)', value: 'GDD-PDF' }])
    expect(printerOptions([], 'GDD-PDF', labels)).toEqual([{ label: 'GDD-PDF (office, missing)', value: 'GDD-PDF' }])
  })
})
