import { describe, expect, it } from 'vitest'
import { parseTrustRequests, requestUnitCode, shortFingerprint, trustRequestFileName } from '../../src/lib/trust'

// As TokenService.TrustRequests writes it (Go's json.MarshalIndent of []EnrollmentRequest).
const REQUESTS = JSON.stringify([
  {
    key_id: '634c8ad931fa8e95',
    kind: 'office',
    algorithm: 'ES256',
    public_key: '-----BEGIN PUBLIC KEY-----\nMFkw...\n-----END PUBLIC KEY-----\n',
    officer: 'UBND Xã Tân Mỹ Chánh',
    unit_code: '28291',
    created_at: '2026-11-28T04:46:48.217726773Z',
  },
  {
    key_id: '0011223344556677',
    kind: 'fido',
    algorithm: 'ES256',
    public_key: 'PEM',
    officer: 'Nguyễn Văn Lãnh',
    officer_username: 'lanhdao',
    unit_code: '28291',
    created_at: '2026-11-28T05:00:00Z',
  },
  {
    key_id: 'aabbccddeeff0011',
    kind: 'pkcs11',
    algorithm: 'RS256',
    public_key: 'PEM',
    officer: 'Trần Thị Ký',
    officer_username: 'lanhdao2',
    unit_code: '28291',
    certificate: 'MIIB',
    token_label: 'VNPT-CA',
    valid_from: '2026-01-01T00:00:00Z',
    valid_to: '2028-01-01T00:00:00Z',
    created_at: '2026-11-28T06:00:00Z',
  },
], null, 2)

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

describe('parseTrustRequests', () => {
  it('reads the entries, the optional fields only when given', () => {
    const list = parseTrustRequests(REQUESTS)
    expect(list.map((r) => r.kind)).toEqual(['office', 'fido', 'pkcs11'])
    expect(list[0]).toEqual({
      key_id: '634c8ad931fa8e95',
      kind: 'office',
      algorithm: 'ES256',
      public_key: '-----BEGIN PUBLIC KEY-----\nMFkw...\n-----END PUBLIC KEY-----\n',
      officer: 'UBND Xã Tân Mỹ Chánh',
      unit_code: '28291',
      created_at: '2026-11-28T04:46:48.217726773Z',
    })
    expect(list[1]!.officer_username).toBe('lanhdao')
    expect(list[2]).toMatchObject({ certificate: 'MIIB', token_label: 'VNPT-CA', valid_to: '2028-01-01T00:00:00Z' })
  })

  it('gives [] for what is not a JSON array, and skips what is not an object', () => {
    expect(parseTrustRequests('')).toEqual([])
    expect(parseTrustRequests('null')).toEqual([])
    expect(parseTrustRequests('{"key_id":"x"}')).toEqual([])
    expect(parseTrustRequests('not json')).toEqual([])
    expect(parseTrustRequests('[1, "x", null, {"kind": 5, "unit_code": "1"}]')).toEqual([
      { key_id: '', kind: '', algorithm: '', public_key: '', officer: '', unit_code: '1', created_at: '' },
    ])
  })
})

describe('requestUnitCode', () => {
  const list = parseTrustRequests(REQUESTS)

  it("prefers the office's own unit code", () => {
    expect(requestUnitCode('28292', list)).toBe('28292')
  })

  it('falls back to the first entry that has one', () => {
    expect(requestUnitCode('', list)).toBe('28291')
    expect(requestUnitCode(null, [{ ...list[0]!, unit_code: ' ' }, { ...list[1]!, unit_code: '30001' }])).toBe('30001')
    expect(requestUnitCode(undefined, [])).toBe('')
  })

  it('makes the name the screen offers', () => {
    expect(trustRequestFileName(requestUnitCode(null, list))).toBe('yeu-cau-dang-ky-khoa-28291.json')
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
