import { fileURLToPath } from 'node:url'
import zlib from 'node:zlib'
import type { Page } from '@playwright/test'
import { expect, login, test } from './helpers'

// Paper backfill (one permit by form, a whole Excel file with its error report) and the
// reports screen, against the real backend.

const fixture = fileURLToPath(new URL('./fixtures/backfill-3-rows.xlsx', import.meta.url))

/** Types a dd/MM/yyyy date into a naive-ui date picker and leaves it. */
async function typeDate(page: Page, testid: string, date: string): Promise<void> {
  const input = page.getByTestId(testid).locator('input')
  await input.fill(date)
  await input.press('Enter')
  await page.keyboard.press('Escape')
}

async function pick(page: Page, testid: string, label: string): Promise<void> {
  await page.getByTestId(testid).click()
  await page.locator('.n-base-select-menu:visible .n-base-select-option', { hasText: label }).first().click()
}

test('a clerk enters a paper permit with its scan, and bad input names the field', async ({ page }) => {
  await login(page, 'canbo')
  await page.getByTestId('menu-backfill').click()
  await expect(page.getByTestId('backfill-view')).toBeVisible()

  // Nothing filled: each required field says why, nothing is saved.
  await page.getByTestId('bf-submit').click()
  await expect(page.getByTestId('error-paper_number')).toBeVisible()
  await expect(page.getByTestId('backfill-errors')).toContainText('Số giấy')

  await page.getByTestId('bf-paper_number').locator('input').fill('PW-77/GĐĐ')
  await typeDate(page, 'bf-issued_on', '10/08/2021')
  await page.getByTestId('bf-signer_name').locator('input').fill('Trần Văn Bình')
  await page.getByTestId('bf-signer_title').locator('input').fill('Phó Chủ tịch')
  await page.getByTestId('bf-full_name').locator('input').fill('Lê Thị Hồng')
  await typeDate(page, 'bf-birth_date', '06/05/1980')
  await page.getByTestId('bf-gender-female').click()
  await page.getByTestId('bf-id_number').locator('input').fill('08218000077') // one digit short
  await page.getByTestId('bf-residence_commune_code').locator('input').fill('28261')
  await page.getByTestId('bf-residence_street').locator('input').fill('Ấp 1')
  await pick(page, 'bf-purpose_code', 'làm việc')
  await page.getByTestId('bf-route_from').locator('input').fill('Ấp 1')
  await page.getByTestId('bf-route_to').locator('input').fill('Chợ Mỹ Tho')
  await pick(page, 'bf-vehicle_type', 'Đi bộ')
  await typeDate(page, 'bf-valid_from', '10/08/2021')
  await typeDate(page, 'bf-valid_to', '15/08/2021')
  await page.getByTestId('bf-scan').setInputFiles({ name: 'giay-77.png', mimeType: 'image/png', buffer: pagePNG() })
  await page.getByTestId('bf-submit').click()
  await expect(page.getByTestId('error-id_number')).toContainText('12 chữ số')

  await page.getByTestId('bf-id_number').locator('input').fill('082180000077')
  await page.getByTestId('bf-submit').click()
  await expect(page.getByTestId('backfill-saved')).toContainText('Giấy cấp thủ công, đã nhập bổ sung')
  await expect(page.getByTestId('backfill-saved')).toContainText('TC/2021-08-10/PW-77/GĐĐ')

  // In the list, the application says it is a paper permit.
  await page.getByTestId('menu-applications').click()
  await expect(page.getByTestId('list-paper-mark').first()).toContainText('Giấy cấp thủ công')
})

