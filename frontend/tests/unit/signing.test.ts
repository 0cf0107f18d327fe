import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope, ref } from 'vue'
import { createPinia, setActivePinia } from 'pinia'
import { createI18n } from 'vue-i18n'
import { ApiError } from '../../src/api/errors'
import { normalizeKey, normalizeSignJob, normalizeToken } from '../../src/api/services'
import type { SignInput, SignJob, SignResult, TokenInfo } from '../../src/api/types'
import { useSignJob, useTokenList, type SignApi } from '../../src/composables/signing'
import { useSessionStore } from '../../src/stores/session'
import { useSigningStore } from '../../src/stores/signing'
import {
  isTokenField,
  keepSelected,
  pickToken,
  pinRequired,
  progressOf,
  resultMessage,
  resultTone,
  shownAtTokenForm,
  tokenKey,
  tokenLabel,
  tokenRef,
} from '../../src/lib/signing'
import viMessages from '../../src/i18n/vi'
import enMessages from '../../src/i18n/en'

function token(over: Partial<TokenInfo> = {}): TokenInfo {
  return {
    kind: 'fido',
    path: '/dev/hidraw3',
    library: '',
    slot: 0,
    label: '',
    manufacturer: 'Yubico',
    serial: '',
    software: false,
    needs_pin: false,
    pin_locked: false,
    pin_final_try: false,
    ...over,
  }
}

const softFido = token({ path: 'soft:fido', manufacturer: 'GiayDiDuong', label: 'Khóa FIDO mềm', software: true })
const vnpt = token({
  kind: 'pkcs11',
  path: '',
  library: '/usr/lib/vnpt-ca/libpkcs11.so',
  slot: 2,
  label: 'VNPT-CA',
  manufacturer: 'VNPT',
  serial: '54A3F1',
  needs_pin: true,
})

const labels = { fido: 'FIDO', pkcs11: 'PKCS#11', software: 'khóa mềm dùng thử', pinLocked: 'PIN đã bị khóa' }

describe('tokens', () => {
  it('names a token for the backend by kind', () => {
    expect(tokenRef(softFido)).toEqual({ kind: 'fido', path: 'soft:fido' })
    expect(tokenRef(vnpt)).toEqual({ kind: 'pkcs11', library: '/usr/lib/vnpt-ca/libpkcs11.so', slot: 2 })
    expect(tokenKey(softFido)).toBe('fido:soft:fido')
    expect(tokenKey(vnpt)).toBe('pkcs11:/usr/lib/vnpt-ca/libpkcs11.so#2')
    expect(tokenKey({ ...vnpt, slot: 3 })).not.toBe(tokenKey(vnpt))
  })

  it('wants a PIN for PKCS#11 always, for FIDO only when the key has one', () => {
    expect(pinRequired(vnpt)).toBe(true)
    expect(pinRequired(softFido)).toBe(false)
    expect(pinRequired(token({ needs_pin: true }))).toBe(true)
    expect(pinRequired(null)).toBe(false)
  })

  it('labels the kind, the serial, the demo key and a locked PIN', () => {
    expect(tokenLabel(vnpt, labels)).toBe('VNPT-CA (PKCS#11 · 54A3F1)')
    expect(tokenLabel(softFido, labels)).toBe('Khóa FIDO mềm (FIDO) — khóa mềm dùng thử')
    expect(tokenLabel(token(), labels)).toBe('Yubico (FIDO)')
    expect(tokenLabel(token({ manufacturer: '' }), labels)).toBe('FIDO (FIDO)')
    expect(tokenLabel({ ...vnpt, pin_locked: true }, labels)).toBe('VNPT-CA (PKCS#11 · 54A3F1) — PIN đã bị khóa')
  })

  it('keeps the chosen token while it is plugged in, else takes the first usable one', () => {
    const list = [softFido, vnpt]
    expect(pickToken(list, '')).toBe(tokenKey(softFido))
    expect(pickToken(list, tokenKey(vnpt))).toBe(tokenKey(vnpt))
    expect(pickToken([vnpt], tokenKey(softFido))).toBe(tokenKey(vnpt))
    expect(pickToken([{ ...softFido, pin_locked: true }, vnpt], '')).toBe(tokenKey(vnpt))
    expect(pickToken([], tokenKey(vnpt))).toBe('')
  })

  it('normalises what Go sends: omitted fields and null lists', () => {
    expect(normalizeToken({ kind: 'fido', path: 'p', software: true })).toEqual(
      token({ path: 'p', manufacturer: '', software: true }),
    )
    const k = normalizeKey({ key_id: 'k1', kind: 'fido', officer: 'Lê Văn Đạo', user_id: null, valid_from: null })
    expect(k.user_id).toBeNull()
    expect(k.valid_from).toBeNull()
    expect(k.username).toBe('')
  })
})

