import { describe, expect, it } from 'vitest'
import vi from '../../src/i18n/vi'
import en from '../../src/i18n/en'

function flatten(obj: unknown, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>()
  if (typeof obj === 'object' && obj !== null) {
    for (const [k, v] of Object.entries(obj)) {
      const key = prefix ? `${prefix}.${k}` : k
      if (typeof v === 'object' && v !== null) for (const [kk, vv] of flatten(v, key)) out.set(kk, vv)
      else out.set(key, v)
    }
  }
  return out
}

const viKeys = flatten(vi)
const enKeys = flatten(en)

function params(s: string): string[] {
  return [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort()
}

describe('i18n messages', () => {
  it('every Vietnamese key has an English text', () => {
    const missing = [...viKeys.keys()].filter((k) => !enKeys.has(k))
    expect(missing).toEqual([])
  })

  it('every English key has a Vietnamese text', () => {
    const missing = [...enKeys.keys()].filter((k) => !viKeys.has(k))
    expect(missing).toEqual([])
  })

  it('no text is empty and all are strings', () => {
    for (const [k, v] of [...viKeys, ...enKeys]) {
      expect(typeof v, k).toBe('string')
      expect((v as string).trim(), k).not.toBe('')
    }
  })

  it('both languages use the same {parameters}', () => {
    for (const [k, v] of viKeys) {
      expect(params(enKeys.get(k) as string), k).toEqual(params(v as string))
    }
  })

  it('texts avoid characters vue-i18n would interpret (| @ $ and stray braces)', () => {
    for (const [k, v] of [...viKeys, ...enKeys]) {
      const s = (v as string).replace(/\{\w+\}/g, '')
      expect(s, k).not.toMatch(/[|@${}]/)
    }
  })

  it('has the Vietnamese wording the office uses', () => {
    expect(vi.menu.intake).toBe('Tiếp nhận hồ sơ')
    expect(vi.intake.submit).toBe('Gửi duyệt')
    expect(vi.intake.saveDraft).toBe('Lưu nháp')
    expect(vi.intake.clear).toBe('Nhập lại')
    expect(vi.intake.readImage).toBe('Đọc ảnh CCCD')
    expect(vi.demo.banner).toBe('Bản dùng thử (demo) — dữ liệu mẫu, không dùng để cấp giấy thật')
  })
})
