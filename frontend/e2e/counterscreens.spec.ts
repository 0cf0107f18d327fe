import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Locator, Page } from '@playwright/test'
import { apiAs, apiCall, expect, login, test, walkInApplication } from './helpers'

// Issue 11, the counter's screens: names stay readable at 1024×768 and 1366×768, lists
// refresh on their own, the lock screen hides the data, the "Sẵn sàng trả kết quả" panel.

const frontendDir = fileURLToPath(new URL('..', import.meta.url))
const gddctl = process.env.GDDCTL ?? resolve(frontendDir, '../build/bin/gddctl')

/** A 40-character name, the long end of real ones. */
const LONG_NAME = 'Nguyễn Thị Hoàng Phương Thảo Nguyên Vy Ba'

/** A word unique to this run (names take letters only). */
function tag(): string {
  const letters = String(Date.now() % 1_000_000).replace(/[0-9]/g, (d) => 'abcdeghikl'[Number(d)]!)
  return 'X' + letters
}

/** Adds (and optionally approves) an application over the bridge as canbo / lanhdao. */
async function addApplication(baseURL: string, name: string, approve = false): Promise<string> {
  const clerk = await apiAs(baseURL, 'canbo')
  try {
    const app = await apiCall<{ id: string }>(clerk, 'ApplicationService/Add', walkInApplication(name))
    if (approve) {
      const leader = await apiAs(baseURL, 'lanhdao')
      try {
        await apiCall(leader, 'ApplicationService/Approve', app.id)
      } finally {
        await leader.dispose()
      }
    }
    return app.id
  } finally {
    await clerk.dispose()
  }
}

/**
 * The name cell shows the whole name: visible, inside the viewport, not cut (its content is
 * no wider than its box) and not a letter per line (at most two lines high).
 */
async function expectWholeName(page: Page, cell: Locator, name: string, shot: string): Promise<void> {
  await expect(cell).toBeVisible()
  await expect(cell).toHaveText(name)
  const box = await cell.boundingBox()
  const vp = page.viewportSize()
  expect(box, 'name cell has a box').not.toBeNull()
  if (!box || !vp) return
  const m = await cell.evaluate((el) => {
    const cs = getComputedStyle(el)
    const lh = parseFloat(cs.lineHeight) || parseFloat(cs.fontSize) * 1.5
    const td = el.closest('td') ?? el
    return { lineHeight: lh, scrollW: td.scrollWidth, clientW: td.clientWidth, textW: el.scrollWidth }
  })
  expect(box.x + box.width, `name cell inside the ${vp.width}px viewport`).toBeLessThanOrEqual(vp.width)
  expect(box.width, 'name cell wide enough for a word').toBeGreaterThan(150)
  expect(box.height, 'the name takes at most two lines').toBeLessThanOrEqual(m.lineHeight * 2 + 2)
  expect(m.scrollW, 'nothing of the name is cut off').toBeLessThanOrEqual(m.clientW + 1)
  const png = await page.screenshot({ path: test.info().outputPath(`${shot}.png`) })
  expect(png.byteLength).toBeGreaterThan(1000)
}

for (const vp of [
  { width: 1024, height: 768 },
  { width: 1366, height: 768 },
]) {
  test.describe(`at ${vp.width}×${vp.height}`, () => {
    test.use({ viewport: vp })

    test('the queue, the list and the users table show the whole name', async ({ page, baseURL }) => {
      const id = await addApplication(baseURL!, LONG_NAME)
      await login(page, 'lanhdao')
      await page.getByTestId('menu-queue').click()
      const row = page.locator(`[data-testid="queue-row"][data-app-id="${id}"]`)
      await expectWholeName(page, row.getByTestId('cell-name'), LONG_NAME, `queue-${vp.width}`)
      await expect(row.getByTestId('queue-approve')).toBeVisible()
      const approveBox = await row.getByTestId('queue-approve').boundingBox()
      expect((approveBox?.x ?? 1e9) + (approveBox?.width ?? 0)).toBeLessThanOrEqual(vp.width)
      if (vp.width < 1300) {
        // The columns that made room are one click away, in the expanded row.
        await row.locator('.n-data-table-expand-trigger').click()
        await expect(page.getByTestId('row-details').first()).toContainText('Khu công nghiệp Mỹ Tho')
      }

      await page.getByTestId('menu-applications').click()
      const listRow = page.locator(`[data-testid="app-row"][data-app-id="${id}"]`)
      await expectWholeName(page, listRow.getByTestId('cell-name'), LONG_NAME, `list-${vp.width}`)
      await page.getByTestId('header-logout').click()

      await login(page, 'quantri')
      await page.getByTestId('menu-users').click()
      const userName = page.getByTestId('users-table').getByTestId('cell-name').filter({ hasText: 'Lê Văn Đức' })
      await expectWholeName(page, userName, 'Lê Văn Đức', `users-${vp.width}`)
    })
  })
}

