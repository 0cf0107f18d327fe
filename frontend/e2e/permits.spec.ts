import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { apiAs, apiCall, apiResponse, callFromPage, expect, login, test, walkInApplication } from './helpers'

// The permit of an approved application of this spec's own, from issue to revocation, and the
// checkpoint screen on it. One office, one story: the tests run in order. (Not the demo's
// approved application: the ready panel's "print all" in another spec issues every approved
// application of the shared office.)
test.describe.configure({ mode: 'serial' })

const APPROVED_NAME = 'Hồ Thị Cấp Giấy'
const APPROVED_SEARCH = 'ho thi cap giay'

test.beforeAll(async ({ baseURL }) => {
  const clerk = await apiAs(baseURL!, 'canbo')
  const leader = await apiAs(baseURL!, 'lanhdao')
  try {
    const app = await apiCall<{ id: string }>(clerk, 'ApplicationService/Add', walkInApplication(APPROVED_NAME))
    await apiCall(leader, 'ApplicationService/Approve', app.id)
  } finally {
    await clerk.dispose()
    await leader.dispose()
  }
})
const REVOKE_REASON = 'Công dân báo mất giấy, cấp lại giấy khác'

let permitNumber = ''
let permitQR = ''
/** The PDF the spooler printed (cups-pdf output). */
let printedPdf = ''

function cupsPdfDir(): string {
  const dir = process.env.GDD_E2E_CUPS_PDF_DIR
  if (!dir) throw new Error('GDD_E2E_CUPS_PDF_DIR is not set: global-setup starts CUPS')
  return dir
}

function pdfsIn(dir: string): Set<string> {
  return new Set(readdirSync(dir).filter((f) => f.toLowerCase().endsWith('.pdf')))
}

