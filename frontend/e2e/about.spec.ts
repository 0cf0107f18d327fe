import { spawnSync } from 'node:child_process'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, login, test } from './helpers'

// The About box shows the build's version, the same one `gddctl --version` prints (both come
// from backend/version, linked in by the Makefile from git describe).

const frontendDir = fileURLToPath(new URL('..', import.meta.url))
const gddctl = process.env.GDDCTL ?? resolve(frontendDir, '../build/bin/gddctl')

test('the About box names the build version', async ({ page }) => {
  const out = spawnSync(gddctl, ['--version'], { encoding: 'utf8' })
  expect(out.status).toBe(0)
  const version = out.stdout.trim().split(' ').pop() ?? ''
  expect(version).not.toBe('')

  await login(page, 'canbo')
  await page.getByTestId('header-about').click()
  await expect(page.getByTestId('about-dialog')).toContainText('Giấy đi đường')
  await expect(page.getByTestId('about-version')).toHaveText(version)
})
