import type { Page } from '@playwright/test'
import { apiAs, apiCall, callFromPage, expect, issueAwaitingPermits, login, test } from './helpers'

// A leader signs permits with a USB signing key: here the software FIDO key the server runs
// with (global-setup: `ui serve --soft-fido --touch-delay 400ms`, the key enrolled for
// lanhdao). Each test makes its own permits, so they do not depend on one another's order.

interface PermitView {
  number: string
  status: string
  signature_kind: string
  signed_at: string | null
  signer_name: string
}

async function permitOf(page: Page, number: string): Promise<PermitView> {
  const res = await callFromPage(page, 'PermitService/Get', [number])
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return res.body as PermitView
}

async function openSign(page: Page): Promise<void> {
  await page.getByTestId('menu-sign').click()
  await expect(page.getByTestId('sign-page')).toBeVisible()
}

/** Ticks the rows of these permits (and only them) in the list of permits awaiting signature. */
async function select(page: Page, numbers: string[]): Promise<void> {
  for (const n of numbers) {
    const row = page.locator(`[data-testid="sign-row"][data-permit-number="${n}"]`)
    await expect(row).toHaveCount(1)
    await row.locator('.n-checkbox').click()
    await expect(row).toHaveAttribute('data-checked', 'true')
  }
  await expect(page.getByTestId('sign-start')).toHaveAttribute('data-count', String(numbers.length))
}

/** The demo key is plugged in and chosen. */
async function softKeyReady(page: Page): Promise<void> {
  await expect(page.getByTestId('soft-key')).toHaveAttribute('data-plugged', 'true')
  const picker = page.getByTestId('token-picker')
  await expect(picker).toHaveAttribute('data-value', /^fido:/)
  await expect(picker).toHaveAttribute('data-software', 'true')
  await expect(picker.locator('.n-base-selection')).toContainText('khóa mềm dùng thử')
}

test('the leader signs a batch with the software key: touch, progress, all signed', async ({ page, baseURL }) => {
  test.setTimeout(120_000)
  const numbers = await issueAwaitingPermits(baseURL!, 3, 'Ký Số')

  await login(page, 'lanhdao')
  await openSign(page)
  await softKeyReady(page)
  // no PIN is needed for this key: the field says so
  await expect(page.getByTestId('field-pin')).toContainText('nếu khóa có đặt PIN')
  await expect(page.getByTestId('sign-start')).toBeDisabled()
  await select(page, numbers)
  await expect(page.getByTestId('sign-start')).toHaveText('Ký 3 giấy')

  const started = page.waitForResponse((r) => r.url().endsWith('/api/TokenService/StartSign'))
  await page.getByTestId('sign-start').click()
  const res = await started
  expect(res.status(), await res.text()).toBe(200)
  const body = JSON.parse(res.request().postData() ?? '[]') as [{ numbers: string[]; token: { kind: string; path: string }; pin: string }]
  expect(body[0].numbers.sort()).toEqual([...numbers].sort())
  expect(body[0].token.kind).toBe('fido')
  expect(body[0].pin).toBe('')

  // the key waits for a touch (the server's simulated officer touches it after 400 ms)
  await expect(page.getByTestId('sign-touch')).toHaveText(/Chạm vào khóa để ký/)
  await expect(page.getByTestId('sign-progress')).toHaveAttribute('data-total', '3')
  // the batch runs in the backend: leaving the screen and coming back shows it still (or its end)
  await page.getByTestId('menu-queue').click()
  await expect(page.getByTestId('queue-page')).toBeVisible()
  await openSign(page)
  await expect(page.getByTestId('sign-progress')).toHaveAttribute('data-total', '3')

  const result = page.getByTestId('sign-result')
  await expect(result).toBeVisible({ timeout: 30_000 })
  await expect(result).toHaveAttribute('data-tone', 'success')
  await expect(result).toHaveAttribute('data-signed', '3')
  await expect(result).toHaveAttribute('data-unsigned', '0')
  await expect(page.getByTestId('sign-counter')).toHaveText('Đã ký 3/3')
  await expect(page.getByTestId('sign-counter')).toHaveAttribute('data-done', '3')
  await expect(page.getByTestId('sign-touch')).toHaveCount(0)
  await expect(page.getByTestId('sign-cancel')).toHaveCount(0)
  await expect(page.getByTestId('sign-result-message')).toContainText('3')
  for (const n of numbers) {
    await expect(result.locator(`[data-testid="sign-signed-number"][data-permit-number="${n}"]`)).toBeVisible()
    // no longer awaiting: gone from the list
    await expect(page.locator(`[data-testid="sign-row"][data-permit-number="${n}"]`)).toHaveCount(0)
    const p = await permitOf(page, n)
    expect(p.status).toBe('signed')
    expect(p.signature_kind).toBe('digital')
    expect(p.signed_at).not.toBeNull()
    expect(p.signer_name).not.toBe('')
  }
  // the PIN is not kept past a batch, and the button counts what is still selected
  await expect(page.getByTestId('sign-pin')).toHaveValue('')
  await expect(page.getByTestId('sign-start')).toHaveAttribute('data-count', '0')

  // the permit panel of the list shows the new status too
  await page.getByTestId('menu-applications').click()
  const listPermit = page.locator(`[data-testid="list-permit"][data-permit-number="${numbers[0]}"]`)
  await expect(listPermit).toHaveAttribute('data-permit-status', 'signed')
})

