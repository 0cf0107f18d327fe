import { defineConfig } from '@playwright/test'

// End-to-end tests against the real Go backend: e2e/global-setup.ts makes a temporary data
// directory, runs `gddctl init --demo`, and starts `gddctl ui serve` (the bound services over
// local HTTP plus frontend/dist) on a free port; the URL reaches the tests as GDD_E2E_BASE_URL.
// Build first: `make build` (or `npm run build` and `go build -o ../build/bin/gddctl ./backend/cmd/gddctl`).
// Chromium is Debian's (/usr/bin/chromium, or CHROMIUM_PATH): Playwright never downloads a browser here.

export default defineConfig({
  testDir: './e2e',
  globalSetup: './e2e/global-setup.ts',
  // The tests share one office (one backend): they run in order, one at a time.
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  outputDir: 'test-results',
  use: {
    browserName: 'chromium',
    locale: 'vi-VN',
    timezoneId: 'Asia/Ho_Chi_Minh',
    viewport: { width: 1366, height: 900 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    actionTimeout: 10_000,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
})
