import { describe, expect, it } from 'vitest'
import { scanReason } from '@/api'

describe('scanReason', () => {
  it('shows a queued page reason in the chosen language', () => {
    const p = { reason_vi: 'Không đọc được mã QR trên trang', reason_en: 'No permit QR could be read on the page' }
    expect(scanReason(p, 'vi')).toBe('Không đọc được mã QR trên trang')
    expect(scanReason(p, 'en')).toBe('No permit QR could be read on the page')
  })
  it('falls back to an import result message', () => {
    expect(scanReason({ message_vi: 'Giấy đi đường đã bị thu hồi', message_en: 'The permit has been revoked' }, 'en')).toBe(
      'The permit has been revoked',
    )
  })
})
