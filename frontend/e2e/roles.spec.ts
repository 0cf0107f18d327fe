import type { Page } from '@playwright/test'
import { CARD_DUNG, apiAs, apiCall, apiResponse, callFromPage, expect, fillRest, login, scanCard, submitIntake, test, walkInApplication } from './helpers'

// What each role sees is what the backend says it may do: the menu from the permissions the
// session status carries, the buttons from the actions each application and permit carries.

/** The screen each permission opens, written here on its own so the test can disagree with the window. */
const SCREEN_NEEDS: Record<string, string | null> = {
  intake: 'application.enter',
  queue: 'application.decide',
  sign: 'application.decide',
  ready: 'application.enter',
  applications: 'application.view',
  verify: null,
  scans: 'application.enter',
  rules: 'rules.manage',
  users: 'users.manage',
  settings: 'settings.manage',
  backfill: 'permit.backfill',
  reports: 'application.view',
  accounts: 'users.manage',
  sync: 'sync.view',
}

async function sentPermissions(page: Page): Promise<string[]> {
  const st = await callFromPage(page, 'AuthService/Status', [])
  expect(st.status).toBe(200)
  const user = (st.body as { user: { permissions?: string[] } | null }).user
  expect(user?.permissions, JSON.stringify(st.body)).toBeTruthy()
  return user!.permissions!
}

async function menuShown(page: Page): Promise<string[]> {
  const links = page.getByTestId('side-menu').locator('[data-testid^="menu-"]')
  await expect(links.first()).toBeVisible()
  return (await links.evaluateAll((els) => els.map((e) => e.getAttribute('data-testid') ?? ''))).map((id) => id.slice('menu-'.length))
}

/** A submitted application entered by the clerk, and an approved one with its permit. */
async function submittedAndIssued(baseURL: string, surname: string): Promise<{ submitted: string; approved: string; permit: string }> {
  const clerk = await apiAs(baseURL, 'canbo')
  const leader = await apiAs(baseURL, 'lanhdao')
  try {
    const input = (n: string) => walkInApplication(`Lê Thị ${surname} ${n}`)
    const submitted = await apiCall<{ id: string }>(clerk, 'ApplicationService/Add', input('Một'))
    const approved = await apiCall<{ id: string }>(clerk, 'ApplicationService/Add', input('Hai'))
    await apiCall(leader, 'ApplicationService/Approve', approved.id)
    const permit = await apiCall<{ number: string }>(clerk, 'PermitService/Issue', approved.id)
    return { submitted: submitted.id, approved: approved.id, permit: permit.number }
  } finally {
    await clerk.dispose()
    await leader.dispose()
  }
}

async function openRow(page: Page, id: string, search: string): Promise<void> {
  await page.getByTestId('menu-applications').click()
  await page.getByTestId('list-search').fill(search)
  const row = page.locator(`[data-testid="app-row"][data-app-id="${id}"]`)
  await row.click()
  await expect(page.getByTestId('app-detail')).toHaveAttribute('data-app-id', id)
}

test("each role's menu is what its permissions open, and the backend sent them", async ({ page }) => {
  const expected: Record<string, { has: string[]; lacks: string[] }> = {
    canbo: { has: ['application.enter', 'application.view'], lacks: ['application.decide', 'users.manage'] },
    lanhdao: { has: ['application.enter', 'application.view', 'application.decide'], lacks: ['rules.manage', 'users.manage', 'settings.manage'] },
    quantri: { has: ['application.enter', 'rules.manage', 'users.manage', 'settings.manage'], lacks: ['application.decide'] },
  }
  for (const [username, want] of Object.entries(expected)) {
    await login(page, username)
    const perms = await sentPermissions(page)
    for (const p of want.has) expect(perms, username).toContain(p)
    for (const p of want.lacks) expect(perms, username).not.toContain(p)
    const menu = await menuShown(page)
    const fromPerms = Object.entries(SCREEN_NEEDS)
      .filter(([, need]) => need === null || perms.includes(need))
      .map(([screen]) => screen)
    expect(menu.sort(), username).toEqual(fromPerms.sort())
    // and a screen not in the menu cannot be opened by its address
    for (const screen of Object.keys(SCREEN_NEEDS).filter((s) => !fromPerms.includes(s))) {
      await page.goto(`/#/${screen}`)
      await expect(page.getByTestId('side-menu')).toBeVisible()
      await expect(page).not.toHaveURL(new RegExp(`#/${screen}$`))
    }
    await page.getByTestId('header-logout').click()
    await expect(page.getByTestId('login-username')).toBeVisible()
  }
})