/** The page count of a PDF, by poppler's pdfinfo; null while the file is not complete. */
function pdfPages(file: string): number | null {
  try {
    const out = execFileSync('pdfinfo', [file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
    const m = /^Pages:\s+(\d+)/m.exec(out)
    return m ? Number(m[1]) : null
  } catch {
    return null
  }
}

/**
 * Waits (up to timeoutMs) for the PDF cups-pdf writes for a job: a file not there before,
 * named "…-job_<n>.pdf" for the job id "<queue>-<n>" (other PDFs may appear meanwhile: other
 * test suites print to the same queue), and complete enough for pdfinfo.
 */
async function waitForPrintedPdf(dir: string, before: Set<string>, jobId: string, timeoutMs: number): Promise<string> {
  const jobNo = /-(\d+)$/.exec(jobId)?.[1]
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const fresh = [...pdfsIn(dir)].filter((f) => !before.has(f))
    const mine = jobNo ? fresh.filter((f) => f.endsWith(`-job_${jobNo}.pdf`)) : fresh
    for (const f of mine) {
      const path = join(dir, f)
      if (statSync(path).size > 0 && pdfPages(path) !== null) return path
    }
    if (Date.now() > deadline) {
      throw new Error(`no complete PDF for job ${jobId} in ${dir} after ${timeoutMs} ms (new files: ${fresh.join(', ') || 'none'})`)
    }
    await new Promise((ok) => setTimeout(ok, 500))
  }
}

async function openApprovedApplication(page: Page): Promise<void> {
  await page.getByTestId('menu-applications').click()
  await expect(page.getByTestId('applications-page')).toBeVisible()
  await page.getByTestId('list-search').fill(APPROVED_SEARCH)
  const row = page.locator('[data-testid="app-row"][data-status="approved"]', { hasText: APPROVED_NAME })
  await expect(row).toHaveCount(1)
  await row.click()
  await expect(page.getByTestId('app-detail')).toHaveAttribute('data-status', 'approved')
  await expect(page.getByTestId('permit-panel')).toBeVisible()
}

async function openVerify(page: Page): Promise<void> {
  await page.getByTestId('menu-verify').click()
  await expect(page.getByTestId('verify-page')).toBeVisible()
  await expect(page.getByTestId('verify-input')).toBeFocused()
  await expect(page.getByTestId('verify-trust-age')).toHaveAttribute('data-hours', /^\d+$/)
}

test('clerk issues the permit of an approved application, previews and prints it', async ({ page }) => {
  test.setTimeout(180_000)
  await login(page, 'canbo')
  await openApprovedApplication(page)
  const panel = page.getByTestId('permit-panel')
  await expect(page.getByTestId('permit-none')).toBeVisible()
  // revocation is the approver's
  await expect(page.getByTestId('permit-revoke')).toHaveCount(0)

  const issued = apiResponse(page, 'PermitService/Issue')
  await page.getByTestId('permit-issue').click()
  const res = await issued
  expect(res.status(), await res.text()).toBe(200)
  const body = (await res.json()) as { number: string; qr: string; status: string }
  const year = new Date().getFullYear()
  expect(body.number).toMatch(new RegExp(`^\\d+/${year}/\\d{6}$`))
  expect(body.qr.startsWith('GDD1:')).toBe(true)
  permitNumber = body.number
  permitQR = body.qr

  await expect(page.getByTestId('permit-number')).toHaveText(/^\d+\/\d{4}\/\d{6}$/)
  await expect(page.getByTestId('permit-number')).toHaveText(permitNumber)
  await expect(panel).toHaveAttribute('data-permit-number', permitNumber)
  await expect(panel.getByTestId('permit-status-tag')).toHaveAttribute('data-status', body.status)
  await expect(page.getByTestId('permit-print-count')).toHaveAttribute('data-count', '0')
  await expect(page.getByTestId('permit-issue')).toHaveCount(0)

  // Preview: the PDF in a frame from a blob: URL; A4 renders again.
  const previewed = apiResponse(page, 'PermitService/Preview')
  await page.getByTestId('permit-preview').click()
  expect((await previewed).status()).toBe(200)
  const frame = page.getByTestId('pdf-preview-frame')
  await expect(frame).toHaveAttribute('src', /^blob:/)
  const a5Url = await frame.getAttribute('src')
  const a4Preview = apiResponse(page, 'PermitService/Preview')
  await page.getByTestId('pdf-preview-a4').click()
  expect(JSON.parse((await a4Preview).request().postData() ?? '[]')).toEqual([[permitNumber], true])
  await expect(frame).not.toHaveAttribute('src', a5Url ?? '')
  await expect(frame).toHaveAttribute('src', /^blob:/)
  await page.getByTestId('pdf-preview-a5').click()
  // a preview is no copy
  await expect(page.getByTestId('permit-print-count')).toHaveAttribute('data-count', '0')

  // Print from the preview, on the office default printer.
  await page.getByTestId('pdf-preview-print').click()
  await expect(page.getByTestId('print-dialog')).toBeVisible()
  await expect(page.getByTestId('print-printer')).toHaveAttribute('data-value', 'GDD-PDF')
  await expect(page.getByTestId('print-paper')).toHaveAttribute('data-value', 'a5')
  const dir = cupsPdfDir()
  const before = pdfsIn(dir)
  const printed = apiResponse(page, 'PermitService/Print')
  await page.getByTestId('print-confirm').click()
  const printRes = await printed
  expect(printRes.status(), await printRes.text()).toBe(200)
  expect(JSON.parse(printRes.request().postData() ?? '[]')).toEqual([[permitNumber], 'GDD-PDF', false])
  const success = page.getByTestId('print-success')
  await expect(success).toBeVisible()
  await expect(success).toHaveAttribute('data-job-id', /\S/)
  const jobId = (await success.getAttribute('data-job-id')) ?? ''
  await page.getByTestId('print-cancel').click()
  await expect(page.getByTestId('permit-print-count')).toHaveAttribute('data-count', '1')

  // The spooler's output: one page.
  const file = await waitForPrintedPdf(dir, before, jobId, 60_000)
  expect(pdfPages(file), file).toBe(1)
  printedPdf = file

  // Signed by hand, then handed over.
  await expect(panel).toHaveAttribute('data-permit-status', 'awaiting_hand_signature')
  await page.getByTestId('permit-hand-signed').click()
  await expect(panel).toHaveAttribute('data-permit-status', 'hand_signed')
  await expect(page.getByTestId('permit-hand-signed')).toHaveCount(0)
  await page.getByTestId('permit-hand-over').click()
  await expect(panel).toHaveAttribute('data-permit-status', 'issued')
  await expect(panel.getByTestId('permit-status-tag')).toHaveAttribute('data-status', 'issued')

  // The list shows it too.
  const listPermit = page.locator(`[data-testid="list-permit"][data-permit-number="${permitNumber}"]`)
  await expect(listPermit).toHaveAttribute('data-permit-status', 'issued')
})

test('the checkpoint screen says VALID for it: pasted, then scanned', async ({ page, context, baseURL }) => {
  expect(permitNumber).not.toBe('')
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL })
  await login(page, 'canbo')
  // the QR text as the backend has it (it may end with spaces: nothing trims it)
  const got = await callFromPage(page, 'PermitService/Get', [permitNumber])
  expect(got.status).toBe(200)
  const qr = (got.body as { qr: string }).qr
  expect(qr).toBe(permitQR)

  await openVerify(page)
  await page.evaluate((text) => navigator.clipboard.writeText(text), qr)
  const verified = apiResponse(page, 'VerifyService/Text')
  await page.getByTestId('verify-paste').click()
  const res = await verified
  expect(res.status()).toBe(200)
  expect(JSON.parse(res.request().postData() ?? '[]')).toEqual([qr])

  const result = page.getByTestId('verify-result')
  await expect(result).toHaveAttribute('data-result', 'VALID')
  await expect(result.getByTestId('verify-verdict')).toHaveAttribute('data-tone', 'ok')
  await expect(result.getByTestId('verify-number')).toHaveText(permitNumber)
  await expect(result.getByTestId('verify-name')).toHaveText(APPROVED_NAME)
  await expect(result.getByTestId('verify-id-last4')).toHaveAttribute('data-value', /^\d{4}$/)
  await expect(result.getByTestId('verify-id-last4')).toHaveText(/^…\d{4}$/)
  await expect(result.getByTestId('verify-validity')).toHaveText(/^\d{2}\/\d{2}\/\d{4} – \d{2}\/\d{2}\/\d{4}$/)
  await expect(page.getByTestId('verify-trust-age')).toHaveAttribute('data-stale', 'false')
  // Issue 9, finding 2: an office-key QR vouches only that the office's system issued it.
  await expect(result.getByTestId('verify-check-paper')).toHaveText('Kiểm tra chữ ký tay và con dấu đỏ trên giấy')
  await expect(result.getByTestId('verify-signed-by')).toHaveCount(0)
  await expect(result.getByTestId('verify-signer')).toHaveAttribute('data-kind', 'office')
  // ready for the next scan
  await expect(page.getByTestId('verify-input')).toHaveValue('')
  await expect(page.getByTestId('verify-input')).toBeFocused()

  // A USB scanner: the text typed fast, then Enter, into the focused box.
  const checkedAt = await page.getByTestId('verify-results').getAttribute('data-checked-at')
  const scanned = apiResponse(page, 'VerifyService/Text')
  await page.keyboard.type(qr, { delay: 2 })
  await page.keyboard.press('Enter')
  const scanRes = await scanned
  expect(JSON.parse(scanRes.request().postData() ?? '[]')).toEqual([qr])
  await expect(page.getByTestId('verify-results')).not.toHaveAttribute('data-checked-at', checkedAt ?? '')
  await expect(result).toHaveAttribute('data-result', 'VALID')
  await expect(page.getByTestId('verify-input')).toHaveValue('')
  await expect(page.getByTestId('verify-input')).toBeFocused()

  // A scan while the focus is elsewhere on the page still lands in the box.
  await page.getByTestId('verify-page').locator('.page-title').click()
  await expect(page.getByTestId('verify-input')).not.toBeFocused()
  const again = apiResponse(page, 'VerifyService/Text')
  await page.keyboard.type(qr, { delay: 2 })
  await page.keyboard.press('Enter')
  expect(JSON.parse((await again).request().postData() ?? '[]')).toEqual([qr])
  await expect(result).toHaveAttribute('data-result', 'VALID')

  // The printed PDF, one result per page; and a photo of it.
  expect(printedPdf).not.toBe('')
  const pdfChecked = apiResponse(page, 'VerifyService/PDF')
  await page.getByTestId('verify-file').setInputFiles(printedPdf)
  expect((await pdfChecked).status()).toBe(200)
  await expect(page.getByTestId('verify-results')).toHaveAttribute('data-source', 'pdf')
  await expect(page.getByTestId('verify-results')).toHaveAttribute('data-count', '1')
  await expect(result).toHaveAttribute('data-page', '1')
  await expect(result).toHaveAttribute('data-result', 'VALID')
  await expect(result.getByTestId('verify-number')).toHaveText(permitNumber)

  const pngDir = mkdtempSync(join(tmpdir(), 'gdd-e2e-png-'))
  try {
    const png = join(pngDir, 'permit')
    execFileSync('pdftoppm', ['-q', '-png', '-r', '150', '-singlefile', printedPdf, png], { stdio: ['ignore', 'ignore', 'pipe'] })
    const imageChecked = apiResponse(page, 'VerifyService/Image')
    await page.getByTestId('verify-file').setInputFiles(`${png}.png`)
    expect((await imageChecked).status()).toBe(200)
  } finally {
    rmSync(pngDir, { recursive: true, force: true })
  }
  await expect(page.getByTestId('verify-results')).toHaveAttribute('data-source', 'image')
  await expect(result).toHaveAttribute('data-page', '')
  await expect(result).toHaveAttribute('data-result', 'VALID')
  await expect(result.getByTestId('verify-number')).toHaveText(permitNumber)
})

