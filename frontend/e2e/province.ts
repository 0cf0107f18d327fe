import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

// A real provincial server and a second, separate office for the specs that enroll an
// office: enrolling changes who may sign in, so they never touch global-setup's office.

const frontendDir = fileURLToPath(new URL('..', import.meta.url))
export const gddctl = process.env.GDDCTL ?? resolve(frontendDir, '../build/bin/gddctl')
export const gddServer = process.env.GDD_SERVER ?? resolve(frontendDir, '../build/bin/gdd-server')
const distDir = resolve(frontendDir, 'dist')

export const ROOT_PASSPHRASE = 'e2e-root-passphrase'
const CA_PASSPHRASE = 'e2e-ca-passphrase-1'

/** Runs a command to completion; its stdout, or an error with its stderr. */
export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  const res = spawnSync(cmd, args, { env: { ...process.env, GDD_DATA: '', ...env }, encoding: 'utf8', timeout: 120_000 })
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${res.status ?? res.signal}): ${res.stderr}`)
  return res.stdout
}

function waitFor(child: ChildProcess, stream: 'stdout' | 'stderr', re: RegExp, what: string): Promise<string> {
  return new Promise((ok, fail) => {
    let seen = ''
    const timer = setTimeout(() => fail(new Error(`${what} did not start in 30 s\n${seen}`)), 30_000)
    child[stream]?.on('data', (b: Buffer) => {
      seen += b.toString()
      const m = re.exec(seen)
      if (m?.[1]) {
        clearTimeout(timer)
        ok(m[1])
      }
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      fail(new Error(`${what} exited with ${code}\n${seen}`))
    })
  })
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()))
  child.kill('SIGTERM')
  await Promise.race([exited, new Promise<void>((ok) => setTimeout(ok, 5000))])
  if (child.exitCode === null) child.kill('SIGKILL')
}

export interface Province {
  data: string
  url: string
  /** gdd-server with --data and the passphrases set. */
  cli(args: string[], env?: NodeJS.ProcessEnv): string
  close(): Promise<void>
}

/** `gdd-server init` then `gdd-server serve` on a free loopback port (SQLite). */
export async function startProvince(): Promise<Province> {
  const data = mkdtempSync(join(tmpdir(), 'gdd-e2e-province-'))
  const env = { GDD_PASSWORD: 'province-admin-1', GDD_ROOT_PASSPHRASE: ROOT_PASSPHRASE, GDD_CA_PASSPHRASE: CA_PASSPHRASE, GDD_LOG_FORMAT: 'text' }
  const cli = (args: string[], more: NodeJS.ProcessEnv = {}): string => run(gddServer, ['--data', data, ...args], { ...env, ...more })
  cli(['init', '--admin', 'quantri.so', '--province', 'Đồng Tháp'])
  const server = spawn(gddServer, ['--data', data, 'serve', '--listen', '127.0.0.1:0'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  const addr = await waitFor(server, 'stderr', /msg=serving addr=(\S+)/, 'gdd-server serve')
  return {
    data,
    url: `https://${addr}`,
    cli,
    close: async () => {
      await stop(server)
      rmSync(data, { recursive: true, force: true })
    },
  }
}

export interface Office {
  data: string
  baseURL: string
  /** The bridge's launch secret as a Playwright storage state. */
  storageState: { cookies: { name: string; value: string; domain: string; path: string; expires: number; httpOnly: boolean; secure: boolean; sameSite: 'Strict' }[]; origins: [] }
  ctl(args: string[], env?: NodeJS.ProcessEnv): string
  close(): Promise<void>
}

/** A demo office of its own (`gddctl init --demo`) served by `gddctl ui serve`. */
export async function startOffice(): Promise<Office> {
  const data = mkdtempSync(join(tmpdir(), 'gdd-e2e-office-'))
  const ctl = (args: string[], env: NodeJS.ProcessEnv = {}): string => run(gddctl, ['--data', data, ...args], { GDD_PASSWORD: '', ...env })
  ctl(['init', '--demo'])
  const ui = spawn(gddctl, ['--data', data, 'ui', 'serve', '--addr', '127.0.0.1:0', '--dir', distDir], { env: { ...process.env, GDD_DATA: '', GDD_PASSWORD: '' }, stdio: ['ignore', 'pipe', 'pipe'] })
  const printed = await waitFor(ui, 'stdout', /listening on (http:\/\/[^\s]+)/, 'gddctl ui serve')
  const url = new URL(printed)
  const key = url.searchParams.get('key') ?? ''
  return {
    data,
    baseURL: url.origin,
    storageState: {
      cookies: [{ name: `gdd_key_${url.port}`, value: key, domain: url.hostname, path: '/', expires: -1, httpOnly: true, secure: false, sameSite: 'Strict' }],
      origins: [],
    },
    ctl,
    close: async () => {
      await stop(ui)
      rmSync(data, { recursive: true, force: true })
    },
  }
}
