// Typed errors of the backend. Every service method may reject with one of these.

export const ERROR_CODES = [
  'validation',
  'forbidden',
  'unauthenticated',
  'not_found',
  'conflict',
  'locked',
  'invalid_transition',
  'screen_locked',
  'internal',
  'duplicate',
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

export interface FieldError {
  field: string
  code: string
  vi: string
  en: string
}

/** An existing record of the same citizen that a 'duplicate' error is about. */
export interface DuplicateRecord {
  id: string
  full_name: string
  id_number: string
  status: string
  valid_from: string
  valid_to: string
  route_to: string
  created_at: string
  permit_number: string
  permit_status: string
}

export class ApiError extends Error {
  readonly code: ErrorCode
  readonly vi: string
  readonly en: string
  readonly fields: FieldError[]
  readonly duplicates: DuplicateRecord[]

  constructor(code: ErrorCode, vi: string, en: string, fields: FieldError[] = [], duplicates: DuplicateRecord[] = []) {
    super(en || vi || code)
    this.name = 'ApiError'
    this.code = code
    this.vi = vi
    this.en = en
    this.fields = fields
    this.duplicates = duplicates
  }

  /** The message in the given UI language, falling back to the other one. */
  text(locale: string): string {
    const preferred = locale.startsWith('en') ? this.en : this.vi
    return preferred || this.vi || this.en || this.code
  }

  /** The first error reported for a field, if any. */
  field(name: string): FieldError | undefined {
    return this.fields.find((f) => f.field === name)
  }
}

export function fieldText(f: FieldError, locale: string): string {
  const preferred = locale.startsWith('en') ? f.en : f.vi
  return preferred || f.vi || f.en || f.code
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : ''
}

function toCode(v: unknown): ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(str(v)) ? (v as ErrorCode) : 'internal'
}

function fromObject(o: Record<string, unknown>): ApiError | null {
  // Accept both a bare error object and one wrapped as {"error": {...}}.
  if (!('code' in o) && isRecord(o.error)) return fromObject(o.error)
  if (!('code' in o) && !('vi' in o) && !('en' in o)) return null
  const fields: FieldError[] = Array.isArray(o.fields)
    ? o.fields.filter(isRecord).map((f) => ({
        field: str(f.field),
        code: str(f.code),
        vi: str(f.vi),
        en: str(f.en),
      }))
    : []
  const duplicates: DuplicateRecord[] = Array.isArray(o.duplicates)
    ? o.duplicates.filter(isRecord).map((d) => ({
        id: str(d.id),
        full_name: str(d.full_name),
        id_number: str(d.id_number),
        status: str(d.status),
        valid_from: str(d.valid_from),
        valid_to: str(d.valid_to),
        route_to: str(d.route_to),
        created_at: str(d.created_at),
        permit_number: str(d.permit_number),
        permit_status: str(d.permit_status),
      }))
    : []
  return new ApiError(toCode(o.code), str(o.vi), str(o.en), fields, duplicates)
}

function fromText(text: string): ApiError {
  const trimmed = text.trim()
  const start = trimmed.indexOf('{')
  if (start >= 0) {
    try {
      const parsed: unknown = JSON.parse(trimmed.slice(start))
      if (isRecord(parsed)) {
        const e = fromObject(parsed)
        if (e) return e
      }
    } catch {
      // not JSON: fall through
    }
  }
  return new ApiError('internal', trimmed, trimmed)
}

/**
 * Turns anything a backend call rejected with into an ApiError: an ApiError as is, the
 * JSON error object of the HTTP bridge, the string a Wails binding rejects with (the
 * same JSON, possibly prefixed), or any other Error/value as an `internal` error.
 */
export function parseApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e
  if (typeof e === 'string') return fromText(e)
  if (e instanceof Error) return fromText(e.message)
  if (isRecord(e)) {
    const fromObj = fromObject(e)
    if (fromObj) return fromObj
  }
  return new ApiError('internal', String(e), String(e))
}
