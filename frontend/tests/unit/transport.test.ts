import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError } from '../../src/api/errors'
import { call, emitEvent, isWails, onApiError } from '../../src/api/transport'
import { ApplicationService, AuthService } from '../../src/api/services'

afterEach(() => {
  delete window.go
  delete window.runtime
  vi.unstubAllGlobals()
})

function jsonResponse(status: number, body: unknown): Response {
  return new Response(body === undefined ? '' : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  })
}

describe('call over HTTP (plain browser)', () => {
  it('posts the arguments as a JSON array to /api/<Service>/<Method>', async () => {
    const fetchMock = vi.fn(async () => jsonResponse(200, { id: 'a1', status: 'approved' }))
    vi.stubGlobal('fetch', fetchMock)
    expect(isWails()).toBe(false)
    const app = await ApplicationService.Reject('a1', 'thiếu giấy tờ')
    expect(app.status).toBe('approved')
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit]
    expect(url).toBe('/api/ApplicationService/Reject')
    expect(init.method).toBe('POST')
    expect(init.credentials).toBe('same-origin')
    expect(JSON.parse(init.body as string)).toEqual(['a1', 'thiếu giấy tờ'])
  })

  it('gives null for a void method', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response('null', { status: 200 })))
    await expect(AuthService.Lock()).resolves.toBeNull()
    vi.stubGlobal('fetch', vi.fn(async () => new Response('', { status: 200 })))
    await expect(AuthService.Logout()).resolves.toBeNull()
  })

  it('rejects with the typed error of a non-2xx answer and tells the listeners', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => jsonResponse(403, { code: 'forbidden', vi: 'Bạn không có quyền', en: 'Forbidden' })),
    )
    const seen: string[] = []
    const off = onApiError((err, service, method) => seen.push(`${service}.${method}:${err.code}`))
    const err = await ApplicationService.Approve('x').catch((e: unknown) => e)
    off()
    expect(err).toBeInstanceOf(ApiError)
    expect((err as ApiError).code).toBe('forbidden')
    expect((err as ApiError).text('vi')).toBe('Bạn không có quyền')
    expect(seen).toEqual(['ApplicationService.Approve:forbidden'])
  })

  it('turns a network failure into an internal error', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))))
    const err = (await AuthService.Status().catch((e: unknown) => e)) as ApiError
    expect(err.code).toBe('internal')
    expect(err.vi).not.toBe('')
  })
})

describe('call under Wails', () => {
  it('calls window.go.desktop.<Service>.<Method> and never fetch', async () => {
    const fetchMock = vi.fn()
    vi.stubGlobal('fetch', fetchMock)
    const login = vi.fn(async (u: string) => ({ id: '1', username: u, full_name: 'Cán bộ', role: 'clerk' }))
    window.go = { desktop: { AuthService: { Login: login } } }
    expect(isWails()).toBe(true)
    const u = await AuthService.Login('canbo', 'demo1234')
    expect(u.username).toBe('canbo')
    expect(login).toHaveBeenCalledWith('canbo', 'demo1234')
    expect(fetchMock).not.toHaveBeenCalled()
  })

  it('parses the JSON string a binding rejects with', async () => {
    const body = JSON.stringify({
      code: 'validation',
      vi: 'Dữ liệu không hợp lệ',
      en: 'Invalid input',
      fields: [{ field: 'id_number', code: 'cccd_province', vi: 'Mã tỉnh không hợp lệ', en: 'Bad province' }],
    })
    window.go = { desktop: { ApplicationService: { Add: () => Promise.reject(body) } } }
    const err = (await call('ApplicationService', 'Add', {}).catch((e: unknown) => e)) as ApiError
    expect(err.code).toBe('validation')
    expect(err.field('id_number')?.vi).toBe('Mã tỉnh không hợp lệ')
  })

  it('reports a method the window does not bind', async () => {
    window.go = { desktop: {} }
    const err = (await call('NoService', 'Nope').catch((e: unknown) => e)) as ApiError
    expect(err.code).toBe('internal')
  })

  it('emits events to the shell only when it is there', () => {
    expect(() => emitEvent('ui:ready', 'login')).not.toThrow()
    const emit = vi.fn()
    window.runtime = { EventsEmit: emit }
    emitEvent('ui:ready', 'login')
    expect(emit).toHaveBeenCalledWith('ui:ready', 'login')
  })
})