describe('sign results', () => {
  const i18n = createI18n({ legacy: false, locale: 'vi', messages: { vi: viMessages, en: enMessages } })
  const t = (key: string, params: Record<string, unknown>): string => i18n.global.t(key, params)

  function res(over: Partial<SignResult>): SignResult {
    return { signed: [], unsigned: [], total: 0, stopped: '', message_vi: '', message_en: '', error: null, ...over }
  }

  it('computes the progress', () => {
    expect(progressOf({ done: 3, total: 8 })).toEqual({ done: 3, total: 8, percent: 37 })
    expect(progressOf({ done: 8, total: 8 }).percent).toBe(100)
    expect(progressOf({ done: 0, total: 0 })).toEqual({ done: 0, total: 0, percent: 0 })
    expect(progressOf({ done: 9, total: 8 }).done).toBe(8)
    expect(progressOf(null).percent).toBe(0)
  })

  it('colours all signed green, part signed amber, none red', () => {
    expect(resultTone(res({ signed: ['a', 'b'], total: 2 }))).toBe('success')
    expect(resultTone(res({ signed: ['a'], unsigned: ['b'], total: 2, stopped: 'removed' }))).toBe('warning')
    expect(resultTone(res({ unsigned: ['a'], total: 1, stopped: 'error' }))).toBe('error')
    expect(resultTone(res({ unsigned: ['a'], total: 1, stopped: 'cancelled' }))).toBe('info')
  })

  it("prefers the backend's sentence in the UI language", () => {
    const r = res({
      signed: ['1', '2', '3'],
      unsigned: ['4', '5', '6', '7', '8'],
      total: 8,
      stopped: 'removed',
      message_vi: 'Đã ký 3 giấy; 5 giấy chưa ký vẫn chờ ký vì khóa đã bị rút ra',
      message_en: 'Signed 3 permits; 5 unsigned still await signature because the key was removed',
    })
    expect(resultMessage(r, 'vi', t)).toBe('Đã ký 3 giấy; 5 giấy chưa ký vẫn chờ ký vì khóa đã bị rút ra')
    expect(resultMessage(r, 'en', t)).toMatch(/^Signed 3 permits; 5 unsigned/)
    expect(resultMessage({ ...r, message_en: '' }, 'en', t)).toBe(r.message_vi)
  })

  it('says the counts itself when the backend sent no sentence', () => {
    const partial = res({ signed: ['1', '2', '3'], unsigned: ['4', '5', '6', '7', '8'], total: 8, stopped: 'removed' })
    expect(resultMessage(partial, 'vi', t)).toBe('Đã ký 3 giấy; 5 giấy chưa ký vẫn chờ ký vì khóa đã bị rút ra.')
    i18n.global.locale.value = 'en'
    expect(resultMessage(partial, 'en', t)).toBe(
      'Signed 3 permits; 5 not signed still await signature because the key was removed.',
    )
    i18n.global.locale.value = 'vi'
    expect(resultMessage(res({ signed: ['1', '2'], total: 2 }), 'vi', t)).toBe('Đã ký 2 giấy.')
    expect(resultMessage(res({ unsigned: ['1'], total: 1, stopped: 'cancelled' }), 'vi', t)).toBe(
      'Chưa ký được giấy nào; 1 giấy vẫn chờ ký vì đã dừng ký.',
    )
  })

  it('keeps selected what still waits', () => {
    expect(keepSelected(['a', 'b', 'c'], ['c', 'a', 'z'])).toEqual(['a', 'c'])
  })

  it('normalises a job: null lists, a missing result, an error object', () => {
    const j = normalizeSignJob({
      id: 'j1',
      total: 3,
      done: 3,
      finished: true,
      result: { signed: ['a'], unsigned: null, total: 0, stopped: 'error', message_vi: 'x', message_en: 'y' },
      error: { code: 'internal', vi: 'lỗi', en: 'error', fields: null },
    })
    expect(j.result).toEqual({
      signed: ['a'],
      unsigned: [],
      total: 1,
      stopped: 'error',
      message_vi: 'x',
      message_en: 'y',
      error: null,
    })
    expect(j.error).toEqual({ code: 'internal', vi: 'lỗi', en: 'error', fields: [] })
    expect(j.waiting_touch).toBe(false)
    expect(normalizeSignJob({ id: 'j2', total: 2, done: 0 }).result).toBeNull()
    expect(normalizeSignJob({ id: 'j2', total: 2, done: 0 }).error).toBeNull()
  })
})