test('an Excel file is checked, its bad row reported by row and column, and only its valid rows imported', async ({ page }) => {
  await login(page, 'canbo')
  await page.getByTestId('menu-backfill').click()
  await page.getByText('Nhập từ tệp Excel', { exact: true }).click()

  // The template downloads as an xlsx.
  const download = page.waitForEvent('download')
  await page.getByTestId('bf-template').click()
  expect((await download).suggestedFilename()).toMatch(/\.xlsx$/)

  // A file that is not a workbook is refused with a reason.
  await page.getByTestId('bf-file').setInputFiles({ name: 'notes.xlsx', mimeType: 'text/plain', buffer: Buffer.from('không phải excel') })
  await expect(page.getByTestId('bf-file-error')).toContainText('không phải bảng tính Excel')
  await page.getByTestId('bf-file-error').getByRole('button').click()

  await page.getByTestId('bf-file').setInputFiles(fixture)
  const report = page.getByTestId('bf-report')
  await expect(report).toBeVisible({ timeout: 30_000 })
  await expect(report).toHaveAttribute('data-valid', '2')
  await expect(report).toHaveAttribute('data-invalid', '1')
  const problem = page.getByTestId('bf-problem-4-H')
  await expect(problem).toContainText('Số CCCD/CMND')
  await expect(problem).toContainText('12 chữ số')

  // "Import nothing" writes nothing; the same file again, then the valid rows.
  await page.getByTestId('bf-import-none').click()
  await page.getByTestId('bf-file').setInputFiles(fixture)
  await expect(page.getByTestId('bf-import-valid')).toContainText('2')
  await page.getByTestId('bf-import-valid').click()
  await expect(report).toHaveAttribute('data-added', '2', { timeout: 30_000 })

  // A second import adds nothing.
  await page.getByTestId('bf-again').click()
  await page.getByTestId('bf-file').setInputFiles(fixture)
  await expect(page.getByTestId('bf-verdict')).toContainText('2 đã có trong sổ')
  await expect(page.getByTestId('bf-import-valid')).toBeDisabled()
})

test('reports show the paper permits by channel, with charts, and the register downloads', async ({ page }) => {
  await login(page, 'lanhdao')
  await page.getByTestId('menu-reports').click()
  await expect(page.getByTestId('reports-view')).toBeVisible()
  await typeDate(page, 'report-from', '01/08/2021')
  await page.getByTestId('report-show').click()
  const paper = page.getByTestId('report-channel-paper_backfill')
  await expect(paper).toBeVisible()
  expect(Number(await paper.getAttribute('data-value'))).toBeGreaterThanOrEqual(3)
  await expect(paper).toContainText('Giấy cấp thủ công')
  await expect(page.getByTestId('report-chart-day').locator('canvas')).toBeVisible()
  const total = Number(await page.getByTestId('report-total').getAttribute('data-value'))
  let sum = 0
  for (const row of await page.getByTestId('report-chart-channel').locator('tr').all()) sum += Number(await row.getAttribute('data-value'))
  expect(sum).toBe(total)

  await typeDate(page, 'register-day', '10/08/2021')
  await page.getByTestId('register-show').click()
  await expect(page.getByTestId('register-table')).toContainText('PW-77/GĐĐ')
  await expect(page.getByTestId('register-table')).toContainText('Giấy cấp thủ công')
  for (const [id, ext] of [
    ['register-pdf', 'pdf'],
    ['register-xlsx', 'xlsx'],
  ] as const) {
    const dl = page.waitForEvent('download')
    await page.getByTestId(id).click()
    expect((await dl).suggestedFilename()).toBe(`so-theo-doi-2021-08-10.${ext}`)
  }
  // Only the office admin sees the retention setting.
  await expect(page.getByTestId('retention-card')).toHaveCount(0)
})

/** A one-page scan: an 8-bit grey PNG of a blank A5 page at 100 dpi with a dark band. */
function pagePNG(): Buffer {
  const w = 583
  const h = 827
  const raw = Buffer.alloc((w + 1) * h, 255)
  for (let y = 0; y < h; y++) {
    raw[y * (w + 1)] = 0 // filter: none
    if (y > 100 && y < 130) raw.fill(40, y * (w + 1) + 60, y * (w + 1) + w - 60)
  }
  const { deflateSync, crc32 } = zlib
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4)
    len.writeUInt32BE(data.length)
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data])
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(td) >>> 0)
    return Buffer.concat([len, td, crc])
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(w, 0)
  ihdr.writeUInt32BE(h, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 0 // greyscale
  const phys = Buffer.alloc(9)
  phys.writeUInt32BE(3937, 0) // 100 dpi in pixels per metre
  phys.writeUInt32BE(3937, 4)
  phys[8] = 1
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('pHYs', phys),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ])
}
