// Leaders' signing tokens and batch signing: what the screens show, kept out of the views so
// it can be tested without a browser.
import type { SignJob, SignResult, TokenInfo, TokenRef } from '@/api'

/** A stable key for a plugged-in token (the value of the token picker). */
export function tokenKey(t: Pick<TokenInfo, 'kind' | 'path' | 'library' | 'slot'>): string {
  return t.kind === 'pkcs11' ? `pkcs11:${t.library}#${t.slot}` : `${t.kind}:${t.path}`
}

/** What Enroll and StartSign need to find the token again. */
export function tokenRef(t: TokenInfo): TokenRef {
  return t.kind === 'pkcs11' ? { kind: 'pkcs11', library: t.library, slot: t.slot } : { kind: 'fido', path: t.path }
}

export function isFido(t: Pick<TokenInfo, 'kind'> | null | undefined): boolean {
  return t?.kind === 'fido'
}

/** A PKCS#11 token always wants its PIN; a FIDO key only when it has one set. */
export function pinRequired(t: Pick<TokenInfo, 'kind' | 'needs_pin'> | null | undefined): boolean {
  if (!t) return false
  return t.kind === 'pkcs11' || t.needs_pin
}

/** A token whose PIN is locked cannot sign or enroll. */
export function usable(t: Pick<TokenInfo, 'pin_locked'>): boolean {
  return !t.pin_locked
}

export interface TokenLabels {
  fido: string
  pkcs11: string
  software: string
  pinLocked: string
}

/** "VNPT-CA (PKCS#11 · 54A3…)", with the demo's software key said to be one. */
export function tokenLabel(t: TokenInfo, labels: TokenLabels): string {
  const kind = t.kind === 'pkcs11' ? labels.pkcs11 : t.kind === 'fido' ? labels.fido : t.kind
  const name = t.label.trim() || t.manufacturer.trim() || kind
  const details = [kind]
  if (t.serial) details.push(t.serial)
  let s = `${name} (${details.join(' · ')})`
  if (t.software) s += ` — ${labels.software}`
  if (t.pin_locked) s += ` — ${labels.pinLocked}`
  return s
}

/**
 * The token to keep selected after the list changed: the same one while it is plugged in,
 * else the first usable one (the usual case is exactly one token), else none ('').
 */
export function pickToken(tokens: TokenInfo[], current: string): string {
  if (current && tokens.some((t) => tokenKey(t) === current)) return current
  const first = tokens.find(usable)
  return first ? tokenKey(first) : ''
}

export interface Progress {
  done: number
  total: number
  /** 0–100, whole numbers. */
  percent: number
}

export function progressOf(job: Pick<SignJob, 'done' | 'total'> | null | undefined): Progress {
  const total = Math.max(0, job?.total ?? 0)
  const done = Math.min(Math.max(0, job?.done ?? 0), total)
  return { done, total, percent: total > 0 ? Math.floor((done * 100) / total) : 0 }
}

export type ResultTone = 'success' | 'warning' | 'error' | 'info'

/** All signed: success; some: warning; none: error (info when the leader cancelled). */
export function resultTone(r: SignResult): ResultTone {
  if (r.unsigned.length === 0 && r.signed.length > 0) return 'success'
  if (r.signed.length === 0) return r.stopped === 'cancelled' ? 'info' : 'error'
  return 'warning'
}

export type Translate = (key: string, params: Record<string, unknown>) => string

/**
 * The result in the UI language: the backend's sentence when it sent one, else one made
 * from the counts ("Đã ký 3 giấy; 5 giấy chưa ký vẫn chờ ký vì khóa đã bị rút ra").
 */
export function resultMessage(r: SignResult, locale: string, t: Translate): string {
  const backend = locale.startsWith('en') ? r.message_en || r.message_vi : r.message_vi || r.message_en
  if (backend.trim()) return backend
  const counts = { signed: r.signed.length, unsigned: r.unsigned.length, total: r.total }
  if (r.unsigned.length === 0) return t('sign.resultAll', counts)
  const base = r.signed.length === 0 ? t('sign.resultNone', counts) : t('sign.resultPartial', counts)
  const why = ['removed', 'cancelled', 'error'].includes(r.stopped) ? t(`sign.stopped.${r.stopped}`, counts) : ''
  return why ? `${base} ${why}` : base
}

/** Keeps of a selection only what is still listed (after signing, the signed ones are gone). */
export function keepSelected(selected: readonly string[], listed: readonly string[]): string[] {
  const have = new Set(listed)
  return selected.filter((n) => have.has(n))
}

/** The error fields a token form shows at its token and PIN inputs. */
export function isTokenField(field: string): boolean {
  return field === 'token' || field.startsWith('token.')
}

export function shownAtTokenForm(field: string): boolean {
  return field === 'pin' || isTokenField(field)
}