/** A fake backend: the job advances one permit per status call. */
function fakeBackend(numbers: string[], opts: { stopAfter?: number; touch?: boolean } = {}) {
  const state = { done: 0, cancelled: false, statusCalls: 0, inFlight: 0, maxInFlight: 0 }
  const job = (): SignJob => {
    const stopAt = opts.stopAfter ?? numbers.length
    const finished = state.cancelled || state.done >= stopAt
    const signed = numbers.slice(0, state.done)
    const unsigned = numbers.slice(state.done)
    return {
      id: 'job-1',
      total: numbers.length,
      done: state.done,
      waiting_touch: !finished && (opts.touch ?? false),
      current: finished ? '' : numbers[state.done] ?? '',
      finished,
      result: finished
        ? {
            signed,
            unsigned,
            total: numbers.length,
            stopped: state.cancelled ? 'cancelled' : unsigned.length > 0 ? 'removed' : '',
            message_vi: '',
            message_en: '',
            error: null,
          }
        : null,
      error: null,
    }
  }
  const api: SignApi = {
    StartSign: vi.fn(async (input: SignInput) => {
      if (input.pin === 'sai') {
        throw new ApiError('validation', 'Mã PIN không đúng', 'Wrong PIN', [
          { field: 'pin', code: 'wrong_pin', vi: 'Mã PIN không đúng (còn 2 lần)', en: 'Wrong PIN (2 tries left)' },
        ])
      }
      return 'job-1'
    }),
    SignStatus: vi.fn(async () => {
      state.statusCalls++
      state.inFlight++
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight)
      await new Promise((ok) => setTimeout(ok, 10))
      state.inFlight--
      const before = job()
      if (!before.finished) state.done++
      return job()
    }),
    CancelSign: vi.fn(async () => {
      state.cancelled = true
      return null
    }),
  }
  return { api, state }
}

