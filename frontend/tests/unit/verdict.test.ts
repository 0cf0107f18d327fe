import { describe, expect, it } from 'vitest'
import vi from '../../src/i18n/vi'
import en from '../../src/i18n/en'
import {
  VERIFY_RESULTS,
  maskedIdLast4,
  nanosToHours,
  pasteVerifiesAtOnce,
  qrTextForVerify,
  redirectsToVerifyBox,
  signerView,
  verdictView,
  verifyBoxKey,
  warningKey,
  wholeHours,
} from '../../src/lib/verdict'

function lookup(messages: unknown, key: string): unknown {
  return key.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), messages)
}

describe('verdictView', () => {
  it('maps every backend result to its colour, text and trust in the fields', () => {
    const expected = {
      VALID: ['ok', true, true, 'HỢP LỆ'],
      EXPIRED: ['caution', true, true, 'HẾT HẠN'],
      NOT_YET_VALID: ['caution', true, true, 'CHƯA ĐẾN NGÀY HIỆU LỰC'],
      REVOKED: ['danger', true, true, 'ĐÃ BỊ THU HỒI'],
      UNKNOWN_SIGNER: ['danger', false, true, 'KHÔNG RÕ NGƯỜI KÝ — NGHI GIẢ MẠO'],
      BAD_SIGNATURE: ['danger', false, true, 'CHỮ KÝ KHÔNG HỢP LỆ — GIẢ MẠO HOẶC BỊ SỬA'],
      MALFORMED: ['danger', false, false, 'KHÔNG PHẢI MÃ GIẤY ĐI ĐƯỜNG'],
      LISTS_EXPIRED: ['danger', false, true, 'DANH SÁCH TIN CẬY ĐÃ HẾT HẠN — KHÔNG XÁC MINH ĐƯỢC'],
    } as const
    expect(VERIFY_RESULTS.sort()).toEqual(Object.keys(expected).sort())
    for (const [result, [tone, vouched, decoded, text]] of Object.entries(expected)) {
      const v = verdictView({ result })
      expect(v.result, result).toBe(result)
      expect(v.tone, result).toBe(tone)
      expect(v.vouched, result).toBe(vouched)
      expect(v.decoded, result).toBe(decoded)
      expect(lookup(vi, v.titleKey), result).toBe(text)
      expect(typeof lookup(en, v.titleKey), result).toBe('string')
      expect(typeof lookup(vi, v.adviceKey), result).toBe('string')
      expect(typeof lookup(en, v.adviceKey), result).toBe('string')
    }
  })

  it('never shows an unknown or empty result as valid', () => {
    for (const result of ['', 'valid', 'OK', 'SOMETHING_NEW', '__proto__', 'toString']) {
      const v = verdictView({ result })
      expect(v.result, result).toBe('MALFORMED')
      expect(v.tone, result).toBe('danger')
      expect(v.vouched, result).toBe(false)
    }
  })

  it('only green for VALID', () => {
    for (const r of VERIFY_RESULTS) expect(verdictView({ result: r }).tone === 'ok').toBe(r === 'VALID')
  })
})

describe('warnings and small texts', () => {
  it('has a Vietnamese and English text for each known warning, and a generic one', () => {
    for (const code of ['trust_list_stale', 'revocation_list_stale', 'revocation_list_missing', 'curfew']) {
      const key = warningKey(code)
      expect(key).toBe(`verify.warning.${code}`)
      expect(typeof lookup(vi, key)).toBe('string')
      expect(typeof lookup(en, key)).toBe('string')
    }
    expect(warningKey('something_else')).toBe('verify.warning.other')
    expect(lookup(vi, 'verify.warning.other')).toContain('{code}')
  })

  it('shows the last ID digits as …1234', () => {
    expect(maskedIdLast4('1234')).toBe('…1234')
    expect(maskedIdLast4('')).toBe('')
    expect(maskedIdLast4(undefined)).toBe('')
  })

  it('turns ages into whole hours', () => {
    expect(wholeHours(0.0033)).toBe(0)
    expect(wholeHours(5.99)).toBe(5)
    expect(wholeHours(169)).toBe(169)
    expect(wholeHours(-1)).toBe(0)
    expect(wholeHours(Number.NaN)).toBe(0)
    expect(wholeHours(undefined)).toBe(0)
    expect(nanosToHours(3_600_000_000_000)).toBe(1)
    expect(nanosToHours(0)).toBe(0)
  })
})

describe('the text sent for verification', () => {
  it('keeps trailing spaces (part of the QR text) and drops line breaks and leading blanks', () => {
    expect(qrTextForVerify('GDD1:ABC  ')).toBe('GDD1:ABC  ')
    expect(qrTextForVerify('GDD1:ABC \r\n')).toBe('GDD1:ABC ')
    expect(qrTextForVerify('GDD1:ABC\n')).toBe('GDD1:ABC')
    expect(qrTextForVerify('\n  GDD1:A B')).toBe('GDD1:A B')
    expect(qrTextForVerify('   ')).toBe('')
    expect(qrTextForVerify('')).toBe('')
  })
})

