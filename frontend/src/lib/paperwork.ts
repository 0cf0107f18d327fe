// Pure helpers of the backfill, reports and account-list screens (tested in tests/unit).
import type { BackfillJob, BackfillProblem, Bucket } from '@/api'
import { addDaysISO, todayISO } from './dates'

/** The report period the screen opens on: the last 30 days, today included. */
export function defaultPeriod(now: Date = new Date()): { from: string; to: string } {
  const to = todayISO(now)
  return { from: addDaysISO(to, -29), to }
}

/**
 * A breakdown for a chart: the largest `max - 1` buckets and the rest summed as one "other"
 * bar, so a province's hundred communes still make a readable chart. Days keep their order
 * and are never folded.
 */
export function chartBuckets(buckets: readonly Bucket[] | null, max: number, otherLabel: string): Bucket[] {
  const list = [...(buckets ?? [])]
  if (list.length <= max) return list
  const head = list.slice(0, max - 1)
  const rest = list.slice(max - 1).reduce((n, b) => n + b.count, 0)
  return [...head, { key: '_other', label: otherLabel, count: rest }]
}

/** Percent for the import's progress bar: reading is the first half, saving the second. */
export function importPercent(job: Pick<BackfillJob, 'phase' | 'done' | 'total' | 'finished' | 'commit'>): number {
  if (job.finished) return 100
  const frac = job.total > 0 ? Math.min(1, job.done / job.total) : 0
  if (!job.commit) return Math.round(frac * 100)
  return Math.round(job.phase === 'saving' ? 50 + frac * 50 : frac * 50)
}

/** Problems in reading order: by row, then column (A…Z, AA…). */
export function sortedProblems(problems: readonly BackfillProblem[] | null): BackfillProblem[] {
  const col = (c: string) => c.length * 100 + (c.charCodeAt(0) - 64) * 27 + (c.length > 1 ? c.charCodeAt(1) - 64 : 0)
  return [...(problems ?? [])].sort((a, b) => a.row - b.row || col(a.column) - col(b.column))
}

/** Rows with at least one problem. */
export function faultyRows(problems: readonly BackfillProblem[] | null): number {
  return new Set((problems ?? []).map((p) => p.row)).size
}

/** Unit codes typed as "28261, 28264;28267" → ["28261", "28264", "28267"]. */
export function parseUnitCodes(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

/** Saves bytes (base64) under a file name through a temporary link. */
export function downloadBase64(b64: string, name: string, type: string): void {
  const bin = atob(b64)
  const bytes = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i)
  const url = URL.createObjectURL(new Blob([bytes], { type }))
  const a = document.createElement('a')
  a.href = url
  a.download = name
  a.rel = 'noopener'
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
