import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Locator, Page } from '@playwright/test'
import { apiResponse, callFromPage, expect, login, test } from './helpers'

// The provincial trust list in Settings (office admin): the key enrolment request file for
// the province, and the import of the province's bundle. The demo office is its own province
// (it holds the stand-in root key), so `gddctl trust export` re-signs its current lists as a
// newer bundle: the file a province would send back.

const frontendDir = fileURLToPath(new URL('..', import.meta.url))
const gddctl = process.env.GDDCTL ?? resolve(frontendDir, '../build/bin/gddctl')

interface TrustStatusView {
  trust_issued_at: string
  revocation_issued_at: string
  imported_at: string
  entries: number
  revoked: number
  stale: boolean
}

interface RequestEntry {
  key_id: string
  kind: string
  algorithm: string
  public_key: string
  officer: string
  officer_username?: string
  unit_code: string
  created_at: string
}

let tmp = ''
test.beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'gdd-e2e-trust-'))
})
test.afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true })
})

/** `gddctl --data $GDD_E2E_DATA trust export -o <tmp>/<name>`: a bundle signed now. */
function exportBundle(name: string): string {
  const dataDir = process.env.GDD_E2E_DATA
  if (!dataDir) throw new Error('GDD_E2E_DATA is not set: run through `npm run e2e` (global-setup makes the data directory)')
  const file = join(tmp, name)
  const env: NodeJS.ProcessEnv = { ...process.env, GDD_PASSWORD: '' }
  delete env.GDD_DATA
  const res = spawnSync(gddctl, ['--data', dataDir, 'trust', 'export', '-o', file], { env, encoding: 'utf8', timeout: 30_000 })
  if (res.status !== 0) throw new Error(`gddctl trust export failed (${res.status ?? res.signal}): ${res.stderr}`)
  return file
}

async function backendStatus(page: Page): Promise<TrustStatusView> {
  const res = await callFromPage(page, 'VerifyService/TrustStatus', [])
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return res.body as TrustStatusView
}

async function openSettings(page: Page): Promise<Locator> {
  await page.getByTestId('menu-settings').click()
  await expect(page.getByTestId('settings-page')).toBeVisible()
  const card = page.getByTestId('trust-card')
  await expect(card).toContainText('Danh sách tin cậy của tỉnh')
  const status = card.getByTestId('trust-status')
  await expect(status).toHaveAttribute('data-state', 'loaded')
  return status
}

/** The status the card shows is the backend's. */
async function expectShows(status: Locator, st: TrustStatusView): Promise<void> {
  await expect(status).toHaveAttribute('data-imported-at', st.imported_at)
  await expect(status).toHaveAttribute('data-issued-at', st.trust_issued_at)
  await expect(status).toHaveAttribute('data-entries', String(st.entries))
  await expect(status).toHaveAttribute('data-revoked', String(st.revoked))
  await expect(status).toHaveAttribute('data-stale', String(st.stale))
  await expect(status.getByTestId('trust-entries')).toHaveText(String(st.entries))
}

test('the office admin sees the trust list and exports the key enrolment request', async ({ page }) => {
  await login(page, 'quantri')
  const status = await openSettings(page)
  const st = await backendStatus(page)
  await expectShows(status, st)
  expect(st.entries).toBeGreaterThanOrEqual(2) // the office key and lanhdao's key (global-setup)
  await expect(status.getByTestId(st.stale ? 'trust-stale' : 'trust-fresh')).toBeVisible()
  await expect(page.getByTestId('trust-card')).toContainText('gửi tệp này cho Sở Khoa học và Công nghệ tỉnh Đồng Tháp')

  const office = (await callFromPage(page, 'AuthService/Status', [])).body as { office: { unit_code: string } }
  const unitCode = office.office.unit_code
  expect(unitCode).not.toBe('')

  const downloading = page.waitForEvent('download')
  await page.getByTestId('trust-export').click()
  const download = await downloading
  expect(download.suggestedFilename()).toBe(`yeu-cau-dang-ky-khoa-${unitCode}.json`)
  const path = await download.path()
  const entries = JSON.parse(readFileSync(path, 'utf8')) as RequestEntry[]
  expect(Array.isArray(entries)).toBe(true)

  const officeKey = entries.find((e) => e.kind === 'office')
  expect(officeKey, JSON.stringify(entries)).toBeDefined()
  expect(officeKey!.public_key).toContain('BEGIN PUBLIC KEY')
  expect(officeKey!.officer_username).toBeUndefined()
  const leaderKey = entries.find((e) => e.kind === 'fido' && e.officer_username === 'lanhdao')
  expect(leaderKey, JSON.stringify(entries)).toBeDefined()
  if (process.env.GDD_E2E_LEADER_KEY_ID) expect(leaderKey!.key_id).toBe(process.env.GDD_E2E_LEADER_KEY_ID)
  for (const e of entries) {
    expect(e.key_id).toMatch(/^[0-9a-f]{16}$/)
    expect(e.unit_code).toBe(unitCode)
    expect(e.created_at).not.toBe('')
  }
  // the link to save it again carries the same name
  const again = page.getByTestId('trust-export-save')
  await expect(again).toHaveAttribute('download', `yeu-cau-dang-ky-khoa-${unitCode}.json`)
  await expect(again).toContainText(`yeu-cau-dang-ky-khoa-${unitCode}.json`)
})