describe('Enter in the verify box (a scanner ends its burst with Enter)', () => {
  it('verifies instead of adding a new line', () => {
    expect(verifyBoxKey({ key: 'Enter' }, 'GDD1:XYZ ')).toBe('verify')
    expect(verifyBoxKey({ key: 'Enter' }, 'garbage')).toBe('verify')
  })

  it('swallows an Enter with nothing to verify (a CR LF scanner, a second Enter)', () => {
    expect(verifyBoxKey({ key: 'Enter' }, '')).toBe('swallow')
    expect(verifyBoxKey({ key: 'Enter' }, '\n')).toBe('swallow')
    expect(verifyBoxKey({ key: 'Enter' }, '   ')).toBe('swallow')
  })

  it('leaves other keys, modified Enter and IME composition alone', () => {
    expect(verifyBoxKey({ key: 'a' }, 'GDD1:')).toBe('default')
    expect(verifyBoxKey({ key: ' ' }, 'GDD1:')).toBe('default')
    expect(verifyBoxKey({ key: 'Enter', shiftKey: true }, 'GDD1:')).toBe('default')
    expect(verifyBoxKey({ key: 'Enter', ctrlKey: true }, 'GDD1:')).toBe('default')
    expect(verifyBoxKey({ key: 'Enter', isComposing: true }, 'GDD1:')).toBe('default')
  })

  it('handles a whole simulated scanner burst: characters land, Enter verifies once', () => {
    const qr = 'GDD1:6BF-K1 2$%*+./: '
    let value = ''
    const verified: string[] = []
    for (const key of [...qr, 'Enter', 'Enter']) {
      const action = verifyBoxKey({ key }, value)
      if (action === 'default') value += key
      else if (action === 'verify') {
        verified.push(qrTextForVerify(value))
        value = '' // the box clears after a verdict
      }
    }
    expect(verified).toEqual([qr])
  })
})

describe('paste and stray keys', () => {
  it('verifies a whole permit pasted into an empty box at once', () => {
    expect(pasteVerifiesAtOnce('', 'GDD1:ABC ')).toBe(true)
    expect(pasteVerifiesAtOnce('  ', '\nGDD1:ABC\n')).toBe(true)
    expect(pasteVerifiesAtOnce('GDD1:', 'ABC')).toBe(false)
    expect(pasteVerifiesAtOnce('', 'hello')).toBe(false)
  })

  it('sends printable keys typed outside any field to the box', () => {
    expect(redirectsToVerifyBox({ key: 'G' }, false)).toBe(true)
    expect(redirectsToVerifyBox({ key: ' ' }, false)).toBe(true)
    expect(redirectsToVerifyBox({ key: 'G' }, true)).toBe(false)
    expect(redirectsToVerifyBox({ key: 'Enter' }, false)).toBe(false)
    expect(redirectsToVerifyBox({ key: 'Tab' }, false)).toBe(false)
    expect(redirectsToVerifyBox({ key: 'c', ctrlKey: true }, false)).toBe(false)
    expect(redirectsToVerifyBox({ key: 'x', altKey: true }, false)).toBe(false)
    // AltGr (Ctrl+Alt) produces characters on some layouts
    expect(redirectsToVerifyBox({ key: '@', altKey: true, ctrlKey: true }, false)).toBe(false)
  })
})

// Issue 9, finding 2: what the signature vouches for is said beside the verdict.
describe('signerView (finding 2)', () => {
  const signer = (kind: string, officer: string, officer_title = '') => ({
    key_id: '0102030405060708', public_key: '', kind, officer, officer_title, unit_code: '28291', valid_from: '', valid_to: '',
  })
  it('an office key is the office system, never a person: check the paper', () => {
    expect(signerView({ result: 'VALID', signer: signer('office', 'UBND Xã Tân Mỹ Chánh') })).toEqual({ kind: 'office', office: 'UBND Xã Tân Mỹ Chánh' })
    expect(vi.verify.checkPaper).toBe('Kiểm tra chữ ký tay và con dấu đỏ trên giấy')
    expect(typeof en.verify.checkPaper).toBe('string')
  })
  it('a kind this screen does not know is not read as a leader', () => {
    expect(signerView({ result: 'VALID', signer: signer('usb', 'Someone') })?.kind).toBe('office')
  })
  it('a token signature names the leader and title', () => {
    expect(signerView({ result: 'EXPIRED', signer: signer('fido', 'Lê Văn Đức', 'Phó Chủ tịch') })).toEqual({ kind: 'token', name: 'Lê Văn Đức', title: 'Phó Chủ tịch' })
    expect(signerView({ result: 'REVOKED', signer: signer('pkcs11', 'Lê Văn Đức') })?.kind).toBe('token')
  })
  it('a verdict that vouches for nothing names no one', () => {
    for (const result of ['BAD_SIGNATURE', 'UNKNOWN_SIGNER', 'MALFORMED', 'LISTS_EXPIRED']) {
      expect(signerView({ result, signer: signer('fido', 'Lê Văn Đức') }), result).toBeNull()
    }
    expect(signerView({ result: 'VALID' })).toBeNull()
  })
})
