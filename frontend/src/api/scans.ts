// The scan import ("Nhập bản quét đã ký"): signed copies scanned back and matched to their
// permits by the QR, and the review queue.
import { call } from './transport'
import type { Permit } from './types'

export type ScanStatus = 'attached' | 'review' | 'discarded'

export interface ScanPageResult {
  page: number
  page_id: string
  status: ScanStatus
  permit_number?: string
  reason?: string
  message_vi?: string
  message_en?: string
  warning?: string
  already_imported?: boolean
}

export interface ScanJob {
  id: string
  file: string
  done: number
  total: number
  pages: ScanPageResult[]
  finished: boolean
  result: { matched: number; review: number; total: number; complete: boolean; pages?: ScanPageResult[] | null } | null
  error: { code: string; vi: string; en: string } | null
}

export interface ScanPage {
  id: string
  source_name: string
  source_page: number
  status: ScanStatus
  reason: string
  reason_vi: string
  reason_en: string
  warning: string
  qr_number: string
  imported_at: string
  width: number
  height: number
  blob_sha256: string | null
}

export const ScanService = {
  Start: (name: string, b64: string) => call<string>('ScanService', 'Start', name, b64),
  Job: (id: string) => call<ScanJob>('ScanService', 'Job', id),
  Cancel: (id: string) => call<null>('ScanService', 'Cancel', id),
  ScanFromScanner: async (device: string, source: string, dpi: number): Promise<string[]> =>
    (await call<string[] | null>('ScanService', 'ScanFromScanner', device, source, dpi)) ?? [],
  Review: async (): Promise<ScanPage[]> => (await call<ScanPage[] | null>('ScanService', 'Review')) ?? [],
  Assign: (pageId: string, number: string) => call<ScanPage>('ScanService', 'Assign', pageId, number),
  Discard: (pageId: string, reason: string) => call<ScanPage>('ScanService', 'Discard', pageId, reason),
  Image: (pageId: string, thumb: boolean) => call<string>('ScanService', 'Image', pageId, thumb),
  ForPermit: (number: string) => call<ScanPage | null>('ScanService', 'ForPermit', number),
  Attachments: async (number: string): Promise<AttachmentState[]> =>
    (await call<AttachmentState[] | null>('ScanService', 'Attachments', number)) ?? [],
  /** Permits a review page may go to, by name (diacritics optional) or number. */
  Candidates: async (query: string): Promise<Permit[]> => (await call<Permit[] | null>('ScanService', 'Candidates', query)) ?? [],
}

/** One of a permit's files (signed PDF, signed scan) and whether the province holds it. */
export interface AttachmentState {
  sha256: string
  present: boolean
  attempts: number
  last_error?: string
  updated_at: string
}

/** The review reason in the user's language. */
export function scanReason(p: { reason_vi?: string; reason_en?: string; message_vi?: string; message_en?: string }, locale: string): string {
  if (locale === 'en') return p.reason_en ?? p.message_en ?? ''
  return p.reason_vi ?? p.message_vi ?? ''
}
