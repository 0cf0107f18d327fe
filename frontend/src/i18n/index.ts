import { computed } from 'vue'
import { createI18n } from 'vue-i18n'
import vi from './vi'
import en from './en'
import type { Messages } from './vi'

export const LOCALES = ['vi', 'en'] as const
export type Locale = (typeof LOCALES)[number]
export const LOCALE_STORAGE_KEY = 'gdd.locale'

function storedLocale(): Locale {
  try {
    const v = localStorage.getItem(LOCALE_STORAGE_KEY)
    if (v === 'vi' || v === 'en') return v
  } catch {
    // storage unavailable
  }
  return 'vi'
}

export const i18n = createI18n<[Messages], Locale, false>({
  legacy: false,
  locale: storedLocale(),
  fallbackLocale: 'vi',
  messages: { vi, en },
})

export const currentLocale = computed<Locale>(() => i18n.global.locale.value)

export function setLocale(l: Locale): void {
  i18n.global.locale.value = l
  try {
    localStorage.setItem(LOCALE_STORAGE_KEY, l)
  } catch {
    // storage unavailable
  }
  if (typeof document !== 'undefined') document.documentElement.lang = l
}

/** Picks the vi or en label of a {vi, en} record for the current UI language. */
export function localized(rec: { vi: string; en: string } | null | undefined, locale: string): string {
  if (!rec) return ''
  return (locale === 'en' ? rec.en : rec.vi) || rec.vi || rec.en
}
