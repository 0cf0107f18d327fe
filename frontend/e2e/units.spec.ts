import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CARD_DUNG, apiAs, apiCall, expect, issueAwaitingPermits, login, scanCard, test } from './helpers'

// Today's two levels: the residence is a province then a commune, searchable in every province
// without diacritics; the demo office is UBND Phường Mỹ Tho, Tỉnh Đồng Tháp.

test('the residence defaults to the office commune; an old card address does not block it', async ({ page }) => {
  await login(page, 'canbo')
  await expect(page.getByTestId('intake-page')).toBeVisible()
  const residence = page.getByTestId('residence')
  await expect(residence).toHaveAttribute('data-value', '28261')
  await expect(page.getByTestId('residence-province')).toContainText('Tỉnh Đồng Tháp')
  await expect(page.getByTestId('residence-commune')).toContainText('Phường Mỹ Tho')
  // No district any more.
  await expect(page.getByTestId('residence-district')).toHaveCount(0)

  // A 2021 card names Xã Tân Mỹ Chánh, Thành phố Mỹ Tho: kept as given, the picker untouched.
  await page.getByTestId('input-full_name').click()
  await scanCard(page, CARD_DUNG)
  await expect(page.getByTestId('input-full_name')).toHaveValue('Nguyễn Văn Dũng')
  await expect(page.getByTestId('card-address')).toHaveText('Ấp Tân Hòa, Xã Tân Mỹ Chánh, Thành phố Mỹ Tho, Tiền Giang')
  await expect(residence).toHaveAttribute('data-value', '28261')
})

test('the commune picker finds a commune of another province by a name without diacritics', async ({ page }) => {
  await login(page, 'canbo')
  const field = page.getByTestId('residence-commune')
  const menu = page.locator('.n-base-select-menu:visible')
  await expect(async () => {
    if ((await menu.count()) === 0) await field.locator('.n-base-selection').click({ timeout: 2000 })
    await page.keyboard.type('ba dinh')
    await menu.locator('.n-base-select-option', { hasText: 'Phường Ba Đình — Thành phố Hà Nội' }).click({ timeout: 3000 })
  }).toPass({ timeout: 20_000 })
  await expect(page.getByTestId('residence')).toHaveAttribute('data-value', '00004')
  await expect(page.getByTestId('residence-province')).toContainText('Thành phố Hà Nội')
  await expect(field).toContainText('Phường Ba Đình')

  // "my tho" brings back the office's own ward.
  await expect(async () => {
    if ((await menu.count()) === 0) await field.locator('.n-base-selection').click({ timeout: 2000 })
    await page.keyboard.type('my tho')
    await menu.locator('.n-base-select-option', { hasText: 'Phường Mỹ Tho' }).first().click({ timeout: 3000 })
  }).toPass({ timeout: 20_000 })
  await expect(page.getByTestId('residence')).toHaveAttribute('data-value', '28261')
  await expect(page.getByTestId('residence-province')).toContainText('Tỉnh Đồng Tháp')
})

test('an application naming a commune gone since 2025 is refused with the reason', async ({ baseURL }) => {
  const clerk = await apiAs(baseURL!, 'canbo')
  try {
    const res = await clerk.post('/api/ApplicationService/Add', {
      data: [
        {
          full_name: 'Nguyễn Văn Cũ',
          birth_date: '1995-03-15',
          gender: 'male',
          id_number: '082095007777',
          phone: '',
          residence_commune_code: '28291',
          residence_street: '',
          card_address: '',
          workplace: '',
          purpose_code: 'work',
          route_from: 'A',
          route_to: 'B',
          vehicle_type: 'walk',
          vehicle_plate: '',
          valid_from: new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10),
          valid_to: new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10),
          note: '',
        },
      ],
    })
    expect(res.ok()).toBe(false)
    const raw = JSON.parse(await res.text()) as { fields?: unknown; error?: { fields?: unknown } }
    const body = (raw.fields ? raw : raw.error) as { fields: { field: string; vi: string }[] }
    expect(body.fields[0]?.field).toBe('residence_commune_code')
    expect(body.fields[0]?.vi).toBe('Xã Tân Mỹ Chánh không còn từ 01/07/2025; hãy chọn xã/phường hiện nay')
  } finally {
    await clerk.dispose()
  }
})

test("the demo office's permit names Tỉnh Đồng Tháp and no district", async ({ baseURL }) => {
  const [number] = await issueAwaitingPermits(baseURL!, 1, 'Đơn Vị')
  expect(number).toMatch(/^28261\/\d{4}\/\d{6}$/)
  const clerk = await apiAs(baseURL!, 'canbo')
  try {
    // The PDF the print path renders (the spooler's own output keeps no text to read).
    const b64 = await apiCall<string>(clerk, 'PermitService/Preview', [number], false)
    const file = join(mkdtempSync(join(tmpdir(), 'gdd-units-')), 'permit.pdf')
    writeFileSync(file, Buffer.from(b64, 'base64'))
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ')
    expect(text).toContain('TỈNH ĐỒNG THÁP')
    expect(text).toContain('ỦY BAN NHÂN DÂN PHƯỜNG MỸ THO')
    expect(text).toContain('Phường Mỹ Tho, Tỉnh Đồng Tháp')
    for (const district of ['THÀNH PHỐ MỸ THO', 'Thành phố Mỹ Tho', 'Huyện', 'HUYỆN', 'Quận', 'Thị xã', 'Tiền Giang', 'TIỀN GIANG']) {
      expect(text).not.toContain(district)
    }
  } finally {
    await clerk.dispose()
  }
})