test('the key pulled out mid-batch: what was signed stays signed, the rest still waits', async ({ page, baseURL }) => {
  test.setTimeout(120_000)
  const numbers = await issueAwaitingPermits(baseURL!, 6, 'Rút Khóa')

  await login(page, 'lanhdao')
  await openSign(page)
  await softKeyReady(page)
  await select(page, numbers)
  await expect(page.getByTestId('sign-start')).toHaveText('Ký 6 giấy')
  await page.getByTestId('sign-start').click()

  const counter = page.getByTestId('sign-counter')
  await expect(counter).toHaveAttribute('data-total', '6')
  await expect.poll(async () => Number(await counter.getAttribute('data-done')), { timeout: 20_000, intervals: [50] }).toBeGreaterThanOrEqual(1)
  // the demo control, as an officer pulling the key out of the USB port
  await expect(page.getByTestId('soft-key-toggle')).toHaveText('Rút ra')
  await page.getByTestId('soft-key-toggle').click()
  await expect(page.getByTestId('soft-key')).toHaveAttribute('data-plugged', 'false')

  const result = page.getByTestId('sign-result')
  await expect(result).toBeVisible({ timeout: 30_000 })
  await expect(result).toHaveAttribute('data-stopped', 'removed')
  await expect(result).toHaveAttribute('data-tone', 'warning')
  const signedCount = Number(await result.getAttribute('data-signed'))
  const unsignedCount = Number(await result.getAttribute('data-unsigned'))
  expect(signedCount).toBeGreaterThanOrEqual(1)
  expect(unsignedCount).toBeGreaterThanOrEqual(1)
  expect(signedCount + unsignedCount).toBe(6)
  // the message says how many were signed and how many still wait, and why
  const msg = page.getByTestId('sign-result-message')
  await expect(msg).toContainText(`Đã ký ${signedCount} giấy`)
  await expect(msg).toContainText(`${unsignedCount} giấy chưa ký vẫn chờ ký`)
  await expect(msg).toContainText('rút ra')
  await expect(page.getByTestId('sign-result-signed-count')).toHaveText(`Đã ký: ${signedCount}`)
  await expect(page.getByTestId('sign-result-unsigned-count')).toContainText(`Vẫn chờ ký: ${unsignedCount}`)
  await expect(counter).toHaveText(`Đã ký ${signedCount}/6`)

  const signed = await result.getByTestId('sign-signed-number').evaluateAll((els) => els.map((e) => e.getAttribute('data-permit-number') ?? ''))
  const unsigned = await result.getByTestId('sign-unsigned-number').evaluateAll((els) => els.map((e) => e.getAttribute('data-permit-number') ?? ''))
  expect(signed).toHaveLength(signedCount)
  expect(unsigned).toHaveLength(unsignedCount)
  expect([...signed, ...unsigned].sort()).toEqual([...numbers].sort())
  // signed in the order listed: the first ones
  for (const n of signed) expect((await permitOf(page, n)).status).toBe('signed')
  for (const n of unsigned) {
    expect((await permitOf(page, n)).status).toBe('awaiting_hand_signature')
    // still listed, still ticked for another go
    const row = page.locator(`[data-testid="sign-row"][data-permit-number="${n}"]`)
    await expect(row).toHaveAttribute('data-checked', 'true')
  }
  for (const n of signed) await expect(page.locator(`[data-testid="sign-row"][data-permit-number="${n}"]`)).toHaveCount(0)

  // no key now
  await expect(page.getByTestId('token-none')).toHaveText(/Chưa cắm khóa ký/)
  await expect(page.getByTestId('sign-start')).toBeDisabled()

  // plugged back in: the key comes back by itself, and the rest gets signed
  await expect(page.getByTestId('soft-key-toggle')).toHaveText('Cắm vào')
  await page.getByTestId('soft-key-toggle').click()
  await softKeyReady(page)
  await expect(page.getByTestId('sign-start')).toHaveText(`Ký ${unsignedCount} giấy`)
  await page.getByTestId('sign-start').click()
  await expect(result).toHaveAttribute('data-tone', 'success', { timeout: 30_000 })
  await expect(result).toHaveAttribute('data-signed', String(unsignedCount))
  for (const n of numbers) expect((await permitOf(page, n)).status).toBe('signed')
})

