import type { Page } from '@playwright/test'
import { apiAs, apiCall, apiResponse, chooseOption, expect, login, scanCard, test, vnDay } from './helpers'

// The counter (issue 11): the keyboard, typed dates, dropdown typing, carry-over, the
// duplicate prompt, a scan on every screen, corrections, and Vietnam time on a UTC PC.
// Its own cards (ID numbers no other spec uses), so other specs meet no duplicate of ours.
test.describe.configure({ mode: 'serial' })

const CARD_LAN = '082196007777||Lê Thị Ngọc Lan|20081996|Nữ|Khu phố 2, Phường Mỹ Tho, Tỉnh Đồng Tháp|10102025'
const CARD_BAO = '082088003333||Trương Quốc Bảo|05051988|Nam|Khu phố 4, Phường Mỹ Tho, Tỉnh Đồng Tháp|11102025'

const dateOf = (iso: string) => iso.split('-').reverse().join('/')

async function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null
    return el?.dataset.testid ?? el?.closest('[data-testid^="field-"], [data-testid$="-province"], [data-testid$="-commune"]')?.getAttribute('data-testid') ?? el?.tagName ?? ''
  })
}

test('Enter moves to the next field, never submits a half-filled form; dates are typed', async ({ page }) => {
  await login(page, 'canbo')
  const name = page.getByTestId('input-full_name')
  await name.click()
  await page.keyboard.type('Nguyễn Thị Thu Hương')
  let saves = 0
  page.on('request', (r) => r.url().includes('/api/ApplicationService/AddWith') && saves++)
  await page.keyboard.press('Enter')
  expect(await focused(page)).toBe('input-birth_date')
  // ddMMyyyy as the card writes it
  await page.keyboard.type('15031995')
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('input-birth_date')).toHaveValue('15/03/1995')
  await expect(page.getByTestId('field-birth_date')).toHaveAttribute('data-value', '1995-03-15')
  // the gender radios are one stop, then the ID number: no dead stop on a wrapper
  expect(await focused(page)).toMatch(/^INPUT$|gender/)
  await page.keyboard.press('Enter')
  expect(await focused(page)).toBe('input-id_number')
  expect(saves).toBe(0)
  await expect(page.getByTestId('intake-errors')).toHaveCount(0)

  for (const [typed, shown] of [
    ['15/3/1995', '15/03/1995'],
    ['15-03-1995', '15/03/1995'],
    ['1/12/2000', '01/12/2000'],
  ] as const) {
    await page.getByTestId('input-birth_date').fill(typed)
    await page.getByTestId('input-birth_date').press('Enter')
    await expect(page.getByTestId('input-birth_date')).toHaveValue(shown)
    await expect(page.getByTestId('error-birth_date')).toHaveCount(0)
  }
  // An impossible date is said at the field, and stays as typed to be corrected.
  await page.getByTestId('input-birth_date').fill('31/02/1990')
  await page.getByTestId('input-birth_date').press('Tab')
  await expect(page.getByTestId('error-birth_date')).toContainText('31/2/1990')
  await expect(page.getByTestId('input-birth_date')).toHaveValue('31/02/1990')
  await expect(page.getByTestId('field-birth_date')).toHaveAttribute('data-value', '')
  // Ctrl+Enter with a bad date submits nothing and goes back to the date.
  await page.getByTestId('input-phone').press('Control+Enter')
  await expect(page.getByTestId('input-birth_date')).toBeFocused()
  expect(saves).toBe(0)
  await page.getByTestId('input-birth_date').fill('abc')
  await page.getByTestId('input-birth_date').press('Enter')
  await expect(page.getByTestId('error-birth_date')).toContainText('15031995')
})

test('a dropdown filters as soon as one types, without diacritics', async ({ page }) => {
  await login(page, 'canbo')
  await page.getByTestId('input-workplace').click()
  await page.keyboard.press('Enter') // to the purpose dropdown, whose menu opens on focus
  await page.keyboard.type('kham')
  await expect(page.locator('.n-base-select-menu:visible .n-base-select-option')).toHaveCount(1)
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('field-purpose_code')).toHaveAttribute('data-value', 'medical')
  // and Enter went on to the next field
  await expect.poll(() => focused(page)).toBe('input-route_from')
  await page.getByTestId('input-route_to').click()
  await page.keyboard.press('Enter')
  await page.keyboard.type('xe dap')
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('field-vehicle_type')).toHaveAttribute('data-value', 'bicycle')
})

