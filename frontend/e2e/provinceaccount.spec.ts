import { expect, test } from '@playwright/test'
import { gddctl, newOfficeDir, run, serveOffice, startProvince, type Office, type Province } from './province'

// Accounts come from the province (issue 13, point 6): an account made with
// `gdd-server account add` signs in at the office window after one `gddctl sync`; once the
// office is enrolled its own local accounts no longer do. A real gdd-server on loopback and an
// office of its own (enrolling the shared office would lock the other specs out).

let province: Province
let office: Office
let officeDir = ''

test.beforeAll(async () => {
  province = await startProvince()
  officeDir = newOfficeDir()
  office = await serveOffice(officeDir)
})

test.afterAll(async () => {
  await office?.close()
  await province?.close()
})

test('an account created at the province signs in at the office after one sync', async ({ page }) => {
  run(gddctl, ['--data', officeDir, '--user', 'quantri', 'enroll', '--server', province.url, '--code', province.officeCode('28261')], 'demo1234')
  province.addAccount('28261', 'canbo.tinh', 'clerk', 'Lê Thị Hoa', 'mat-khau-tinh-1')
  const rep = JSON.parse(run(gddctl, ['--data', officeDir, '--json', 'sync'])) as { pulled: number; pull: { feeds: Record<string, number> }; in_sync: boolean }
  expect(rep.pull.feeds.accounts).toBe(4) // the account and the three roles
  expect(rep.in_sync).toBe(true)

  // The office's own admin, from before the enrollment, is refused.
  await page.goto(office.link) // sets the bridge's secret cookie and redirects
  await page.getByTestId('login-username').fill('quantri')
  await page.getByTestId('login-password').fill('demo1234')
  await page.getByTestId('login-password').press('Enter')
  await expect(page.getByText('chưa được tỉnh cấp')).toBeVisible()
  await expect(page.getByTestId('side-menu')).toHaveCount(0)

  // The province's account signs in, as the clerk the province made it.
  await page.getByTestId('login-username').fill('canbo.tinh')
  await page.getByTestId('login-password').fill('mat-khau-tinh-1')
  await page.getByTestId('login-password').press('Enter')
  await expect(page.getByTestId('side-menu')).toBeVisible()
  await expect(page.getByTestId('header-user')).toContainText('Lê Thị Hoa')
})
