import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import vi from '../../src/i18n/vi'

// One spelling throughout (issue 11, point 15): the tone mark sits on the main vowel, as in
// current government documents: "khóa", "hóa", "hủy", "tùy", "Hòa" — never "khoá", "hoá",
// "huỷ", "tuỳ", "Hoà". The difference only shows in open syllables "oa", "oe", "uy" (no final
// consonant), and not after "q" ("quý" is right in both styles).
const OLD_STYLE = /(?<![qQ])(o[áàảãạ]|o[éèẻẽẹ]|u[ýỳỷỹỵ]|O[ÁÀẢÃẠ]|O[ÉÈẺẼẸ]|U[ÝỲỶỸỴ])(?![a-zA-Zà-ỹÀ-Ỹđ])/u

const root = resolve(__dirname, '../..', '..')

/** Files of the UI and the backend's messages (not tests, not test data packages). */
function sources(dir: string, exts: string[]): string[] {
  const out: string[] = []
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue
    const p = join(dir, name)
    if (statSync(p).isDirectory()) {
      // Packages named …test are fixtures for tests (place names as the lists write them).
      if (!name.endsWith('test')) out.push(...sources(p, exts))
    } else if (exts.some((e) => name.endsWith(e)) && !name.endsWith('_test.go')) out.push(p)
  }
  return out
}

function flatten(obj: unknown, prefix = ''): [string, string][] {
  if (typeof obj === 'string') return [[prefix, obj]]
  if (typeof obj !== 'object' || obj === null) return []
  return Object.entries(obj).flatMap(([k, v]) => flatten(v, prefix ? `${prefix}.${k}` : k))
}

function oldStyleLines(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((line, i) => (OLD_STYLE.test(line) ? [`${relative(root, file)}:${i + 1}: ${line.trim()}`] : []))
}

describe('wording', () => {
  it('the pattern tells the two styles apart', () => {
    for (const old of ['khoá', 'Hoà', 'hoá đơn', 'huỷ', 'tuỳ chọn', 'thuỷ sản', 'UỶ BAN', 'CỘNG HOÀ', 'xoè']) expect(OLD_STYLE.test(old), old).toBe(true)
    for (const ok of ['khóa', 'Hòa', 'hóa đơn', 'hủy', 'tùy chọn', 'thủy sản', 'ỦY BAN', 'CỘNG HÒA', 'hoàn thành', 'khoảng', 'quý', 'quỹ', 'thuyền', 'toán'])
      expect(OLD_STYLE.test(ok), ok).toBe(false)
  })

  it('the Vietnamese texts use one spelling', () => {
    const bad = flatten(vi).filter(([, v]) => OLD_STYLE.test(v))
    expect(bad).toEqual([])
  })

  it('the screens and the backend messages use one spelling', () => {
    const files = [
      ...sources(join(root, 'frontend', 'src'), ['.vue', '.ts']),
      ...sources(join(root, 'backend'), ['.go']),
      join(root, 'main.go'),
    ]
    expect(files.length).toBeGreaterThan(100)
    expect(files.flatMap(oldStyleLines)).toEqual([])
  })

  it('staff screens name things in plain words', () => {
    const texts = flatten(vi)
    // The key technology and its ids belong to the technical details, not to labels.
    expect(texts.filter(([, v]) => /\bFIDO\b|PKCS#11|bốn mắt/i.test(v))).toEqual([])
    expect(vi.settings.fourEyes).toBe('Người nhập hồ sơ không tự duyệt')
    // One name for the purpose field wherever it is labelled.
    expect(vi.list.purpose).toBe(vi.fields.purpose_code)
  })

  it('the backend Vietnamese messages start with a capital and name no field key', () => {
    // VI: "…", newError(Code…, "…", and invalid("field", "code", "…" are the messages staff read.
    const msg = /(?:VI: |newError\(Code\w+, |invalid\("[^"]+", "[^"]+", )"([^"]*)"/gu
    const bad: string[] = []
    for (const file of sources(join(root, 'backend'), ['.go'])) {
      for (const m of readFileSync(file, 'utf8').matchAll(msg)) {
        const text = m[1]!
        if (text === '') continue
        if (text[0] !== text[0]!.toUpperCase() || /^[a-z0-9_.]+: /.test(text)) bad.push(`${relative(root, file)}: ${text}`)
      }
    }
    expect(bad).toEqual([])
  })
})
