// The provincial trust list, seen from the office: the name of the request file the office
// sends the province, and how the root fingerprint is shown.

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

/** A root fingerprint (hex) for reading aloud over the phone: groups of four, the first 32 digits. */
export function shortFingerprint(fp: string): string {
  const hex = fp.replace(/[^0-9a-fA-F]/g, '').toLowerCase()
  if (!hex) return ''
  const head = hex.slice(0, 32).match(/.{1,4}/g)?.join(' ') ?? ''
  return hex.length > 32 ? `${head} …` : head
}