describe('useSignJob', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  const numbers = ['28291/2026/000011', '28291/2026/000012', '28291/2026/000013']
  const input = (pin = ''): SignInput => ({ numbers, token: { kind: 'fido', path: 'soft:fido' }, pin })

  it('polls the status every 250 ms until the job finishes, then once calls onFinished', async () => {
    const { api, state } = fakeBackend(numbers, { touch: true })
    const finished = vi.fn()
    const scope = effectScope()
    const s = scope.run(() => useSignJob({ api, onFinished: finished }))!
    expect(await s.start(input())).toBe(true)
    expect(s.running.value).toBe(true)
    expect(s.progress.value).toEqual({ done: 0, total: 3, percent: 0 })
    expect(api.SignStatus).not.toHaveBeenCalled()

    await vi.advanceTimersByTimeAsync(260)
    expect(s.progress.value.done).toBe(1)
    expect(s.waitingTouch.value).toBe(true)
    expect(s.job.value?.current).toBe(numbers[1])

    await vi.advanceTimersByTimeAsync(260)
    expect(s.progress.value).toEqual({ done: 2, total: 3, percent: 66 })
    await vi.advanceTimersByTimeAsync(260)
    expect(s.finished.value).toBe(true)
    expect(s.running.value).toBe(false)
    expect(s.waitingTouch.value).toBe(false)
    expect(s.result.value?.signed).toEqual(numbers)
    expect(finished).toHaveBeenCalledTimes(1)

    const calls = state.statusCalls
    await vi.advanceTimersByTimeAsync(2000)
    expect(state.statusCalls).toBe(calls)
    scope.stop()
  })

  it('never asks twice at once, even when the backend is slower than the interval', async () => {
    const { api, state } = fakeBackend(numbers)
    const scope = effectScope()
    const s = scope.run(() => useSignJob({ api, intervalMs: 1 }))!
    await s.start(input())
    await vi.advanceTimersByTimeAsync(200)
    expect(s.finished.value).toBe(true)
    expect(state.maxInFlight).toBe(1)
    scope.stop()
  })

  it('keeps a refusal (wrong PIN) with its field and starts nothing', async () => {
    const { api } = fakeBackend(numbers)
    const scope = effectScope()
    const s = scope.run(() => useSignJob({ api }))!
    expect(await s.start(input('sai'))).toBe(false)
    expect(s.startError.value?.code).toBe('validation')
    expect(s.startError.value?.field('pin')?.vi).toBe('Mã PIN không đúng (còn 2 lần)')
    expect(s.job.value).toBeNull()
    expect(s.busy.value).toBe(false)
    await vi.advanceTimersByTimeAsync(1000)
    expect(api.SignStatus).not.toHaveBeenCalled()
    // the next attempt clears it
    expect(await s.start(input('1234'))).toBe(true)
    expect(s.startError.value).toBeNull()
    scope.stop()
  })

  it('reports a partial result when the key is pulled out', async () => {
    const { api } = fakeBackend(['a', 'b', 'c', 'd', 'e', 'f'], { stopAfter: 2 })
    const scope = effectScope()
    const s = scope.run(() => useSignJob({ api }))!
    await s.start({ ...input(), numbers: ['a', 'b', 'c', 'd', 'e', 'f'] })
    await vi.advanceTimersByTimeAsync(2000)
    expect(s.result.value).toMatchObject({ signed: ['a', 'b'], unsigned: ['c', 'd', 'e', 'f'], stopped: 'removed' })
    expect(resultTone(s.result.value!)).toBe('warning')
    expect(s.progress.value).toEqual({ done: 2, total: 6, percent: 33 })
    scope.stop()
  })

  it('cancels through the backend and finishes as cancelled', async () => {
    const { api } = fakeBackend(numbers)
    const scope = effectScope()
    const s = scope.run(() => useSignJob({ api }))!
    await s.start(input())
    await vi.advanceTimersByTimeAsync(260)
    await s.cancel()
    expect(api.CancelSign).toHaveBeenCalledWith('job-1')
    expect(s.cancelling.value).toBe(true)
    await vi.advanceTimersByTimeAsync(300)
    expect(s.finished.value).toBe(true)
    expect(s.cancelling.value).toBe(false)
    expect(s.result.value?.stopped).toBe('cancelled')
    expect(s.result.value?.signed).toHaveLength(1)
    scope.stop()
  })

  it('rides out a locked screen and gives up on a job the server forgot', async () => {
    let calls = 0
    const api: SignApi = {
      StartSign: async () => 'j',
      SignStatus: async () => {
        calls++
        if (calls <= 3) throw new ApiError('screen_locked', 'Màn hình đang khóa', 'Screen locked')
        throw new ApiError('not_found', 'Không tìm thấy việc ký', 'No such signing job')
      },
      CancelSign: async () => null,
    }
    const finished = vi.fn()
    const scope = effectScope()
    const s = scope.run(() => useSignJob({ api, onFinished: finished }))!
    await s.start(input())
    await vi.advanceTimersByTimeAsync(800)
    expect(s.running.value).toBe(true)
    expect(s.pollError.value?.code).toBe('screen_locked')
    await vi.advanceTimersByTimeAsync(300)
    expect(s.finished.value).toBe(true)
    expect(s.jobError.value?.code).toBe('not_found')
    expect(s.result.value).toBeNull()
    expect(finished).toHaveBeenCalledTimes(1)
    scope.stop()
  })

  it('stops polling with its scope', async () => {
    const { api, state } = fakeBackend(numbers)
    const scope = effectScope()
    const s = scope.run(() => useSignJob({ api }))!
    await s.start(input())
    scope.stop()
    await vi.advanceTimersByTimeAsync(2000)
    expect(state.statusCalls).toBe(0)
  })
})

