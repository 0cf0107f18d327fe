// The checkpoint verdict: how each backend result is shown, and the small pieces of text
// logic of the verify screen (what the scanner typed, what Enter does).

import type { Verification, VerifyResult } from '@/api'

export type VerdictTone = 'ok' | 'caution' | 'danger'

export interface VerdictView {
  /** The backend result, or 'MALFORMED' for anything unknown (never shown as valid). */
  result: VerifyResult
  tone: VerdictTone
  /** i18n key of the big banner text. */
  titleKey: string
  /** i18n key of the line under it: what the officer should do. */
  adviceKey: string
  /** The permit fields come from a checked signature and may be compared with the ID card. */
  vouched: boolean
  /** The payload could be decoded at all (something to show, vouched or not). */
  decoded: boolean
}

const VERDICTS: Record<VerifyResult, { tone: VerdictTone; vouched: boolean; decoded: boolean }> = {
  VALID: { tone: 'ok', vouched: true, decoded: true },
  EXPIRED: { tone: 'caution', vouched: true, decoded: true },
  NOT_YET_VALID: { tone: 'caution', vouched: true, decoded: true },
  REVOKED: { tone: 'danger', vouched: true, decoded: true },
  UNKNOWN_SIGNER: { tone: 'danger', vouched: false, decoded: true },
  BAD_SIGNATURE: { tone: 'danger', vouched: false, decoded: true },
  MALFORMED: { tone: 'danger', vouched: false, decoded: false },
  LISTS_EXPIRED: { tone: 'danger', vouched: false, decoded: true },
}

export const VERIFY_RESULTS = Object.keys(VERDICTS) as VerifyResult[]

export function isVerifyResult(s: string): s is VerifyResult {
  return Object.prototype.hasOwnProperty.call(VERDICTS, s)
}

/** How a verification is shown. An unknown result is treated as MALFORMED: red, nothing vouched. */
export function verdictView(v: Pick<Verification, 'result'>): VerdictView {
  const result: VerifyResult = isVerifyResult(v.result) ? v.result : 'MALFORMED'
  const d = VERDICTS[result]
  return {
    result,
    tone: d.tone,
    titleKey: `verify.verdict.${result}`,
    adviceKey: `verify.advice.${result}`,
    vouched: d.vouched,
    decoded: d.decoded,
  }
}

export const KNOWN_WARNINGS = ['trust_list_stale', 'revocation_list_stale', 'revocation_list_missing', 'curfew'] as const

/** i18n key of a warning code (a generic text for codes this screen does not know). */
export function warningKey(code: string): string {
  return (KNOWN_WARNINGS as readonly string[]).includes(code) ? `verify.warning.${code}` : 'verify.warning.other'
}

/**
 * What the signature vouches for, for the line beside the verdict. An office key says only
 * that the office's system issued the permit: the paper's handwritten signature and red seal
 * are the leader's act, so the officer must check them. A token signature is the named
 * leader's. A verdict that vouches for nothing names no one.
 */
export type SignerView = { kind: 'office'; office: string } | { kind: 'token'; name: string; title: string } | null

export function signerView(v: Pick<Verification, 'result' | 'signer'>): SignerView {
  if (!verdictView(v).vouched || !v.signer) return null
  if (v.signer.kind === 'fido' || v.signer.kind === 'pkcs11') {
    return { kind: 'token', name: v.signer.officer, title: v.signer.officer_title ?? '' }
  }
  // 'office', and any kind this screen does not know: never read as a person's signature.
  return { kind: 'office', office: v.signer.officer }
}

/** "…1234": the last digits of the ID number, for comparing with the card. */
export function maskedIdLast4(last4: string | undefined | null): string {
  return last4 ? `…${last4}` : ''
}

/** Whole hours of a list age (hours, fractional), never negative. */
export function wholeHours(ageHours: number | null | undefined): number {
  if (ageHours === null || ageHours === undefined || !Number.isFinite(ageHours) || ageHours < 0) return 0
  return Math.floor(ageHours)
}

/** Hours from a Go time.Duration in nanoseconds. */
export function nanosToHours(ns: number | null | undefined): number {
  if (!ns || !Number.isFinite(ns)) return 0
  return ns / 3.6e12
}

/**
 * The text to verify from what is in the box. A QR text may end with spaces (base45 has a
 * space in its alphabet): never trim it. Only line breaks at the end (a scanner's or a paste's
 * CR/LF) and whitespace before the text are dropped.
 */
export function qrTextForVerify(raw: string): string {
  return raw.replace(/^\s+/, '').replace(/[\r\n]+$/, '')
}

export interface EnterKey {
  key: string
  shiftKey?: boolean
  ctrlKey?: boolean
  altKey?: boolean
  metaKey?: boolean
  isComposing?: boolean
}

/**
 * What a keydown in the verify box does: 'verify' (Enter: the end of a scan or of typing,
 * instead of a new line), 'swallow' (Enter with nothing to verify, e.g. a scanner's second
 * line break), or 'default' (anything else, including Shift+Enter and IME composition).
 */
export function verifyBoxKey(e: EnterKey, value: string): 'verify' | 'swallow' | 'default' {
  if (e.key !== 'Enter' || e.isComposing) return 'default'
  if (e.shiftKey || e.ctrlKey || e.altKey || e.metaKey) return 'default'
  return qrTextForVerify(value) === '' ? 'swallow' : 'verify'
}

/** A paste that should be verified at once: a whole permit text pasted into an empty box. */
export function pasteVerifiesAtOnce(before: string, pasted: string): boolean {
  return before.trim() === '' && qrTextForVerify(pasted).startsWith('GDD1:')
}

/**
 * A keystroke outside any input that should go to the verify box: a scanner "types" into
 * whatever has the focus, so printable keys without shortcuts are redirected there.
 */
export function redirectsToVerifyBox(e: EnterKey, targetIsEditable: boolean): boolean {
  if (targetIsEditable || e.isComposing) return false
  if (e.ctrlKey || e.metaKey || (e.altKey && !e.ctrlKey)) return false
  return e.key.length === 1
}
