// The sync panel against a real provincial server on loopback (e2e/province.ts), at an office
// enrolled there whose accounts came from the province in a first sync: the panel
// before and after a run started by "Đồng bộ ngay" (on loopback the run ends before the
// panel's next poll, so its end state — done/total records, bytes — is what is checked), each record's sync state in the
// list, and a conflict shown for a person — the same version of an application sent by a
// restored copy of the office with other content.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { DEMO_PASSWORD, walkInApplication } from './helpers'
import { gddctl, newOfficeDir, run, serveOffice, startProvince, type Office, type Province } from './province'

let province: Province
let office: Office
let officeDir: string
let copyDir: string
const surname = "Đồng Bộ" // the office is this spec's own: names need not be unique
let conflicted = ''

function addApplication(dir: string, fullName: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'gdd-e2e-app-')), 'app.json')
  writeFileSync(file, JSON.stringify(walkInApplication(fullName)))
  const out = JSON.parse(run(gddctl, ['--data', dir, '--user', 'canbo.tinh', '--json', 'application', 'add', file], DEMO_PASSWORD)) as { id: string }
  return out.id
}

test.beforeAll(async () => {
  test.setTimeout(240_000)
  province = await startProvince()
  officeDir = newOfficeDir()
  run(gddctl, ['--data', officeDir, '--user', 'quantri', '--json', 'enroll', '--server', province.url, '--code', province.officeCode('28261')], DEMO_PASSWORD)
  // Once enrolled, the office signs in only the province's accounts: a first sync brings them.
  province.addAccount('28261', 'canbo.tinh', 'clerk', 'Cán Bộ Đồng Bộ', DEMO_PASSWORD)
  province.addAccount('28261', 'lanhdao.tinh', 'approver', 'Lãnh Đạo Đồng Bộ', DEMO_PASSWORD)
  run(gddctl, ['--data', officeDir, '--json', 'sync'])
  addApplication(officeDir, `Nguyễn Văn ${surname}`)
  conflicted = addApplication(officeDir, `Trần Thị ${surname}`)
  // A copy of the office as it is now (a backup restored on another PC): it decides the
  // second application one way and syncs first; the office decides it the other way.
  copyDir = mkdtempSync(join(tmpdir(), 'gdd-e2e-office-copy-'))
  cpSync(officeDir, copyDir, { recursive: true })
  run(gddctl, ['--data', copyDir, '--user', 'lanhdao.tinh', 'application', 'reject', conflicted, '--reason', 'Bản sao từ chối'], DEMO_PASSWORD)
  run(gddctl, ['--data', copyDir, '--json', 'sync'])
  run(gddctl, ['--data', officeDir, '--user', 'lanhdao.tinh', 'application', 'approve', conflicted], DEMO_PASSWORD)
  office = await serveOffice(officeDir)
})

test.afterAll(async () => {
  await office?.close()
  await province?.close()
  if (!process.env.GDD_E2E_KEEP) {
    for (const d of [officeDir, copyDir]) if (d) rmSync(d, { recursive: true, force: true })
  }
})

async function signIn(page: Page, username: string): Promise<void> {
  await page.goto(office.link) // sets the bridge's secret cookie and redirects
  await expect(page.getByTestId('login-username')).toBeVisible()
  await page.getByTestId('login-username').fill(username)
  await page.getByTestId('login-password').fill(DEMO_PASSWORD)
  await page.getByTestId('login-password').press('Enter')
  await expect(page.getByTestId('side-menu')).toBeVisible()
  const notices = page.getByTestId('account-notices')
  if (await notices.isVisible()) await page.getByTestId('account-notices-seen').click()
}

test('the sync panel before and after a sync, the records sent, a conflict shown for a person', async ({ page }) => {
  await signIn(page, 'canbo.tinh')

  // Before: records wait, shown in the list beside each application.
  await page.getByTestId('menu-applications').click()
  const row = page.locator('tr', { hasText: `Nguyễn Văn ${surname}` })
  await expect(row.getByTestId('sync-state')).toHaveAttribute('data-state', 'waiting')
  await expect(row.getByTestId('sync-state')).toHaveText('Chờ gửi')

  await page.getByTestId('menu-sync').click()
  await expect(page.getByTestId('sync-view')).toBeVisible()
  await expect(page.getByTestId('sync-server')).toHaveText(province.url)
  const pending = page.getByTestId('sync-pending')
  await expect(pending).not.toHaveAttribute('data-pending', '0')
  await expect(page.getByTestId('sync-in-sync')).toHaveAttribute('data-in-sync', 'false')

  // After the run: progress in records and bytes, nothing left to send.
  await page.getByTestId('sync-now').click()
  await expect(pending).toHaveAttribute('data-pending', '0', { timeout: 30_000 })
  await expect(page.getByTestId('sync-progress')).toHaveAttribute('data-running', 'false')
  await expect(page.getByTestId('sync-progress')).toContainText(/(\d+)\/\1 bản ghi · đã gửi [\d.]+ (B|KB)/)
  await expect(page.getByTestId('sync-last-success')).not.toHaveText('Chưa có')
  await expect(page.getByTestId('sync-lists')).toContainText('giờ trước')

  // The conflict: the record named for a person, with the province's words; not in sync.
  const attention = page.getByTestId('sync-attention-row')
  await expect(attention).toHaveCount(1)
  await expect(attention).toHaveAttribute('data-status', 'conflict')
  await expect(attention).toContainText(`Trần Thị ${surname}`)
  await expect(attention).toContainText('Xung đột')
  await expect(attention).toContainText('already received with other content')
  await expect(page.getByTestId('sync-in-sync')).toHaveAttribute('data-in-sync', 'false')

  // Each record's state in the list: sent, and "lỗi" for the one in conflict.
  await page.getByTestId('menu-applications').click()
  await expect(row.getByTestId('sync-state')).toHaveAttribute('data-state', 'sent')
  await expect(row.getByTestId('sync-state')).toHaveText('Đã gửi')
  const bad = page.locator('tr', { hasText: `Trần Thị ${surname}` })
  await expect(bad.getByTestId('sync-state')).toHaveAttribute('data-state', 'error')
  await expect(bad.getByTestId('sync-state')).toHaveText('Lỗi')
})
