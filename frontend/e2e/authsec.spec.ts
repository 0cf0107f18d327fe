import { request } from '@playwright/test'
import { apiAs, apiCall, DEMO_PASSWORD, expect, test } from './helpers'

// Issue 9: what the window shows of the hardening, and the bridge's launch secret.

test('a leader is shown, at login, the account an admin created, with its audit event', async ({ page, baseURL }) => {
  const username = `pho${Date.now() % 100000}`
  const admin = await apiAs(baseURL!, 'quantri')
  try {
    await apiCall(admin, 'UserService/Add', { username, full_name: 'Trần Văn Phó', role: 'approver', password: 'demo1234' })
  } finally {
    await admin.dispose()
  }
  const loginAsLeader = async (): Promise<void> => {
    await page.goto('/')
    await page.getByTestId('login-username').fill('lanhdao')
    await page.getByTestId('login-password').fill(DEMO_PASSWORD)
    await page.getByTestId('login-password').press('Enter')
    await expect(page.getByTestId('header-user')).toBeVisible()
  }
  await loginAsLeader()
  const notices = page.getByTestId('account-notices')
  await expect(notices).toBeVisible()
  const row = notices.getByTestId('account-notice').filter({ hasText: username })
  await expect(row.first()).toContainText('Tạo tài khoản')
  await expect(row.first()).toContainText('quantri')
  await expect(row.first()).toContainText(/#\d+ [0-9a-f]{12}/)
  await page.getByTestId('account-notices-seen').click()
  await expect(notices).toHaveCount(0)

  // Seen once, not shown again.
  await page.getByTestId('header-logout').click()
  await loginAsLeader()
  await expect(page.getByTestId('side-menu')).toBeVisible()
  await expect(notices).toHaveCount(0)
})

test('the bridge answers nobody without the launch secret', async ({ baseURL }) => {
  // (an empty storage state: the test runner would otherwise lend it the tests' cookie)
  const stranger = await request.newContext({ baseURL, storageState: { cookies: [], origins: [] } })
  try {
    const res = await stranger.post('/api/AuthService/Status', { data: [] })
    expect(res.status()).toBe(403)
    const page = await stranger.get('/')
    expect(page.status()).toBe(403)
  } finally {
    await stranger.dispose()
  }
})
