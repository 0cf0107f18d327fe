import {
  CARD_DUNG,
  CARD_MAI,
  apiResponse,
  callFromPage,
  chooseOption,
  errorCode,
  expect,
  fillRest,
  login,
  scanCard,
  test,
} from './helpers'

// One office, one story: the clerk enters, the approver approves, and what must be refused is.
test.describe.configure({ mode: 'serial' })

let dungId = ''

test('clerk fills the form by a CCCD scanner burst and submits it', async ({ page }) => {
  await page.goto('/')
  // The demo office says so, and lists its accounts.
  await expect(page.getByTestId('demo-banner')).toBeVisible()
  await expect(page.getByTestId('demo-accounts')).toBeVisible()

  await login(page, 'canbo')
  await expect(page.getByTestId('demo-banner')).toBeVisible()
  await expect(page.getByTestId('header-role')).toHaveAttribute('data-role', 'clerk')
  await expect(page.getByTestId('intake-page')).toBeVisible()

  const name = page.getByTestId('input-full_name')
  await name.click()
  await expect(name).toBeFocused()
  const parsed = apiResponse(page, 'ApplicationService/ParseCCCDQR')
  await scanCard(page, CARD_DUNG)
  expect((await parsed).ok()).toBe(true)

  await expect(page.getByTestId('field-id_number')).toHaveAttribute('data-value', '082095001234')
  await expect(name).toHaveValue('Nguyễn Văn Dũng')
  expect(await name.inputValue()).not.toContain('|')
  await expect(page.getByTestId('input-id_number')).toHaveValue('082095001234')
  await expect(page.getByTestId('field-birth_date')).toHaveAttribute('data-value', '1995-03-15')
  await expect(page.getByTestId('field-gender')).toHaveAttribute('data-value', 'male')
  // The 2021 card names a commune gone since 2025: its address is kept as given and the
  // residence stays the office's own commune.
  await expect(page.getByTestId('field-card_address')).toHaveAttribute('data-value', /Xã Tân Mỹ Chánh/)
  await expect(page.getByTestId('residence')).toHaveAttribute('data-value', '28261')
  // no field kept any of the burst
  for (const testid of ['input-full_name', 'input-phone', 'input-id_number', 'input-residence_street']) {
    expect(await page.getByTestId(testid).inputValue()).not.toContain('|')
  }

  await fillRest(page)
  // The plate appears only for vehicles that need one.
  await chooseOption(page, 'field-vehicle_type', 2)
  await expect(page.getByTestId('field-vehicle_plate')).toBeVisible()
  await chooseOption(page, 'field-vehicle_type', 0)
  await expect(page.getByTestId('field-vehicle_plate')).toHaveCount(0)

  // Ctrl+Enter in a field submits the form (Enter alone moves on: counter-intake.spec.ts).
  const added = apiResponse(page, 'ApplicationService/AddWith')
  await page.getByTestId('input-route_to').press('Control+Enter')
  const res = await added
  expect(res.status(), await res.text()).toBe(200)
  const app = (await res.json()) as { id: string; status: string; full_name: string }
  expect(app.status).toBe('submitted')
  expect(app.full_name).toBe('Nguyễn Văn Dũng')
  dungId = app.id

  const success = page.getByTestId('intake-success')
  await expect(success).toBeVisible()
  await expect(success).toHaveAttribute('data-app-id', dungId)
  await expect(success).toHaveAttribute('data-status', 'submitted')
  // Ready for the next citizen.
  await expect(name).toHaveValue('')
  await expect(name).toBeFocused()
})

test('approver sees it in the queue and approves it', async ({ page }) => {
  expect(dungId).not.toBe('')
  await login(page, 'lanhdao')
  await expect(page.getByTestId('header-role')).toHaveAttribute('data-role', 'approver')
  // leaders may enter applications too (one-person offices): the backend allows it
  await expect(page.getByTestId('menu-intake')).toBeVisible()
  await page.getByTestId('menu-queue').click()
  await expect(page.getByTestId('queue-page')).toBeVisible()

  const row = page.locator(`[data-testid="queue-row"][data-app-id="${dungId}"]`)
  await expect(row).toBeVisible()
  const approved = apiResponse(page, 'ApplicationService/Approve')
  await row.getByTestId('queue-approve').click()
  const res = await approved
  expect(res.status(), await res.text()).toBe(200)
  expect(((await res.json()) as { status: string }).status).toBe('approved')
  await expect(row).toHaveCount(0)

  // The list shows it approved; the search ignores diacritics.
  await page.getByTestId('menu-applications').click()
  await page.getByTestId('list-search').fill('nguyen van dung')
  const listRow = page.locator(`[data-testid="app-row"][data-app-id="${dungId}"]`)
  await expect(listRow).toHaveAttribute('data-status', 'approved')
  await expect(listRow.getByTestId('status-tag')).toHaveAttribute('data-status', 'approved')
  await listRow.click()
  await expect(page.getByTestId('app-detail')).toHaveAttribute('data-status', 'approved')

  const got = await callFromPage(page, 'ApplicationService/Get', [dungId])
  expect(got.status).toBe(200)
  expect((got.body as { status: string }).status).toBe('approved')
})

