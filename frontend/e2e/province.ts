// A real provincial server (build/bin/gdd-server) on loopback for the sync specs, and offices
// of their own (gddctl init --demo, enrolled with it, served by their own `gddctl ui serve`),
// so enrolling never touches the office the other specs share.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const frontendDir = fileURLToPath(new URL('..', import.meta.url))
export const gddctl = process.env.GDDCTL ?? resolve(frontendDir, '../build/bin/gddctl')
export const gddServer = process.env.GDD_SERVER ?? resolve(frontendDir, '../build/bin/gdd-server')
const distDir = resolve(frontendDir, 'dist')

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

/** Runs a command to its end; throws with its stderr when it fails. Returns stdout. */
export function run(cmd: string, args: string[], password = '', extra: NodeJS.ProcessEnv = {}): string {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra, GDD_PASSWORD: password }
  delete env.GDD_DATA
  const res = spawnSync(cmd, args, { env, encoding: 'utf8', timeout: 120_000 })
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${res.status ?? res.signal}): ${res.stderr}`)
  return res.stdout
}

/** Waits until the child prints a line matching re (on stdout or stderr). */
function waitFor(child: ChildProcess, re: RegExp, what: string, timeoutMs = 60_000): Promise<RegExpExecArray> {
  return new Promise((ok, fail) => {
    let out = ''
    const timer = setTimeout(() => fail(new Error(`${what} did not start in ${timeoutMs} ms\n${out}`)), timeoutMs)
    const onData = (b: Buffer): void => {
      out += b.toString()
      const m = re.exec(out)
      if (m) {
        clearTimeout(timer)
        ok(m)
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.on('exit', (code) => {
      clearTimeout(timer)
      fail(new Error(`${what} exited with ${code}\n${out}`))
    })
  })
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()))
  child.kill('SIGTERM')
  await Promise.race([exited, new Promise((ok) => setTimeout(ok, 10_000))])
  if (child.exitCode === null) child.kill('SIGKILL')
}

export interface Province {
  url: string
  dir: string
  /** A one-time enrollment code for an office of unit (gdd-server office add). */
  officeCode(unit: string): string
  /**
   * An account made at the province (gdd-server account add): once enrolled, an office signs
   * in only such accounts, after a sync has brought them.
   */
  addAccount(unit: string, username: string, role: 'clerk' | 'approver', fullName: string, password: string): void
  /** Any other gdd-server command, with --data and the sealed keys' passphrases. */
  cli(args: string[], password?: string): string
  close(): Promise<void>
}

// The province's sealed keys: their passphrases, as an operator's environment holds them.
const provinceEnv: NodeJS.ProcessEnv = { GDD_ROOT_PASSPHRASE: 'e2e-root-passphrase', GDD_CA_PASSPHRASE: 'e2e-ca-passphrase' }

/** gdd-server init, then serve on a free loopback port (SQLite in its data directory). */
export async function startProvince(): Promise<Province> {
  const dir = mkdtempSync(join(tmpdir(), 'gdd-e2e-province-'))
  run(gddServer, ['init', '--data', dir, '--admin', 'sotinh', '--province', 'Tỉnh Đồng Tháp'], 'province-admin-1', provinceEnv)
  const port = await freePort()
  const child = spawn(gddServer, ['serve', '--data', dir, '--listen', `127.0.0.1:${port}`], {
    env: { ...process.env, ...provinceEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  await waitFor(child, /serving/, 'gdd-server serve')
  return {
    url: `https://127.0.0.1:${port}`,
    dir,
    officeCode(unit: string): string {
      const out = JSON.parse(run(gddServer, ['office', 'add', '--data', dir, '--unit', unit, '--json'], '', provinceEnv)) as { code: string }
      return out.code
    },
    addAccount(unit, username, role, fullName, password): void {
      run(gddServer, ['account', 'add', '--data', dir, '--unit', unit, '--username', username, '--role', role, '--full-name', fullName, '--json'], password, provinceEnv)
    },
    cli(args: string[], password = ''): string {
      return run(gddServer, [...args, '--data', dir], password, provinceEnv)
    },
    async close(): Promise<void> {
      await stop(child)
      if (!process.env.GDD_E2E_KEEP) rmSync(dir, { recursive: true, force: true })
    },
  }
}

export interface Office {
  dir: string
  /** The bridge's address with its launch secret: opening it sets the secret cookie. */
  link: string
  origin: string
  close(): Promise<void>
}

/** The demo office in a directory of its own. */
export function newOfficeDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gdd-e2e-office-'))
  run(gddctl, ['--data', dir, 'init', '--demo'])
  return dir
}

/** gddctl ui serve over dir, on a free loopback port. */
export async function serveOffice(dir: string): Promise<Office> {
  const port = await freePort()
  const env: NodeJS.ProcessEnv = { ...process.env, GDD_PASSWORD: '' }
  delete env.GDD_DATA
  const child = spawn(gddctl, ['--data', dir, 'ui', 'serve', '--addr', `127.0.0.1:${port}`, '--dir', distDir], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const m = await waitFor(child, /listening on (http:\/\/[^\s]+)/, 'gddctl ui serve')
  const link = m[1] ?? ''
  return {
    dir,
    link,
    origin: new URL(link).origin,
    async close(): Promise<void> {
      await stop(child)
    },
  }
}