test('the office admin has no approve or reject button anywhere, and no queue', async ({ page, baseURL }) => {
  const made = await submittedAndIssued(baseURL!, 'Quản Trị')
  await login(page, 'quantri')
  await expect(page.getByTestId('menu-queue')).toHaveCount(0)
  await expect(page.getByTestId('menu-sign')).toHaveCount(0)
  await page.goto('/#/queue')
  await expect(page.getByTestId('intake-page')).toBeVisible()
  await expect(page.getByTestId('queue-page')).toHaveCount(0)

  // the submitted application: no decision in its drawer, and the backend lists none
  await openRow(page, made.submitted, 'le thi quan tri mot')
  await expect(page.getByTestId('detail-approve')).toHaveCount(0)
  await expect(page.getByTestId('detail-reject')).toHaveCount(0)
  await expect(page.getByTestId('queue-approve')).toHaveCount(0)
  await expect(page.getByTestId('queue-reject')).toHaveCount(0)
  const got = await callFromPage(page, 'ApplicationService/Get', [made.submitted])
  expect((got.body as { actions: string[] }).actions).toEqual([])
  // the service refuses as the missing button says
  const direct = await callFromPage(page, 'ApplicationService/Approve', [made.submitted])
  expect(direct.status).toBeGreaterThanOrEqual(400)

  // the issued permit: office work yes, the leader's revocation no
  await page.keyboard.press('Escape')
  await openRow(page, made.approved, 'le thi quan tri hai')
  const panel = page.getByTestId('permit-panel')
  await expect(panel).toHaveAttribute('data-permit-number', made.permit)
  await expect(panel.getByTestId('permit-print')).toBeVisible()
  await expect(panel.getByTestId('permit-hand-signed')).toBeVisible()
  await expect(panel.getByTestId('permit-revoke')).toHaveCount(0)
  await expect(page.getByTestId('detail-approve')).toHaveCount(0)
})

test('an approver opens intake and submits; four-eyes keeps their own entry from their decision', async ({ page }) => {
  await login(page, 'lanhdao')
  await expect(page).toHaveURL(/#\/queue$/)
  await page.getByTestId('menu-intake').click()
  await expect(page.getByTestId('intake-page')).toBeVisible()
  await page.getByTestId('input-full_name').click()
  const parsed = apiResponse(page, 'ApplicationService/ParseCCCDQR')
  await scanCard(page, CARD_DUNG)
  expect((await parsed).ok()).toBe(true)
  await expect(page.getByTestId('input-full_name')).toHaveValue('Nguyễn Văn Dũng')
  await expect(page.getByTestId('residence')).toHaveAttribute('data-value', /^\d+$/)
  await fillRest(page)
  const res = await submitIntake(page)
  expect(res.status(), await res.text()).toBe(200)
  const app = (await res.json()) as { id: string; status: string; actions: string[] }
  expect(app.status).toBe('submitted')
  // four-eyes is on in the demo: the backend lists no decision for the one who entered it
  expect(app.actions).not.toContain('approve')
  await expect(page.getByTestId('intake-success')).toHaveAttribute('data-app-id', app.id)

  await page.getByTestId('menu-queue').click()
  const row = page.locator(`[data-testid="queue-row"][data-app-id="${app.id}"]`)
  await expect(row).toBeVisible()
  await expect(row.getByTestId('queue-approve')).toHaveCount(0)
  await expect(row.getByTestId('queue-no-decision')).toBeVisible()
})

test("a clerk's screens: intake, the ready panel, the list and the checkpoint; issue but not revoke", async ({ page, baseURL }) => {
  const made = await submittedAndIssued(baseURL!, 'Cán Bộ')
  await login(page, 'canbo')
  await expect(page).toHaveURL(/#\/intake$/)
  expect(await menuShown(page)).toEqual(['intake', 'ready', 'applications', 'verify', 'scans', 'backfill', 'reports', 'sync'])

  await openRow(page, made.submitted, 'le thi can bo mot')
  await expect(page.getByTestId('detail-approve')).toHaveCount(0)
  await expect(page.getByTestId('detail-reject')).toHaveCount(0)

  await page.keyboard.press('Escape')
  await openRow(page, made.approved, 'le thi can bo hai')
  const panel = page.getByTestId('permit-panel')
  await expect(panel).toHaveAttribute('data-permit-number', made.permit)
  await expect(panel.getByTestId('permit-preview')).toBeVisible()
  await expect(panel.getByTestId('permit-print')).toBeVisible()
  await expect(panel.getByTestId('permit-hand-signed')).toBeVisible()
  await expect(panel.getByTestId('permit-hand-over')).toHaveCount(0)
  await expect(panel.getByTestId('permit-revoke')).toHaveCount(0)
})
