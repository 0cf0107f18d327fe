import base from './playwright.config'
import { defineConfig } from '@playwright/test'

// Benchmarks (make bench-counter): the same real backend as the e2e tests, specs in bench/.
// They report figures; they assert no speed.
export default defineConfig({
  ...base,
  testDir: './bench',
  testMatch: '**/*.bench.ts',
  timeout: 900_000,
  retries: 0,
  reporter: [['list']],
  use: { ...base.use, viewport: { width: 1366, height: 768 } },
})
