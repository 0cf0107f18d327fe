import { expect, request, test as base, type APIRequestContext, type Page, type Response } from '@playwright/test'

/** Tests run against the real backend started by global-setup.ts. */
export const test = base.extend({
  baseURL: async ({}, use) => {
    const url = process.env.GDD_E2E_BASE_URL
    if (!url) throw new Error('GDD_E2E_BASE_URL is not set: run through `npm run e2e` (global-setup starts the backend)')
    await use(url)
  },
  // The bridge's launch secret, as a cookie (global-setup.ts).
  storageState: async ({}, use) => {
    await use(launchStorage())
  },
})

function launchStorage(): string {
  const path = process.env.GDD_E2E_STORAGE
  if (!path) throw new Error('GDD_E2E_STORAGE is not set: run through `npm run e2e` (global-setup starts the backend)')
  return path
}
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
  // An approver is shown the office's account changes (another test's new leader) first.
  const notices = page.getByTestId('account-notices')
  if (await notices.isVisible()) {
    await page.getByTestId('account-notices-seen').click()
    await expect(notices).toHaveCount(0)
  }
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

/**
 * Clicks the intake's submit and returns the save's response. The tests share one office and
 * scan the same demo cards: when the citizen already has an application the window asks, and
 * this confirms (the duplicate prompt has tests of its own in counter-intake.spec.ts).
 */
export async function submitIntake(page: Page): Promise<Response> {
  let saved = apiResponse(page, 'ApplicationService/AddWith')
  await page.getByTestId('intake-submit').click()
  let res = await saved
  if (res.status() !== 200 && errorCode(await res.json().catch(() => null)) === 'duplicate') {
    saved = apiResponse(page, 'ApplicationService/AddWith')
    await page.getByTestId('duplicate-confirm').click()
    res = await saved
  }
  return res
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

/** A session of its own on the bridge (its own cookie), signed in as username. */
export async function apiAs(baseURL: string, username: string, password = DEMO_PASSWORD): Promise<APIRequestContext> {
  const ctx = await request.newContext({ baseURL, storageState: launchStorage() })
  const res = await ctx.post('/api/AuthService/Login', { data: [username, password] })
  if (!res.ok()) throw new Error(`login ${username}: ${res.status()} ${await res.text()}`)
  return ctx
}

/** Calls Service/Method on a session from apiAs; throws with the body on an error status. */
export async function apiCall<T>(ctx: APIRequestContext, serviceMethod: string, ...args: unknown[]): Promise<T> {
  const res = await ctx.post(`/api/${serviceMethod}`, { data: args })
  const text = await res.text()
  if (!res.ok()) throw new Error(`${serviceMethod}: ${res.status()} ${text}`)
  return (text.trim() === '' ? null : JSON.parse(text)) as T
}

/** Today plus n days on the office's calendar (Vietnam), as YYYY-MM-DD. */
export function vnDay(n: number): string {
  const d = new Date(Date.now() + 7 * 3600_000 + n * 86400_000)
  return d.toISOString().slice(0, 10)
}

/** A valid application of a walk-in citizen from the demo commune, on foot, for a week. */
export function walkInApplication(fullName: string): Record<string, string> {
  const serial = String(Math.floor(Math.random() * 1_000_000)).padStart(6, '0')
  return {
    full_name: fullName,
    birth_date: '1995-03-15',
    gender: 'male',
    id_number: `082095${serial}`,
    phone: '0912345678',
    residence_commune_code: '28261',
    residence_street: 'Khu phố 1',
    card_address: '',
    workplace: 'Công ty TNHH Thủy sản Mỹ Tho',
    purpose_code: 'work',
    route_from: 'Khu phố 1, Phường Mỹ Tho',
    route_to: 'Khu công nghiệp Mỹ Tho',
    vehicle_type: 'walk',
    vehicle_plate: '',
    valid_from: vnDay(0),
    valid_to: vnDay(6),
    note: '',
  }
}

const GIVEN = ['An', 'Bình', 'Cường', 'Dũng', 'Đạt', 'Hải', 'Hùng', 'Khoa', 'Long', 'Minh', 'Nam', 'Phúc', 'Quân', 'Sơn', 'Tâm', 'Thắng']

/**
 * Permits awaiting a leader's signature, made through the services as the office would:
 * the clerk enters n applications, the leader approves them, the clerk issues the permits.
 * The names end in `surname` (a test's own, to find its rows). Returns the permit numbers.
 */
export async function issueAwaitingPermits(baseURL: string, n: number, surname: string): Promise<string[]> {
  const clerk = await apiAs(baseURL, 'canbo')
  const leader = await apiAs(baseURL, 'lanhdao')
  try {
    const numbers: string[] = []
    for (let i = 0; i < n; i++) {
      const app = await apiCall<{ id: string }>(clerk, 'ApplicationService/Add', walkInApplication(`Nguyễn Văn ${GIVEN[i % GIVEN.length]} ${surname}`))
      await apiCall(leader, 'ApplicationService/Approve', app.id)
      const p = await apiCall<{ number: string; status: string }>(clerk, 'PermitService/Issue', app.id)
      expect(p.status).toBe('awaiting_hand_signature')
      numbers.push(p.number)
    }
    return numbers
  } finally {
    await clerk.dispose()
    await leader.dispose()
  }
}
