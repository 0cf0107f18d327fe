import { describe, expect, it } from 'vitest'
import { base64ToBlob, base64ToBytes, fileToBase64, isPdfBase64, uploadKind } from '../../src/lib/pdf'

const PDF_HEAD = '%PDF-1.7\n%âãÏÓ\n'
const pdfB64 = btoa(PDF_HEAD + 'rest')

describe('base64 → bytes and blob', () => {
  it('decodes standard base64', () => {
    expect([...base64ToBytes(btoa('\x00\x01\xfe\xff'))]).toEqual([0, 1, 254, 255])
    expect(base64ToBytes('')).toHaveLength(0)
  })

  it('tolerates missing padding, URL-safe letters, line breaks and a data: prefix', () => {
    const bytes = [0xfb, 0xff, 0xbf, 0x41]
    const std = btoa(String.fromCharCode(...bytes)) // "+/+/QQ=="
    expect(std).toContain('+')
    const urlSafe = std.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
    expect([...base64ToBytes(urlSafe)]).toEqual(bytes)
    expect([...base64ToBytes(std.slice(0, 4) + '\r\n' + std.slice(4))]).toEqual(bytes)
    expect([...base64ToBytes(`data:application/pdf;base64,${std}`)]).toEqual(bytes)
  })

  it('rejects what cannot be base64', () => {
    expect(() => base64ToBytes('abcde')).toThrow()
    expect(() => base64ToBytes('ab!d')).toThrow()
  })

  it('makes a PDF blob with the exact bytes', async () => {
    const blob = base64ToBlob(pdfB64)
    expect(blob.type).toBe('application/pdf')
    expect(blob.size).toBe(base64ToBytes(pdfB64).length)
    const back = new Uint8Array(await blob.arrayBuffer())
    expect(String.fromCharCode(...back.slice(0, 5))).toBe('%PDF-')
    expect(base64ToBlob(btoa('x'), 'image/png').type).toBe('image/png')
  })

  it('reads a file back as bare base64', async () => {
    const b64 = await fileToBase64(new Blob(['%PDF-1.4 hi'], { type: 'application/pdf' }))
    expect(b64).toBe(btoa('%PDF-1.4 hi'))
  })
})

describe('what a picked file is', () => {
  it('recognises a PDF by its content, whatever its name', () => {
    expect(isPdfBase64(pdfB64)).toBe(true)
    expect(isPdfBase64(`data:application/pdf;base64,${pdfB64}`)).toBe(true)
    expect(isPdfBase64(btoa('\x89PNG\r\n'))).toBe(false)
    expect(isPdfBase64('')).toBe(false)
    expect(uploadKind(pdfB64, { name: 'scan.jpg', type: 'image/jpeg' })).toBe('pdf')
  })

  it('falls back to the type and the name', () => {
    const png = btoa('\x89PNG\r\n\x1a\n')
    expect(uploadKind(png, { name: 'photo.png', type: 'image/png' })).toBe('image')
    expect(uploadKind(png, { name: 'IMG_0001.JPG', type: '' })).toBe('image')
    expect(uploadKind(png, { name: 'permit.PDF', type: '' })).toBe('pdf')
    expect(uploadKind(png, { name: 'notes.txt', type: 'text/plain' })).toBe('other')
  })
})