test('an invalid CCCD number shows its error at the ID field, in Vietnamese', async ({ page }) => {
  await login(page, 'canbo')
  await page.getByTestId('input-full_name').click()
  await scanCard(page, CARD_MAI)
  await expect(page.getByTestId('field-id_number')).toHaveAttribute('data-value', '082190004321')
  // 12 digits, but 000 is no province code.
  await page.getByTestId('input-id_number').fill('000190004321')
  await fillRest(page)

  const added = apiResponse(page, 'ApplicationService/AddWith')
  await page.getByTestId('intake-submit').click()
  const res = await added
  expect(res.ok()).toBe(false)
  const body = (await res.json()) as { code?: string; fields?: { field: string; vi: string }[]; error?: { fields?: { field: string; vi: string }[] } }
  expect(errorCode(body)).toBe('validation')
  const fields = body.fields ?? body.error?.fields ?? []
  const idError = fields.find((f) => f.field === 'id_number')
  expect(idError, JSON.stringify(body)).toBeTruthy()

  const shown = page.getByTestId('error-id_number')
  await expect(shown).toBeVisible()
  await expect(shown).toHaveText(idError!.vi)
  // it sits inside the ID number's form item
  await expect(page.getByTestId('field-id_number').getByTestId('error-id_number')).toBeVisible()
  await expect(page.getByTestId('intake-errors')).toBeVisible()
  // nothing was saved, the form keeps what was typed
  await expect(page.getByTestId('input-full_name')).toHaveValue('Trần Thị Mai')
  await expect(page.getByTestId('intake-success')).toHaveCount(0)
})

test('the clerk cannot approve: no queue, no button, and the service refuses', async ({ page }) => {
  await login(page, 'canbo')
  await expect(page.getByTestId('menu-intake')).toBeVisible()
  await expect(page.getByTestId('menu-applications')).toBeVisible()
  await expect(page.getByTestId('menu-queue')).toHaveCount(0)
  await expect(page.getByTestId('menu-rules')).toHaveCount(0)
  await expect(page.getByTestId('menu-users')).toHaveCount(0)
  await expect(page.getByTestId('menu-settings')).toHaveCount(0)

  // A fresh application awaiting approval.
  await page.getByTestId('input-full_name').click()
  await scanCard(page, CARD_MAI)
  await expect(page.getByTestId('input-full_name')).toHaveValue('Trần Thị Mai')
  await fillRest(page)
  const added = apiResponse(page, 'ApplicationService/AddWith')
  await page.getByTestId('intake-submit').click()
  const res = await added
  expect(res.status(), await res.text()).toBe(200)
  const id = ((await res.json()) as { id: string }).id

  // The queue route is not reachable.
  await page.goto('/#/queue')
  await expect(page.getByTestId('intake-page')).toBeVisible()
  await expect(page.getByTestId('queue-page')).toHaveCount(0)

  // The detail drawer offers no decision.
  await page.getByTestId('menu-applications').click()
  const row = page.locator(`[data-testid="app-row"][data-app-id="${id}"]`)
  await row.click()
  await expect(page.getByTestId('app-detail')).toBeVisible()
  await expect(page.getByTestId('detail-approve')).toHaveCount(0)
  await expect(page.getByTestId('detail-reject')).toHaveCount(0)
  await expect(page.getByTestId('queue-approve')).toHaveCount(0)

  // Calling the service directly from the clerk's page is refused.
  const direct = await page.evaluate(async (appId) => {
    const r = await fetch('/api/ApplicationService/Approve', { method: 'POST', body: JSON.stringify([appId]) })
    return { status: r.status, body: (await r.json()) as unknown }
  }, id)
  expect(direct.status).toBeGreaterThanOrEqual(400)
  expect(errorCode(direct.body)).toBe('forbidden')

  // and nothing changed
  const got = await callFromPage(page, 'ApplicationService/Get', [id])
  expect((got.body as { status: string }).status).toBe('submitted')
})