describe('useTokenList', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('asks every 1.5 s, not while paused, and keeps the same array for the same answer', async () => {
    let plugged: TokenInfo[] = [softFido]
    const List = vi.fn(async () => plugged.map((t) => ({ ...t })))
    const paused = ref(false)
    const scope = effectScope()
    const l = scope.run(() => useTokenList({ api: { List }, paused }))!
    expect(l.loaded.value).toBe(false)
    l.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(l.loaded.value).toBe(true)
    expect(l.tokens.value).toEqual([softFido])
    const first = l.tokens.value

    await vi.advanceTimersByTimeAsync(1500)
    expect(List).toHaveBeenCalledTimes(2)
    expect(l.tokens.value).toBe(first)

    plugged = []
    await vi.advanceTimersByTimeAsync(1500)
    expect(l.tokens.value).toEqual([])

    paused.value = true
    await vi.advanceTimersByTimeAsync(6000)
    expect(List).toHaveBeenCalledTimes(3)
    paused.value = false
    plugged = [vnpt]
    await vi.advanceTimersByTimeAsync(1500)
    expect(l.tokens.value).toEqual([vnpt])

    l.stop()
    const n = List.mock.calls.length
    await vi.advanceTimersByTimeAsync(6000)
    expect(List).toHaveBeenCalledTimes(n)
    scope.stop()
  })

  it('keeps the last list when a call fails', async () => {
    let fail = false
    const List = vi.fn(async () => {
      if (fail) throw new ApiError('internal', 'lỗi', 'error')
      return [vnpt]
    })
    const scope = effectScope()
    const l = scope.run(() => useTokenList({ api: { List } }))!
    l.start()
    await vi.advanceTimersByTimeAsync(0)
    fail = true
    await vi.advanceTimersByTimeAsync(1500)
    expect(l.tokens.value).toEqual([vnpt])
    expect(l.error.value?.code).toBe('internal')
    scope.stop()
  })
})

describe('the signing store', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
    vi.unstubAllGlobals()
  })

  it('keeps the batch across screens, counts finished batches, and forgets it for another user', async () => {
    setActivePinia(createPinia())
    const session = useSessionStore()
    const user = (id: string) => ({ id, username: id, full_name: id, role: 'approver' as const, permissions: [] })
    session.status = { initialized: true, office: null, user: user('u1'), locked: false, idle_lock_minutes: 5 }

    let done = 0
    const fetchMock = vi.fn(async (url: string) => {
      const method = url.split('/').pop()
      let body: unknown = null
      if (method === 'StartSign') body = 'job-9'
      if (method === 'SignStatus') {
        done++
        const finished = done >= 2
        body = {
          id: 'job-9',
          total: 2,
          done,
          waiting_touch: !finished,
          current: finished ? '' : 'b',
          finished,
          result: finished
            ? { signed: ['a', 'b'], unsigned: null, total: 2, stopped: '', message_vi: 'Đã ký số 2 giấy đi đường', message_en: 'Signed 2 permits' }
            : null,
        }
      }
      return new Response(JSON.stringify(body), { status: 200 })
    })
    vi.stubGlobal('fetch', fetchMock)

    const store = useSigningStore()
    expect(await store.start({ numbers: ['a', 'b'], token: { kind: 'fido', path: 'softfido:1' }, pin: '' })).toBe(true)
    expect(store.running).toBe(true)
    await vi.advanceTimersByTimeAsync(300)
    expect(store.progress).toEqual({ done: 1, total: 2, percent: 50 })
    expect(store.waitingTouch).toBe(true)
    await vi.advanceTimersByTimeAsync(300)
    expect(store.finished).toBe(true)
    expect(store.finishedCount).toBe(1)
    expect(store.result?.unsigned).toEqual([])
    expect(resultTone(store.result!)).toBe('success')

    // another user: nothing of the last batch shows
    session.status = { ...session.status, user: user('u2') }
    await vi.advanceTimersByTimeAsync(0)
    expect(store.job).toBeNull()
    expect(store.result).toBeNull()
  })
})

describe('shownAtTokenForm', () => {
  it('keeps the PIN and token fields at their inputs and the rest in the headline', () => {
    expect(['pin', 'token', 'token.kind', 'numbers', 'certificate'].filter((f) => !shownAtTokenForm(f))).toEqual(['numbers', 'certificate'])
    expect(isTokenField('token.kind')).toBe(true)
    expect(isTokenField('pin')).toBe(false)
  })
})
