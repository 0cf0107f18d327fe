import { describe, expect, it } from 'vitest'
import { ApiError, fieldText, parseApiError } from '../../src/api/errors'

const validation = {
  code: 'validation',
  vi: 'Dữ liệu không hợp lệ',
  en: 'Invalid data',
  fields: [
    { field: 'id_number', code: 'cccd_province', vi: 'Mã tỉnh trong số CCCD không hợp lệ', en: 'Unknown province code in the citizen ID' },
    { field: 'phone', code: 'phone', vi: 'Số điện thoại không hợp lệ', en: 'Invalid phone number' },
  ],
}

describe('parseApiError', () => {
  it('parses the HTTP bridge error object', () => {
    const e = parseApiError(JSON.stringify(validation))
    expect(e).toBeInstanceOf(ApiError)
    expect(e.code).toBe('validation')
    expect(e.vi).toBe('Dữ liệu không hợp lệ')
    expect(e.fields).toHaveLength(2)
    expect(e.field('id_number')?.code).toBe('cccd_province')
    expect(e.field('full_name')).toBeUndefined()
  })

  it('parses an already-decoded object, and one wrapped in {error}', () => {
    expect(parseApiError(validation).fields[1]!.field).toBe('phone')
    const wrapped = parseApiError({ error: { code: 'forbidden', vi: 'Không có quyền', en: 'Forbidden' } })
    expect(wrapped.code).toBe('forbidden')
    expect(wrapped.fields).toEqual([])
  })

  it('parses the string a Wails binding rejects with, even with a prefix', () => {
    const e = parseApiError('error: ' + JSON.stringify({ code: 'locked', vi: 'Tài khoản bị khóa 5 phút', en: 'Account locked' }))
    expect(e.code).toBe('locked')
    expect(e.text('vi')).toBe('Tài khoản bị khóa 5 phút')
    expect(e.text('en')).toBe('Account locked')
  })

  it('parses the message of an Error carrying the JSON', () => {
    const e = parseApiError(new Error(JSON.stringify({ code: 'screen_locked', vi: 'Màn hình đang khóa', en: 'Screen locked' })))
    expect(e.code).toBe('screen_locked')
  })

  it('turns anything else into an internal error keeping the text', () => {
    const plain = parseApiError('database is locked')
    expect(plain.code).toBe('internal')
    expect(plain.text('vi')).toBe('database is locked')
    expect(parseApiError(new TypeError('Failed to fetch')).code).toBe('internal')
    expect(parseApiError(42).text('en')).toBe('42')
    expect(parseApiError('{not json').code).toBe('internal')
  })

  it('maps unknown codes to internal and tolerates missing parts', () => {
    const e = parseApiError({ code: 'weird', vi: 'x', fields: [{ field: 'a' }, 'junk'] })
    expect(e.code).toBe('internal')
    expect(e.en).toBe('')
    expect(e.text('en')).toBe('x')
    expect(e.fields).toEqual([{ field: 'a', code: '', vi: '', en: '' }])
  })

  it('returns an ApiError unchanged', () => {
    const e = new ApiError('not_found', 'Không tìm thấy', 'Not found')
    expect(parseApiError(e)).toBe(e)
  })

  it('gives field texts in the UI language', () => {
    const f = validation.fields[0]!
    expect(fieldText(f, 'vi')).toBe('Mã tỉnh trong số CCCD không hợp lệ')
    expect(fieldText(f, 'en')).toBe('Unknown province code in the citizen ID')
    expect(fieldText({ ...f, en: '' }, 'en')).toBe('Mã tỉnh trong số CCCD không hợp lệ')
  })
})