test('approver revokes it with a reason; the checkpoint then says REVOKED', async ({ page }) => {
  expect(permitNumber).not.toBe('')
  await login(page, 'lanhdao')
  await openApprovedApplication(page)
  const panel = page.getByTestId('permit-panel')
  await expect(panel).toHaveAttribute('data-permit-number', permitNumber)

  await page.getByTestId('permit-revoke').click()
  await expect(page.getByTestId('revoke-dialog')).toBeVisible()
  // the reason is required
  await page.getByTestId('revoke-confirm').click()
  await expect(page.getByTestId('revoke-error')).toBeVisible()
  await page.getByTestId('revoke-reason').fill(REVOKE_REASON)
  const revoked = apiResponse(page, 'PermitService/Revoke')
  await page.getByTestId('revoke-confirm').click()
  const res = await revoked
  expect(res.status(), await res.text()).toBe(200)
  await expect(page.getByTestId('revoke-dialog')).toBeHidden()
  await expect(panel).toHaveAttribute('data-permit-status', 'revoked')
  await expect(panel.getByTestId('permit-status-tag')).toHaveAttribute('data-status', 'revoked')
  await expect(page.getByTestId('permit-revoke-reason')).toHaveText(REVOKE_REASON)
  await expect(page.getByTestId('permit-revoke')).toHaveCount(0)
  await expect(page.getByTestId('permit-print')).toHaveCount(0)

  await page.keyboard.press('Escape')
  await openVerify(page)
  await page.getByTestId('verify-input').fill(permitQR)
  await page.getByTestId('verify-input').press('Enter')
  const result = page.getByTestId('verify-result')
  await expect(result).toHaveAttribute('data-result', 'REVOKED')
  await expect(result.getByTestId('verify-verdict')).toHaveAttribute('data-tone', 'danger')
  await expect(result.getByTestId('verify-revoke-reason')).toHaveText(REVOKE_REASON)
  await expect(result.getByTestId('verify-revoked-at')).toHaveText(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/)
  await expect(result.getByTestId('verify-number')).toHaveText(permitNumber)
})

