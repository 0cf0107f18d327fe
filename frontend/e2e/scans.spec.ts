import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { apiAs, apiCall, expect, issueAwaitingPermits, login, test } from './helpers'

// The hand-signed path in the window: the clerk imports the stack of signed copies (file
// picker, drag and drop), watches it go through with the progress bar (and can stop it),
// sees the pages matched by their QR, works the review queue (a manual match by a search by
// name with the page beside the permit, a discard with a reason), finds the signed scan in
// the permit panel, and is told why a bad file is refused.
//
// The scans are the office's own permit PDFs rasterised at 200 dpi by poppler's pdftoppm and
// bundled by ImageMagick (both installed by scripts/ensure-deps.sh test), as a scanner would
// give them back.

test.describe.configure({ mode: 'serial' })

const work = mkdtempSync(join(tmpdir(), 'gdd-e2e-scans-'))

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120_000 })
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.status ?? r.signal} ${r.stderr}${r.error ? String(r.error) : ''}`)
}

/** The permits as printed (A4), each page rasterised at 200 dpi: JPEG files in page order. */
async function scannedPages(baseURL: string, numbers: string[], tag: string): Promise<string[]> {
  const clerk = await apiAs(baseURL, 'canbo')
  try {
    const b64 = await apiCall<string>(clerk, 'PermitService/Preview', numbers, true)
    const pdf = join(work, `${tag}.pdf`)
    writeFileSync(pdf, Buffer.from(b64, 'base64'))
    run('pdftoppm', ['-r', '200', '-jpeg', '-jpegopt', 'quality=85', pdf, join(work, tag)])
    return readdirSync(work)
      .filter((f) => f.startsWith(`${tag}-`) && f.endsWith('.jpg'))
      .sort()
      .map((f) => join(work, f))
  } finally {
    await clerk.dispose()
  }
}

/** A blank sheet as a 200 dpi scan (no QR: it goes to review as unreadable). */
function blankPage(name: string): string {
  const out = join(work, name)
  run('convert', ['-size', '1654x2339', 'xc:white', '-attenuate', '0.3', '+noise', 'Gaussian', '-units', 'PixelsPerInch', '-density', '200', '-quality', '80', out])
  return out
}

/** Several pages as one multi-page TIFF (JPEG-compressed, as scanner software saves a stack). */
function tiffStack(pages: string[], name: string): string {
  const out = join(work, name)
  run('convert', ['-units', 'PixelsPerInch', '-density', '200', ...pages, '-compress', 'JPEG', '-quality', '80', out])
  return out
}

async function openScans(page: Page): Promise<void> {
  await page.getByTestId('menu-scans').click()
  await expect(page.getByTestId('scan-view')).toBeVisible()
}

/** Drops a file on the drop zone as the desktop's file manager does. */
async function dropFile(page: Page, path: string, name: string, type: string): Promise<void> {
  const b64 = readFileSync(path).toString('base64')
  const dt = await page.evaluateHandle(
    ({ b64, name, type }) => {
      const bin = atob(b64)
      const bytes = new Uint8Array(bin.length)
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i)
      const t = new DataTransfer()
      t.items.add(new File([bytes], name, { type }))
      return t
    },
    { b64, name, type },
  )
  await page.getByTestId('scan-drop').dispatchEvent('dragover', { dataTransfer: dt })
  await page.getByTestId('scan-drop').dispatchEvent('drop', { dataTransfer: dt })
}

function job(page: Page, file: string) {
  return page.locator('[data-testid="scan-job"]', { hasText: file })
}

test('a stack through the file picker: its pages matched by the QR, the rest in review with the reason, the signed scan in the permit panel, the hand-over with a printed copy', async ({ page, baseURL }) => {
  test.setTimeout(240_000)
  const numbers = await issueAwaitingPermits(baseURL!, 2, 'Quétmột')
  const pages = await scannedPages(baseURL!, numbers, 'picker')
  expect(pages).toHaveLength(2)
  const stack = tiffStack([...pages, blankPage('picker-blank.jpg')], 'ky-tay-sang.tif')

  await login(page, 'canbo')
  await openScans(page)
  await page.getByTestId('scan-file').setInputFiles(stack)
  const j = job(page, 'ky-tay-sang.tif')
  await expect(j).toBeVisible()
  await expect(j.getByRole('progressbar')).toBeVisible()
  await expect(j).toHaveAttribute('data-finished', 'true', { timeout: 180_000 })
  await expect(j).toContainText('3/3')
  await expect(j.getByTestId('scan-result')).toHaveAttribute('data-matched', '2')
  await expect(j.getByTestId('scan-result')).toHaveAttribute('data-review', '1')
  // The blank sheet waits with its reason.
  const blank = page.locator('[data-testid="scan-queue-item"]', { hasText: 'ky-tay-sang.tif' })
  await expect(blank).toHaveCount(1)
  await expect(blank).toHaveAttribute('data-reason', 'unreadable')
  await expect(blank).toContainText('Không đọc được mã QR')

  // The permit panel shows the signed scan of the first permit, now hand-signed.
  await page.getByTestId('menu-applications').click()
  await expect(page.getByTestId('applications-page')).toBeVisible()
  await page.getByTestId('list-search').fill('quetmot')
  const row = page.locator('[data-testid="app-row"]').first()
  await expect(page.locator('[data-testid="app-row"]')).toHaveCount(2)
  await row.click()
  const panel = page.getByTestId('permit-panel')
  await expect(panel).toBeVisible()
  await expect(panel.getByTestId('permit-signed-scan')).not.toHaveAttribute('data-page-id', '')
  await expect(panel.getByTestId('permit-signed-scan').locator('img.thumb')).toBeVisible()
  await expect(panel).toContainText('Đã ký tay')

  // Hand-over with a printed copy for the citizen (the office's default printer, cups-pdf):
  // the permit is issued, and one more copy is counted.
  const count = Number(await panel.getByTestId('permit-print-count').getAttribute('data-count'))
  await panel.getByTestId('permit-hand-over-copy').click()
  await panel.getByTestId('permit-hand-over').click()
  await expect(page.getByText('Đã in một bản và ghi nhận giao giấy số')).toBeVisible({ timeout: 60_000 })
  await expect(panel.getByTestId('permit-print-count')).toHaveAttribute('data-count', String(count + 1))
  await expect(panel.getByTestId('permit-hand-over')).toHaveCount(0)
})

test('drag and drop; a manual match by a search by name, page and permit side by side; a discard with its reason', async ({ page, baseURL }) => {
  test.setTimeout(240_000)
  const [number] = await issueAwaitingPermits(baseURL!, 1, 'Quéthai')
  const [clean] = await scannedPages(baseURL!, [number!], 'dropped')
  // So blurred that no QR can be read: the page waits for the clerk, its image kept.
  const blurred = join(work, 'mo-nhoe.jpg')
  run('convert', [clean!, '-blur', '0x9', '-quality', '80', blurred])

  await login(page, 'canbo')
  await openScans(page)
  await dropFile(page, blurred, 'mo-nhoe.jpg', 'image/jpeg')
  const j = job(page, 'mo-nhoe.jpg')
  await expect(j).toHaveAttribute('data-finished', 'true', { timeout: 180_000 })
  await expect(j.getByTestId('scan-result')).toHaveAttribute('data-review', '1')

  const item = page.locator('[data-testid="scan-queue-item"]', { hasText: 'mo-nhoe.jpg' })
  await expect(item).toHaveAttribute('data-reason', 'unreadable')
  await item.click()
  const side = page.getByTestId('scan-side-by-side')
  await expect(side.locator('.page img')).toBeVisible()
  // Search by name without diacritics.
  await side.getByTestId('scan-number').locator('input').fill('quethai')
  await side.getByTestId('scan-find').click()
  await expect(side.getByTestId('scan-candidate')).toHaveAttribute('data-number', number!)
  await expect(side.getByTestId('scan-candidate')).toContainText('Quéthai')
  await side.getByTestId('scan-assign').click()
  await expect(item).toHaveCount(0)
  const clerk = await apiAs(baseURL!, 'canbo')
  try {
    const p = await apiCall<{ status: string; hand_signed_page: string | null }>(clerk, 'PermitService/Get', number)
    expect(p.status).toBe('hand_signed')
    expect(p.hand_signed_page).toBeTruthy()
  } finally {
    await clerk.dispose()
  }

  // The blank sheet of the first test is discarded, with the reason asked for.
  const blank = page.locator('[data-testid="scan-queue-item"]', { hasText: 'ky-tay-sang.tif' })
  await blank.click()
  await side.getByTestId('scan-discard').click()
  await expect(page.getByTestId('scan-error')).toContainText('lý do')
  await expect(blank).toHaveCount(1)
  await side.getByTestId('scan-discard-reason').locator('input').fill('Tờ giấy trắng kẹp lẫn')
  await side.getByTestId('scan-discard').click()
  await expect(blank).toHaveCount(0)
})

test('the progress bar of a long stack, and stopping it: the pages saved stay, the rest are not read', async ({ page, baseURL }) => {
  test.setTimeout(240_000)
  // 30 sheets whose QR cannot be read, so each costs the whole cascade: the stack is still
  // going when the clerk stops it, however fast the machine.
  const [number] = await issueAwaitingPermits(baseURL!, 1, 'Quétba')
  const [clean] = await scannedPages(baseURL!, [number!], 'long')
  const sheet = join(work, 'long-blurred.jpg')
  run('convert', [clean!, '-blur', '0x10', '-quality', '70', sheet])
  const stack = tiffStack(Array.from({ length: 30 }, () => sheet), 'xep-dai.tif')
  await login(page, 'canbo')
  await openScans(page)
  await page.getByTestId('scan-file').setInputFiles(stack)
  const j = job(page, 'xep-dai.tif')
  await expect(j.getByRole('progressbar')).toBeVisible()
  await expect(j).toContainText('/30')
  await j.getByTestId('scan-cancel').click()
  await expect(j).toHaveAttribute('data-finished', 'true', { timeout: 120_000 })
  await expect(j.getByTestId('scan-stopped')).toBeVisible()
  const saved = Number(await j.getByTestId('scan-result').getAttribute('data-review'))
  expect(saved).toBeLessThan(30)
})

test('bad files are refused with their message and change nothing; so is a file over the office limit', async ({ page, baseURL, browser }) => {
  test.setTimeout(180_000)
  const notes = join(work, 'ghi-chu.txt')
  writeFileSync(notes, 'không phải bản quét')
  const sheet = readFileSync(blankPage('truncated-source.jpg'))
  const truncated = join(work, 'bi-cat.jpg')
  writeFileSync(truncated, sheet.subarray(0, Math.floor(sheet.length / 2)))

  await login(page, 'canbo')
  await openScans(page)
  const before = await page.locator('[data-testid="scan-queue-item"]').count()
  await page.getByTestId('scan-file').setInputFiles(notes)
  await expect(job(page, 'ghi-chu.txt').getByTestId('scan-job-error')).toContainText('Định dạng tệp không được hỗ trợ')
  await page.getByTestId('scan-file').setInputFiles(truncated)
  await expect(job(page, 'bi-cat.jpg').getByTestId('scan-job-error')).toContainText('bị hỏng')
  await expect(page.locator('[data-testid="scan-queue-item"]')).toHaveCount(before)

  // The office admin lowers the size limit to 1 MB on the Settings page (their own browser):
  // a bigger file is refused at once.
  const adminPage = await browser.newPage({ baseURL, storageState: process.env.GDD_E2E_STORAGE })
  await login(adminPage, 'quantri')
  await adminPage.getByTestId('menu-settings').click()
  const limit = adminPage.getByTestId('settings-scan-max-file')
  await expect(limit).toBeEnabled() // the office's settings are in
  await expect(limit).toHaveValue('200')
  await limit.fill('1')
  await adminPage.getByTestId('settings-save').click()
  await expect(adminPage.getByText('Đã lưu cài đặt')).toBeVisible()
  await adminPage.close()
  const admin = await apiAs(baseURL!, 'quantri')
  try {
    const s = await apiCall<Record<string, unknown>>(admin, 'SettingsService/Get')
    expect(s.scan_max_file_mb).toBe(1)
    const big = join(work, 'qua-lon.pdf')
    writeFileSync(big, Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(1_200_000, 0x20), Buffer.from('\n%%EOF\n')]))
    await page.getByTestId('scan-file').setInputFiles(big)
    await expect(page.getByTestId('scan-error')).toContainText('tối đa 1 MB')
    await expect(job(page, 'qua-lon.pdf')).toHaveCount(0)
    await apiCall(admin, 'SettingsService/Update', { ...s, scan_max_file_mb: 200 })
  } finally {
    await admin.dispose()
  }
})
