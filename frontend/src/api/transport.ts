// The one place that reaches the backend. Under Wails the Go services are bound as
// window.go.desktop.<Service>.<Method>(...args) → Promise; in a plain browser (tests,
// support) the same call goes over HTTP to the bridge of `gddctl ui serve`:
// POST /api/<Service>/<Method> with the JSON array of args, cookie session.

import { ApiError, parseApiError } from './errors'

// `any` is allowed here only: the bound functions are untyped by nature.
type BoundMethod = (...args: any[]) => Promise<any>
type BoundServices = Record<string, Record<string, BoundMethod> | undefined>

declare global {
  interface Window {
    go?: Record<string, BoundServices | undefined>
    /** The Wails runtime (events, window control), injected by the desktop shell. */
    runtime?: { EventsEmit?: (name: string, ...data: any[]) => void }
  }
}

export const WAILS_PACKAGE = 'desktop'

export type ErrorListener = (err: ApiError, service: string, method: string) => void

const listeners = new Set<ErrorListener>()

/** Subscribes to every failed call (the session store reacts to screen_locked). */
export function onApiError(fn: ErrorListener): () => void {
  listeners.add(fn)
  return () => listeners.delete(fn)
}

function wailsMethod(service: string, method: string): BoundMethod | null {
  const pkg = typeof window !== 'undefined' ? window.go?.[WAILS_PACKAGE] : undefined
  if (!pkg) return null
  const fn = pkg[service]?.[method]
  if (typeof fn !== 'function') {
    throw new ApiError('internal', `Không có dịch vụ ${service}.${method}`, `No such service ${service}.${method}`)
  }
  return fn
}

export function isWails(): boolean {
  return typeof window !== 'undefined' && window.go?.[WAILS_PACKAGE] !== undefined
}

async function httpCall(service: string, method: string, args: unknown[]): Promise<any> {
  let res: Response
  try {
    res = await fetch(`/api/${encodeURIComponent(service)}/${encodeURIComponent(method)}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(args),
    })
  } catch {
    throw new ApiError(
      'internal',
      'Không kết nối được với máy chủ ứng dụng',
      'Cannot reach the application server',
    )
  }
  const text = await res.text()
  if (!res.ok) {
    throw parseApiError(text || `${res.status} ${res.statusText}`)
  }
  if (text.trim() === '') return null
  try {
    return JSON.parse(text)
  } catch {
    throw new ApiError('internal', 'Phản hồi không hợp lệ từ máy chủ', 'Invalid response from the server')
  }
}

/** Calls <service>.<method>(...args) on the backend; rejects with ApiError. */
export async function call<T>(service: string, method: string, ...args: unknown[]): Promise<T> {
  try {
    const fn = wailsMethod(service, method)
    const result: unknown = fn ? await fn(...args) : await httpCall(service, method, args)
    return (result ?? null) as T
  } catch (e) {
    const err = parseApiError(e)
    for (const l of listeners) l(err, service, method)
    throw err
  }
}

/** Emits a Wails event to the Go side (no-op in a plain browser). */
export function emitEvent(name: string, ...data: unknown[]): void {
  try {
    window.runtime?.EventsEmit?.(name, ...data)
  } catch {
    // the desktop shell is optional
  }
}
