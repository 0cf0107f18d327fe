import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FullConfig } from '@playwright/test'

const frontendDir = fileURLToPath(new URL('..', import.meta.url))
const gddctl = process.env.GDDCTL ?? resolve(frontendDir, '../build/bin/gddctl')
const distDir = resolve(frontendDir, 'dist')
const startCups = resolve(frontendDir, '../scripts/start-cups.sh')

/**
 * Starts CUPS with the cups-pdf queue GDD-PDF (scripts/start-cups.sh; --test-tools brings
 * pdfinfo) and returns the directory cups-pdf writes the printed PDFs to (its last line).
 */
function startCupsPdf(): string {
  const res = spawnSync(startCups, ['--test-tools'], { encoding: 'utf8', timeout: 600_000 })
  if (res.status !== 0) {
    throw new Error(`${startCups} failed (${res.status ?? res.signal}): ${res.stderr}${res.error ? String(res.error) : ''}`)
  }
  const lines = res.stdout.trim().split('\n')
  const dir = lines[lines.length - 1]?.trim() ?? ''
  if (!dir || !existsSync(dir)) throw new Error(`${startCups} printed no output directory: ${res.stdout}`)
  return dir
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer()
    srv.unref()
    srv.on('error', fail)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      srv.close(() => ok(port))
    })
  })
}

function waitForListening(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((ok, fail) => {
    let out = ''
    let err = ''
    const timer = setTimeout(() => fail(new Error(`gddctl ui serve did not start in ${timeoutMs} ms\n${out}${err}`)), timeoutMs)
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString()
      const m = /listening on (http:\/\/[^\s]+)/.exec(out)
      if (m?.[1]) {
        clearTimeout(timer)
        ok(m[1])
      }
    })
    child.stderr?.on('data', (b: Buffer) => {
      err += b.toString()
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      fail(new Error(`gddctl ui serve exited with ${code}\n${out}${err}`))
    })
  })
}

export default async function globalSetup(_config: FullConfig): Promise<() => Promise<void>> {
  if (!existsSync(gddctl)) throw new Error(`${gddctl} is missing: run \`make build\` first`)
  if (!existsSync(join(distDir, 'index.html'))) throw new Error(`${distDir} is missing: run \`npm run build\` first`)

  const dataDir = mkdtempSync(join(tmpdir(), 'gdd-e2e-'))
  const env: NodeJS.ProcessEnv = { ...process.env, GDD_PASSWORD: '' }
  delete env.GDD_DATA

  const init = spawnSync(gddctl, ['--data', dataDir, 'init', '--demo'], { env, encoding: 'utf8' })
  if (init.status !== 0) {
    rmSync(dataDir, { recursive: true, force: true })
    throw new Error(`gddctl init --demo failed (${init.status}): ${init.stderr}`)
  }

  // Printing goes to a real spooler: CUPS with cups-pdf, the office's default printer.
  let cupsPdfDir: string
  try {
    cupsPdfDir = startCupsPdf()
    const set = spawnSync(
      gddctl,
      ['--data', dataDir, '--user', 'quantri', 'settings', 'set', '--default-printer', 'GDD-PDF'],
      { env: { ...env, GDD_PASSWORD: 'demo1234' }, encoding: 'utf8' },
    )
    if (set.status !== 0) throw new Error(`gddctl settings set --default-printer failed (${set.status}): ${set.stderr}`)
  } catch (e) {
    rmSync(dataDir, { recursive: true, force: true })
    throw e
  }
  process.env.GDD_E2E_CUPS_PDF_DIR = cupsPdfDir

  // The leader lanhdao signs with the software FIDO key kept in the data directory: enrolled
  // here (the demo office is its own province, so its trust list takes the key at once), and
  // plugged into the server below, which "touches" it 400 ms after it starts waiting.
  const enroll = spawnSync(
    gddctl,
    ['--data', dataDir, '--user', 'quantri', 'token', 'enroll', '--officer', 'lanhdao', '--soft-fido', '--json'],
    { env: { ...env, GDD_PASSWORD: 'demo1234' }, encoding: 'utf8' },
  )
  if (enroll.status !== 0) {
    rmSync(dataDir, { recursive: true, force: true })
    throw new Error(`gddctl token enroll --soft-fido failed (${enroll.status}): ${enroll.stderr}`)
  }
  process.env.GDD_E2E_LEADER_KEY_ID = (JSON.parse(enroll.stdout) as { key_id: string }).key_id

  const port = await freePort()
  const server = spawn(
    gddctl,
    ['--data', dataDir, 'ui', 'serve', '--addr', `127.0.0.1:${port}`, '--dir', distDir, '--soft-fido', '--touch-delay', '400ms'],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let printed: string
  try {
    printed = await waitForListening(server, 30_000)
  } catch (e) {
    server.kill('SIGKILL')
    rmSync(dataDir, { recursive: true, force: true })
    throw e
  }
  // The bridge prints its URL with the launch secret (?key=…) and wants it as a cookie on
  // every request: every browser context and API session of the tests starts with it, as a
  // user's browser does after opening the printed link.
  const url = new URL(printed)
  const key = url.searchParams.get('key')
  if (!key) {
    server.kill('SIGKILL')
    rmSync(dataDir, { recursive: true, force: true })
    throw new Error(`gddctl ui serve printed no launch secret: ${printed}`)
  }
  const storage = join(dataDir, 'e2e-storage.json')
  writeFileSync(
    storage,
    JSON.stringify({
      cookies: [
        {
          name: `gdd_key_${url.port}`,
          value: key,
          domain: url.hostname,
          path: '/',
          expires: -1,
          httpOnly: true,
          secure: false,
          sameSite: 'Strict',
        },
      ],
      origins: [],
    }),
    { mode: 0o600 },
  )
  process.env.GDD_E2E_BASE_URL = url.origin
  process.env.GDD_E2E_STORAGE = storage
  process.env.GDD_E2E_DATA = dataDir

  return async () => {
    if (server.exitCode === null) {
      const exited = new Promise<void>((ok) => server.once('exit', () => ok()))
      server.kill('SIGTERM')
      const timeout = new Promise<void>((ok) => setTimeout(ok, 5000))
      await Promise.race([exited, timeout])
      if (server.exitCode === null) server.kill('SIGKILL')
    }
    if (!process.env.GDD_E2E_KEEP) rmSync(dataDir, { recursive: true, force: true })
  }
}