test("importing the province's newer bundle makes it current", async ({ page }) => {
  await login(page, 'quantri')
  const status = await openSettings(page)
  const before = await backendStatus(page)
  await expectShows(status, before)

  const bundle = exportBundle('newer.bundle')
  const imported = apiResponse(page, 'TokenService/ImportTrust')
  await page.getByTestId('trust-import-file').setInputFiles(bundle)
  const res = await imported
  expect(res.status(), await res.text()).toBe(200)

  const after = await backendStatus(page)
  expect(after.imported_at).not.toBe(before.imported_at)
  expect(Date.parse(after.trust_issued_at)).toBeGreaterThanOrEqual(Date.parse(before.trust_issued_at))
  expect(after.entries).toBe(before.entries)
  expect(after.stale).toBe(false)

  const success = page.getByTestId('trust-import-success')
  await expect(success).toContainText(`Đã nhập danh sách tin cậy mới: ${after.entries} khóa, ${after.revoked} giấy bị thu hồi`)
  await expect(page.locator('.n-message').filter({ hasText: 'Đã nhập danh sách tin cậy mới' })).toBeVisible()
  await expectShows(status, after)
  await expect(status.getByTestId('trust-fresh')).toBeVisible()
  await expect(page.getByTestId('trust-import-error')).toHaveCount(0)

  // what the card shows survives a reload: it is the backend's list now
  await page.reload()
  await expect(page.getByTestId('settings-page')).toBeVisible()
  await expectShows(page.getByTestId('trust-status'), after)
})

test('a corrupt file is refused with the reason, and the current list stays', async ({ page }) => {
  await login(page, 'quantri')
  const status = await openSettings(page)
  const before = await backendStatus(page)
  await expectShows(status, before)

  const junk = join(tmp, 'junk.bundle')
  writeFileSync(junk, randomBytes(4096))
  const refused = apiResponse(page, 'TokenService/ImportTrust')
  await page.getByTestId('trust-import-file').setInputFiles(junk)
  const res = await refused
  expect(res.status()).toBeGreaterThanOrEqual(400)

  const error = page.getByTestId('trust-import-error')
  await expect(error).toContainText('Không nhập được danh sách')
  await expect(error).toContainText('Tệp danh sách tin cậy không hợp lệ hoặc không do tỉnh ký')
  await expect(page.getByTestId('trust-import-success')).toHaveCount(0)
  // nothing changed
  expect(await backendStatus(page)).toEqual({ ...before, age_hours: expect.any(Number) })
  await expectShows(status, before)

  // the backend's message follows the language
  await page.getByTestId('lang-en').click()
  await expect(error).toContainText('The trust bundle is invalid or not signed by the province')
  await page.getByTestId('lang-vi').click()
  await expect(error).toContainText('không do tỉnh ký')
})

test('an older bundle than the current one is refused', async ({ page }) => {
  await login(page, 'quantri')
  const status = await openSettings(page)

  // two bundles a second apart (the lists' times are in whole seconds): import the newer
  const older = exportBundle('older.bundle')
  await page.waitForTimeout(1100)
  const newer = exportBundle('newest.bundle')
  const first = apiResponse(page, 'TokenService/ImportTrust')
  await page.getByTestId('trust-import-file').setInputFiles(newer)
  expect((await first).status()).toBe(200)
  await expect(page.getByTestId('trust-import-success')).toBeVisible()
  const current = await backendStatus(page)
  await expectShows(status, current)

  const second = apiResponse(page, 'TokenService/ImportTrust')
  await page.getByTestId('trust-import-file').setInputFiles(older)
  expect((await second).status()).toBeGreaterThanOrEqual(400)
  await expect(page.getByTestId('trust-import-error')).toContainText('cũ hơn danh sách đang dùng')
  await expect(page.getByTestId('trust-import-success')).toHaveCount(0)
  expect((await backendStatus(page)).imported_at).toBe(current.imported_at)
  await expectShows(status, current)
})