test('a new application appears in the queue and the menu count without a reload', async ({ page, baseURL }) => {
  await login(page, 'lanhdao')
  await page.getByTestId('menu-queue').click()
  await expect(page.getByTestId('queue-page')).toBeVisible()
  const count = page.getByTestId('queue-waiting-count')
  await expect(count).toBeVisible()
  const before = Number(await count.getAttribute('data-count'))

  // From another seat (a session of its own on the bridge)...
  const name = `Trần Văn Tự Động ${tag()}`
  const id = await addApplication(baseURL!, name)
  await expect(page.locator(`[data-testid="queue-row"][data-app-id="${id}"]`)).toBeVisible({ timeout: 15_000 })
  await expect(count).toHaveAttribute('data-count', String(before + 1))

  // ...and from gddctl, another process writing the same database.
  const cliName = `Lê Thị Dòng Lệnh ${tag()}`
  const input = join(tmpdir(), `gdd-e2e-app-${Date.now()}.json`)
  writeFileSync(input, JSON.stringify(walkInApplication(cliName)))
  const res = spawnSync(gddctl, ['--data', process.env.GDD_E2E_DATA!, '--user', 'canbo', 'application', 'add', '--json', input], {
    env: { ...process.env, GDD_PASSWORD: 'demo1234' },
    encoding: 'utf8',
  })
  expect(res.status, res.stderr).toBe(0)
  await expect(page.getByTestId('queue-table').getByText(cliName)).toBeVisible({ timeout: 15_000 })
  await expect(count).toHaveAttribute('data-count', String(before + 2))
})

test('while locked the data behind the lock screen is hidden', async ({ page, baseURL }) => {
  const name = `Phạm Văn Bí Mật ${tag()}`
  await addApplication(baseURL!, name)
  await login(page, 'lanhdao')
  await page.getByTestId('menu-queue').click()
  const cell = page.getByTestId('queue-table').getByText(name)
  await expect(cell).toBeVisible()

  await page.getByTestId('header-lock').click()
  await expect(page.getByTestId('lock-screen')).toBeVisible()
  await expect(cell).toBeHidden()
  await expect(page.getByTestId('shell')).toHaveCSS('visibility', 'hidden')
  await expect(page.getByTestId('header-user')).toBeHidden()

  await page.getByTestId('lock-password').fill('demo1234')
  await page.getByTestId('lock-unlock').click()
  await expect(page.getByTestId('lock-screen')).toHaveCount(0)
  await expect(cell).toBeVisible()
})

test('the ready panel issues and prints, hands over, and prints all waiting permits', async ({ page, baseURL }) => {
  const stamp = tag()
  const first = `Võ Thị Sẵn Sàng ${stamp}`
  const firstId = await addApplication(baseURL!, first, true)
  await login(page, 'canbo')
  await page.getByTestId('menu-ready').click()
  const row = page.locator(`[data-testid="ready-row"][data-app-id="${firstId}"]`)
  await expect(row).toHaveAttribute('data-stage', 'to_issue')
  await expect(page.getByTestId('ready-row').first()).toHaveAttribute('data-app-id', firstId) // newest first
  await expect(row.getByTestId('ready-name')).toHaveText(first)

  await row.getByTestId('ready-issue-print').click()
  await expect(row).toHaveAttribute('data-stage', 'to_sign')
  await expect(page.locator('.n-message').filter({ hasText: 'GDD-PDF' }).first()).toBeVisible()
  const number = await row.getAttribute('data-permit-number')
  expect(number).toMatch(/^28261\/\d{4}\/\d{6}$/)

  await row.getByTestId('ready-hand-over').click()
  await expect(row).toHaveCount(0)
  const clerk = await apiAs(baseURL!, 'canbo')
  try {
    const p = await apiCall<{ status: string; print_count: number }>(clerk, 'PermitService/Get', number)
    expect(p.status).toBe('issued')
    expect(p.print_count).toBe(1)
  } finally {
    await clerk.dispose()
  }

  // Two more approved citizens appear on their own; one click prints every waiting permit.
  const ids = [await addApplication(baseURL!, `Đỗ Văn Một ${stamp}`, true), await addApplication(baseURL!, `Đỗ Văn Hai ${stamp}`, true)]
  for (const id of ids) {
    await expect(page.locator(`[data-testid="ready-row"][data-app-id="${id}"]`)).toHaveAttribute('data-stage', 'to_issue', { timeout: 15_000 })
  }
  await page.getByTestId('ready-print-all').click()
  for (const id of ids) {
    await expect(page.locator(`[data-testid="ready-row"][data-app-id="${id}"]`)).toHaveAttribute('data-stage', 'to_sign')
  }
  await expect(page.getByTestId('ready-print-all')).toBeDisabled()
})

test.describe('at 1024×768', () => {
  test.use({ viewport: { width: 1024, height: 768 } })

  test('the intake submit bar stays on screen at the bottom', async ({ page }) => {
    await login(page, 'canbo')
    await page.getByTestId('menu-intake').click()
    const submit = page.getByTestId('intake-submit')
    await expect(submit).toBeVisible()
    const box = await submit.boundingBox()
    expect(box, 'submit button has a box').not.toBeNull()
    expect((box?.y ?? 1e9) + (box?.height ?? 0), 'submit button inside the 768-pixel window without scrolling').toBeLessThanOrEqual(768)
    // The form's first field is on screen too: the bar does not push the form away.
    await expect(page.getByTestId('intake-form')).toBeInViewport()
  })
})
