// Bytes for the screen: the backend hands PDFs over as base64 strings; the browser shows
// them from a blob: URL (a data: URL of a large PDF is slow, and some viewers refuse it).

/** Decodes base64 (standard or URL-safe, with or without padding, a data: URL prefix or line breaks). */
export function base64ToBytes(b64: string): Uint8Array {
  let s = b64.trim()
  const comma = s.startsWith('data:') ? s.indexOf(',') : -1
  if (comma >= 0) s = s.slice(comma + 1)
  s = s.replace(/\s+/g, '').replace(/-/g, '+').replace(/_/g, '/')
  if (s.length % 4 === 1) throw new Error('invalid base64 length')
  while (s.length % 4 !== 0) s += '='
  const bin = atob(s)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

/** A Blob of the decoded bytes; a PDF unless told otherwise. */
export function base64ToBlob(b64: string, type = 'application/pdf'): Blob {
  const bytes = base64ToBytes(b64)
  // copy into a plain ArrayBuffer: BlobPart wants ArrayBuffer, not ArrayBufferLike
  const buf = new ArrayBuffer(bytes.byteLength)
  new Uint8Array(buf).set(bytes)
  return new Blob([buf], { type })
}

/** True when the decoded bytes start with the PDF signature "%PDF-". */
export function isPdfBase64(b64: string): boolean {
  let s = b64.trim()
  if (s.startsWith('data:')) s = s.slice(s.indexOf(',') + 1)
  try {
    const head = base64ToBytes(s.replace(/\s+/g, '').slice(0, 8))
    return String.fromCharCode(...head.slice(0, 5)) === '%PDF-'
  } catch {
    return false
  }
}

export type UploadKind = 'pdf' | 'image' | 'other'

/**
 * What a picked file is, by its content first (a PDF starts with "%PDF-"), then by its type
 * and name: phones and scanners do not always name files well.
 */
export function uploadKind(b64: string, file: { name: string; type: string }): UploadKind {
  if (isPdfBase64(b64)) return 'pdf'
  if (file.type === 'application/pdf' || /\.pdf$/i.test(file.name)) return 'pdf'
  if (file.type.startsWith('image/') || /\.(png|jpe?g|gif|bmp|webp|tiff?)$/i.test(file.name)) return 'image'
  return 'other'
}

/** Reads a file (or blob) as base64, without the data: URL prefix. */
export function fileToBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader()
    reader.onload = () => {
      const url = typeof reader.result === 'string' ? reader.result : ''
      resolve(url.slice(url.indexOf(',') + 1))
    }
    reader.onerror = () => reject(reader.error ?? new Error('read failed'))
    reader.readAsDataURL(file)
  })
}
