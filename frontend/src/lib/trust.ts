// The provincial trust list, seen from the office: the request file the office sends the
// province (its keys, as TokenService.TrustRequests gives them) and the status it shows.

import type { TrustRequest } from '@/api'

const FILE_PREFIX = 'yeu-cau-dang-ky-khoa'

/**
 * The name the request file is saved under: `yeu-cau-dang-ky-khoa-<unit code>.json`, the unit
 * code kept to letters, digits, '-' and '_' (it becomes part of a file name); without one,
 * `yeu-cau-dang-ky-khoa.json`.
 */
export function trustRequestFileName(unitCode: string | null | undefined): string {
  const code = (unitCode ?? '').trim().replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '')
  return code ? `${FILE_PREFIX}-${code}.json` : `${FILE_PREFIX}.json`
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : ''
}

/**
 * The entries of a request file's JSON text; [] for anything that is not a JSON array (the
 * file itself is still offered as the backend wrote it: this is only for what the screen says).
 */
export function parseTrustRequests(text: string): TrustRequest[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return []
  }
  if (!Array.isArray(parsed)) return []
  return parsed.filter(isRecord).map((o) => {
    const r: TrustRequest = {
      key_id: str(o.key_id),
      kind: str(o.kind),
      algorithm: str(o.algorithm),
      public_key: str(o.public_key),
      officer: str(o.officer),
      unit_code: str(o.unit_code),
      created_at: str(o.created_at),
    }
    const officerUsername = str(o.officer_username)
    if (officerUsername) r.officer_username = officerUsername
    const certificate = str(o.certificate)
    if (certificate) r.certificate = certificate
    const tokenLabel = str(o.token_label)
    if (tokenLabel) r.token_label = tokenLabel
    const validFrom = str(o.valid_from)
    if (validFrom) r.valid_from = validFrom
    const validTo = str(o.valid_to)
    if (validTo) r.valid_to = validTo
    return r
  })
}

/** The unit code for the file name: the office's, else the first entry's that has one. */
export function requestUnitCode(officeUnitCode: string | null | undefined, requests: TrustRequest[]): string {
  const own = (officeUnitCode ?? '').trim()
  if (own) return own
  return requests.find((r) => r.unit_code.trim() !== '')?.unit_code.trim() ?? ''
}

/** A root fingerprint (hex) for reading aloud over the phone: groups of four, the first 32 digits. */
export function shortFingerprint(fp: string): string {
  const hex = fp.replace(/[^0-9a-fA-F]/g, '').toLowerCase()
  if (!hex) return ''
  const head = hex.slice(0, 32).match(/.{1,4}/g)?.join(' ') ?? ''
  return hex.length > 32 ? `${head} …` : head
}