test('a leader without an enrolled key is refused; the office admin enrolls one and it signs', async ({ page, baseURL }) => {
  test.setTimeout(120_000)
  const username = `lanhdao${Date.now() % 100000}`
  const admin = await apiAs(baseURL!, 'quantri')
  try {
    await apiCall(admin, 'UserService/Add', { username, full_name: 'Trần Văn Lãnh', role: 'approver', password: 'demo1234' })
  } finally {
    await admin.dispose()
  }
  const [number] = await issueAwaitingPermits(baseURL!, 1, 'Đăng Ký')

  // no key of theirs: refused at once, nothing signed
  await login(page, username)
  await openSign(page)
  await softKeyReady(page)
  await select(page, [number!])
  await page.getByTestId('sign-start').click()
  await expect(page.getByTestId('sign-error')).toContainText('chưa được đăng ký khóa ký')
  await expect(page.getByTestId('sign-progress')).toHaveCount(0)
  expect((await permitOf(page, number!)).status).toBe('awaiting_hand_signature')
  await page.getByTestId('header-logout').click()

  // the office admin enrolls the key for them
  await login(page, 'quantri')
  await page.getByTestId('menu-users').click()
  await expect(page.getByTestId('users-page')).toBeVisible()
  // lanhdao's key, enrolled by global-setup, is listed
  const leaderKey = page.locator(`[data-testid="key-row"][data-username="lanhdao"]`)
  await expect(leaderKey.first()).toHaveAttribute('data-kind', 'fido')
  if (process.env.GDD_E2E_LEADER_KEY_ID) {
    await expect(page.locator(`[data-testid="key-row"][data-key-id="${process.env.GDD_E2E_LEADER_KEY_ID}"]`)).toHaveCount(1)
  }
  // only active approvers get the action
  await expect(page.locator('[data-testid="user-row"][data-username="canbo"]').getByTestId('user-enroll-key')).toHaveCount(0)
  await page.locator(`[data-testid="user-row"][data-username="${username}"]`).getByTestId('user-enroll-key').click()
  const dialog = page.getByTestId('enroll-dialog')
  await expect(dialog).toBeVisible()
  await expect(dialog.getByTestId('token-picker')).toHaveAttribute('data-software', 'true')
  await dialog.getByTestId('enroll-confirm').click()
  await expect(dialog.getByTestId('enroll-success')).toBeVisible({ timeout: 30_000 })
  const keyId = (await dialog.getByTestId('enroll-key-id').getAttribute('data-key-id')) ?? ''
  expect(keyId).toMatch(/^[0-9a-f]{16}$/)
  await dialog.getByTestId('enroll-close').click()
  const row = page.locator(`[data-testid="key-row"][data-key-id="${keyId}"]`)
  await expect(row).toHaveAttribute('data-username', username)
  await expect(row).toHaveAttribute('data-kind', 'fido')
  await expect(row.getByTestId('key-trusted')).toHaveAttribute('data-trusted', 'true')
  await page.getByTestId('header-logout').click()

  // now it signs
  await login(page, username)
  await openSign(page)
  await softKeyReady(page)
  await select(page, [number!])
  await page.getByTestId('sign-start').click()
  const result = page.getByTestId('sign-result')
  await expect(result).toHaveAttribute('data-tone', 'success', { timeout: 30_000 })
  const p = await permitOf(page, number!)
  expect(p.status).toBe('signed')
  expect(p.signer_name).toBe('Trần Văn Lãnh')
})
