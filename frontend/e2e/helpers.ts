import { expect, test as base, type Page, type Response } from '@playwright/test'

/** Tests run against the real backend started by global-setup.ts. */
export const test = base.extend({
  baseURL: async ({}, use) => {
    const url = process.env.GDD_E2E_BASE_URL
    if (!url) throw new Error('GDD_E2E_BASE_URL is not set: run through `npm run e2e` (global-setup starts the backend)')
    await use(url)
  },
})
export { expect }

export const DEMO_PASSWORD = 'demo1234'

/** A valid CCCD QR text: male, born 15/03/1995 in Tiền Giang (082), living in Tân Mỹ Chánh. */
export const CARD_DUNG =
  '082095001234|123456789|Nguyễn Văn Dũng|15031995|Nam|Ấp Tân Hòa, Xã Tân Mỹ Chánh, Thành phố Mỹ Tho, Tiền Giang|20042021'

/** Another valid card: female (4th digit 1: born in the 1900s), born 01/02/1990. */
export const CARD_MAI =
  '082190004321||Trần Thị Mai|01021990|Nữ|Ấp Tân Hòa, Xã Tân Mỹ Chánh, Thành phố Mỹ Tho, Tiền Giang|05062021'

export async function login(page: Page, username: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto('/')
  await expect(page.getByTestId('login-username')).toBeVisible()
  await page.getByTestId('login-username').fill(username)
  await page.getByTestId('login-password').fill(password)
  await page.getByTestId('login-password').press('Enter')
  await expect(page.getByTestId('side-menu')).toBeVisible()
  await expect(page.getByTestId('header-user')).toBeVisible()
}

/**
 * Opens the n-select inside a form item (data-testid `field-…`) and picks its n-th option;
 * the form item's data-value must change (pick an option other than the current one).
 * Retried: on a loaded machine a click can land while the menu is still animating in.
 */
export async function chooseOption(page: Page, testid: string, index: number): Promise<string> {
  const field = page.getByTestId(testid)
  const before = (await field.getAttribute('data-value')) ?? ''
  // naive-ui keeps closed menus in the DOM, hidden: only the open one is visible
  const menu = page.locator('.n-base-select-menu:visible')
  await expect(async () => {
    if ((await menu.count()) === 0) await field.locator('.n-base-selection').click({ timeout: 2000 })
    await menu.locator('.n-base-select-option').nth(index).click({ timeout: 2000 })
    await expect(field).not.toHaveAttribute('data-value', before, { timeout: 2000 })
  }).toPass({ timeout: 20_000 })
  await expect(menu).toHaveCount(0)
  return (await field.getAttribute('data-value')) ?? ''
}

/** Types a card text the way a keyboard-mode scanner does: very fast, then Enter. */
export async function scanCard(page: Page, text: string): Promise<void> {
  await page.keyboard.type(text, { delay: 5 })
  await page.keyboard.press('Enter')
}

export function apiResponse(page: Page, serviceMethod: string): Promise<Response> {
  return page.waitForResponse((r) => r.url().endsWith(`/api/${serviceMethod}`) && r.request().method() === 'POST')
}

/** Fills what a card does not give: phone, purpose, route, vehicle. */
export async function fillRest(page: Page): Promise<void> {
  await page.getByTestId('input-phone').fill('0912345678')
  await page.getByTestId('input-workplace').fill('Công ty TNHH Thủy sản Mỹ Tho')
  await chooseOption(page, 'field-purpose_code', 0)
  await page.getByTestId('input-route_from').fill('Xã Tân Mỹ Chánh, TP Mỹ Tho')
  await page.getByTestId('input-route_to').fill('Khu công nghiệp Mỹ Tho')
  await chooseOption(page, 'field-vehicle_type', 0) // the first vehicle type: on foot, no plate
  await expect(page.getByTestId('field-vehicle_plate')).toHaveCount(0)
}

/** Calls a bound service over the HTTP bridge from inside the page (the page's session). */
export async function callFromPage(
  page: Page,
  serviceMethod: string,
  args: unknown[],
): Promise<{ status: number; body: unknown }> {
  return page.evaluate(
    async ({ path, args }) => {
      const r = await fetch(path, { method: 'POST', body: JSON.stringify(args) })
      const text = await r.text()
      let body: unknown = null
      try {
        body = JSON.parse(text)
      } catch {
        body = text
      }
      return { status: r.status, body }
    },
    { path: `/api/${serviceMethod}`, args },
  )
}

/** The code of an error body, whether bare or wrapped as {error: {...}}. */
export function errorCode(body: unknown): string {
  if (typeof body !== 'object' || body === null) return ''
  const o = body as { code?: unknown; error?: { code?: unknown } }
  if (typeof o.code === 'string') return o.code
  return typeof o.error?.code === 'string' ? o.error.code : ''
}