test('text that is no permit is MALFORMED', async ({ page }) => {
  await login(page, 'canbo')
  await openVerify(page)
  await page.getByTestId('verify-input').fill('xin chào, đây không phải mã giấy đi đường')
  await page.getByTestId('verify-submit').click()
  const result = page.getByTestId('verify-result')
  await expect(result).toHaveAttribute('data-result', 'MALFORMED')
  await expect(result.getByTestId('verify-verdict')).toHaveAttribute('data-tone', 'danger')
  await expect(result.getByTestId('verify-number')).toHaveCount(0)
  await expect(page.getByTestId('verify-input')).toHaveValue('')
  await expect(page.getByTestId('verify-input')).toBeFocused()
})

test('the intake page previews the blank paper form; the office default printer is in the settings', async ({ page }) => {
  await login(page, 'canbo')
  await expect(page.getByTestId('intake-page')).toBeVisible()
  await page.getByTestId('intake-paper-form').click()
  await expect(page.getByTestId('pdf-preview-frame')).toHaveAttribute('src', /^blob:/)
  await page.getByTestId('pdf-preview-print').click()
  await expect(page.getByTestId('print-dialog')).toBeVisible()
  await expect(page.getByTestId('print-printer')).toHaveAttribute('data-value', 'GDD-PDF')
  await expect(page.getByTestId('print-copies')).toBeVisible()
  await page.getByTestId('print-cancel').click()

  await page.getByTestId('header-logout').click()
  await login(page, 'quantri')
  await page.getByTestId('menu-settings').click()
  await expect(page.getByTestId('field-default_printer')).toHaveAttribute('data-value', 'GDD-PDF')
  // Issue 9, finding 1: Settings says how the office key is held (this machine has no TPM).
  await expect(page.getByTestId('settings-key-protection')).toHaveAttribute('data-protection', 'file')
})