test('carry-over: residence and "Đi từ" from the office, the trip from the previous citizen; F4 clears it', async ({ page }) => {
  await login(page, 'canbo')
  await expect(page.getByTestId('residence')).toHaveAttribute('data-value', '28261')
  await page.getByTestId('input-full_name').click()
  await scanCard(page, CARD_LAN)
  await expect(page.getByTestId('input-full_name')).toHaveValue('Lê Thị Ngọc Lan')
  await expect(page.getByTestId('input-route_from')).toHaveValue(/Phường Mỹ Tho/)
  await page.getByTestId('input-phone').fill('0912345678')
  await chooseOption(page, 'field-purpose_code', 0)
  await page.getByTestId('input-route_to').fill('Bệnh viện Chợ Rẫy, Thành phố Hồ Chí Minh')
  await chooseOption(page, 'field-vehicle_type', 1)
  const saved = apiResponse(page, 'ApplicationService/AddWith')
  await page.getByTestId('input-route_to').press('Control+Enter')
  expect((await saved).status()).toBe(200)
  await expect(page.getByTestId('intake-success')).toBeVisible()
  // The next citizen: the trip stayed, the person is blank, the residence is the office's.
  await expect(page.getByTestId('input-full_name')).toHaveValue('')
  await expect(page.getByTestId('input-route_to')).toHaveValue('Bệnh viện Chợ Rẫy, Thành phố Hồ Chí Minh')
  await expect(page.getByTestId('field-vehicle_type')).toHaveAttribute('data-value', 'bicycle')
  await expect(page.getByTestId('field-purpose_code')).not.toHaveAttribute('data-value', '')
  await expect(page.getByTestId('residence')).toHaveAttribute('data-value', '28261')
  await expect(page.getByTestId('input-route_from')).toHaveValue('Phường Mỹ Tho')
  await page.getByTestId('input-residence_street').fill('Khu phố 7')
  await expect(page.getByTestId('input-route_from')).toHaveValue('Khu phố 7, Phường Mỹ Tho')
  // F4: a new trip
  await page.getByTestId('input-full_name').press('F4')
  await expect(page.getByTestId('input-route_to')).toHaveValue('')
  await expect(page.getByTestId('field-vehicle_type')).toHaveAttribute('data-value', '')
  await expect(page.getByTestId('field-purpose_code')).toHaveAttribute('data-value', '')
  // the last destinations are offered as one types
  await page.getByTestId('input-route_to').fill('cho ray')
  await expect(page.locator('.n-base-select-menu:visible')).toContainText('Bệnh viện Chợ Rẫy')
})

test('a duplicate is shown and asked about; confirming saves it', async ({ page }) => {
  await login(page, 'canbo')
  await page.getByTestId('input-full_name').click()
  await scanCard(page, CARD_LAN)
  await expect(page.getByTestId('input-full_name')).toHaveValue('Lê Thị Ngọc Lan')
  await page.getByTestId('input-phone').fill('0912345678')
  await chooseOption(page, 'field-purpose_code', 0)
  await page.getByTestId('input-route_to').fill('Chợ Mỹ Tho')
  await chooseOption(page, 'field-vehicle_type', 1)
  const refused = apiResponse(page, 'ApplicationService/AddWith')
  await page.getByTestId('intake-submit').click()
  expect((await refused).status()).not.toBe(200)
  const dialog = page.getByTestId('duplicate-dialog')
  await expect(dialog).toBeVisible()
  await expect(dialog.getByTestId('duplicate-record')).toContainText('Lê Thị Ngọc Lan')
  await expect(dialog).toContainText('082196007777')
  await expect(page.getByTestId('intake-success')).toHaveCount(0)
  const saved = apiResponse(page, 'ApplicationService/AddWith')
  await page.getByTestId('duplicate-confirm').click()
  const res = await saved
  expect(res.status()).toBe(200)
  expect(JSON.parse(res.request().postData() ?? '[]')[1]).toEqual({ draft: false, allow_duplicate: true })
  await expect(page.getByTestId('intake-success')).toBeVisible()
})

