import { describe, expect, it } from 'vitest'
import { shortFingerprint, trustRequestFileName } from '../../src/lib/trust'

describe('trustRequestFileName', () => {
  it('names the file after the unit code', () => {
    expect(trustRequestFileName('28291')).toBe('yeu-cau-dang-ky-khoa-28291.json')
    expect(trustRequestFileName('  28291 ')).toBe('yeu-cau-dang-ky-khoa-28291.json')
  })

  it('keeps the name safe for a file system', () => {
    expect(trustRequestFileName('../28 291/x')).toBe('yeu-cau-dang-ky-khoa-28-291-x.json')
    expect(trustRequestFileName('Xã:Tân*Mỹ')).toBe('yeu-cau-dang-ky-khoa-X-T-n-M.json')
  })

  it('has a name without a unit code', () => {
    expect(trustRequestFileName('')).toBe('yeu-cau-dang-ky-khoa.json')
    expect(trustRequestFileName(null)).toBe('yeu-cau-dang-ky-khoa.json')
    expect(trustRequestFileName(undefined)).toBe('yeu-cau-dang-ky-khoa.json')
    expect(trustRequestFileName('/// ')).toBe('yeu-cau-dang-ky-khoa.json')
  })
})

describe('shortFingerprint', () => {
  it('groups the first 32 hex digits by four', () => {
    const fp = '9466d2933887c6df69a693e3ce4eb50b3a3bddc4de6002bb5fd4a84bbf34ede1'
    expect(shortFingerprint(fp)).toBe('9466 d293 3887 c6df 69a6 93e3 ce4e b50b …')
    expect(shortFingerprint('ABCD12')).toBe('abcd 12')
    expect(shortFingerprint('')).toBe('')
  })
})