test('a CCCD scan on the list screen opens the citizen, never lands in the search box', async ({ page }) => {
  await login(page, 'canbo')
  await page.getByTestId('menu-applications').click()
  const search = page.getByTestId('list-search')
  await search.click()
  await scanCard(page, CARD_LAN)
  await expect(search).toHaveValue('082196007777')
  expect(await search.inputValue()).not.toContain('|')
  await expect(page.locator('[data-testid="app-row"]').first()).toContainText('Lê Thị Ngọc Lan')
  // No field focused, a citizen with no application: a new intake filled from the card.
  await page.locator('body').click({ position: { x: 5, y: 300 } })
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur())
  await scanCard(page, CARD_BAO)
  await expect(page.getByTestId('intake-page')).toBeVisible()
  await expect(page.getByTestId('input-full_name')).toHaveValue('Trương Quốc Bảo')
  await expect(page.getByTestId('field-id_number')).toHaveAttribute('data-value', '082088003333')
})

test('a draft is edited; a rejected application is copied into a new one', async ({ page, baseURL }) => {
  await login(page, 'canbo')
  await page.getByTestId('input-full_name').click()
  await scanCard(page, CARD_BAO)
  await expect(page.getByTestId('input-full_name')).toHaveValue('Trương Quốc Bảo')
  await page.getByTestId('input-phone').fill('0912345678')
  await chooseOption(page, 'field-purpose_code', 0)
  await page.getByTestId('input-route_to').fill('Khu công nghiệp Mỹ Tho')
  await chooseOption(page, 'field-vehicle_type', 1)
  const drafted = apiResponse(page, 'ApplicationService/AddWith')
  await page.getByTestId('intake-draft').click()
  const draft = (await (await drafted).json()) as { id: string; status: string }
  expect(draft.status).toBe('draft')

  await page.getByTestId('menu-applications').click()
  await page.locator(`[data-testid="app-row"][data-app-id="${draft.id}"]`).click()
  await page.getByTestId('detail-edit').click()
  await expect(page.getByTestId('intake-editing')).toBeVisible()
  await expect(page.getByTestId('input-full_name')).toHaveValue('Trương Quốc Bảo')
  await page.getByTestId('input-route_to').fill('Chợ Mỹ Tho')
  const edited = apiResponse(page, 'ApplicationService/UpdateDraft')
  await page.getByTestId('intake-submit').click()
  const got = (await (await edited).json()) as { id: string; status: string; route_to: string }
  expect(got).toMatchObject({ id: draft.id, status: 'submitted', route_to: 'Chợ Mỹ Tho' })

  // The leader rejects it; the clerk copies it into a new one.
  const leader = await apiAs(baseURL!, 'lanhdao')
  await apiCall(leader, 'ApplicationService/Reject', draft.id, 'Sai nơi đến')
  await leader.dispose()
  await page.getByTestId('menu-applications').click()
  await page.locator(`[data-testid="app-row"][data-app-id="${draft.id}"]`).click()
  await page.getByTestId('detail-copy').click()
  await expect(page.getByTestId('intake-copied')).toBeVisible()
  await expect(page.getByTestId('input-full_name')).toHaveValue('Trương Quốc Bảo')
  await expect(page.getByTestId('input-route_to')).toHaveValue('Chợ Mỹ Tho')
  const again = apiResponse(page, 'ApplicationService/AddWith')
  await page.getByTestId('intake-submit').click()
  const copy = (await (await again).json()) as { id: string; status: string }
  expect(copy.status).toBe('submitted')
  expect(copy.id).not.toBe(draft.id)
})

test.describe('on a PC set to UTC', () => {
  test.use({ timezoneId: 'UTC' })
  test('the default validity starts on Vietnam’s today, not the PC’s', async ({ page }) => {
    // 03:00 in Vietnam is 20:00 the day before in UTC: the PC's own date is yesterday.
    const today = vnDay(0)
    await page.clock.setFixedTime(new Date(`${today}T03:00:00+07:00`))
    await login(page, 'canbo')
    await expect(page.getByTestId('field-valid_from')).toHaveAttribute('data-value', today)
    await expect(page.getByTestId('input-valid_from')).toHaveValue(dateOf(today))
  })
})
