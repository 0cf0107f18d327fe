// Batch signing with a leader's token, and the list of tokens plugged in: both polled.
// Timers chain (setTimeout after each answer), so a slow backend never gets overlapping calls;
// they stop with the component (or effect scope) that made them.
import { computed, getCurrentScope, onScopeDispose, ref, shallowRef, type Ref } from 'vue'
import { ApiError, TokenService, parseApiError, type SignInput, type SignJob, type TokenInfo } from '@/api'
import { progressOf } from '@/lib/signing'

export interface SignApi {
  StartSign: (input: SignInput) => Promise<string>
  SignStatus: (id: string) => Promise<SignJob>
  CancelSign: (id: string) => Promise<null>
}

export interface SignJobOptions {
  api?: SignApi
  /** How often SignStatus is asked while the job runs (ms). */
  intervalMs?: number
  /** Consecutive failed status calls after which the job is given up on (the server is gone). */
  maxFailures?: number
  /** Called once with the finished job. */
  onFinished?: (job: SignJob) => void
}

function fresh(id: string, total: number): SignJob {
  return { id, total, done: 0, waiting_touch: false, current: '', finished: false, result: null, error: null }
}

/**
 * One signing job at a time: start() asks the backend to sign (a refusal — wrong PIN, a token
 * not enrolled for the leader, permits not awaiting signature — lands in startError at once),
 * then SignStatus is polled until the job says it finished.
 */
export function useSignJob(opts: SignJobOptions = {}) {
  const api = opts.api ?? TokenService
  const intervalMs = opts.intervalMs ?? 250
  const maxFailures = opts.maxFailures ?? 40

  const job = shallowRef<SignJob | null>(null)
  const starting = ref(false)
  const cancelling = ref(false)
  const startError = shallowRef<ApiError | null>(null)
  /** A status call failed (shown while retrying; cleared by the next answer). */
  const pollError = shallowRef<ApiError | null>(null)

  let timer: ReturnType<typeof setTimeout> | null = null
  let failures = 0
  // Bumped by every start/reset/dispose: an answer for an older generation is dropped.
  let generation = 0

  const running = computed(() => job.value !== null && !job.value.finished)
  const busy = computed(() => starting.value || running.value)
  const finished = computed(() => job.value?.finished ?? false)
  const result = computed(() => (job.value?.finished ? job.value.result : null))
  const jobError = computed<ApiError | null>(() => (job.value?.error ? parseApiError(job.value.error) : null))
  const progress = computed(() => progressOf(job.value))
  const waitingTouch = computed(() => running.value && (job.value?.waiting_touch ?? false))

  function clearTimer(): void {
    if (timer !== null) clearTimeout(timer)
    timer = null
  }

  function schedule(gen: number): void {
    clearTimer()
    timer = setTimeout(() => void poll(gen), intervalMs)
  }

  function finish(j: SignJob): void {
    clearTimer()
    job.value = j
    cancelling.value = false
    opts.onFinished?.(j)
  }

  async function poll(gen: number): Promise<void> {
    timer = null
    const current = job.value
    if (!current || current.finished || gen !== generation) return
    try {
      const res = await api.SignStatus(current.id)
      if (gen !== generation) return
      failures = 0
      pollError.value = null
      const next: SignJob = { ...res, id: res.id || current.id, total: res.total || current.total }
      if (next.finished) {
        finish(next)
        return
      }
      job.value = next
    } catch (e) {
      if (gen !== generation) return
      const err = parseApiError(e)
      pollError.value = err
      failures++
      // The job is gone (server restarted): nothing more will come.
      if (err.code === 'not_found' || (err.code !== 'screen_locked' && failures >= maxFailures)) {
        finish({ ...current, finished: true, waiting_touch: false, error: { code: err.code, vi: err.vi, en: err.en, fields: err.fields } })
        return
      }
    }
    schedule(gen)
  }

  /** Starts signing; false when the backend refused (see startError) or a job is running. */
  async function start(input: SignInput): Promise<boolean> {
    if (busy.value) return false
    const gen = ++generation
    clearTimer()
    starting.value = true
    startError.value = null
    pollError.value = null
    cancelling.value = false
    failures = 0
    job.value = null
    try {
      const id = await api.StartSign(input)
      if (gen !== generation) return false
      job.value = fresh(id, input.numbers.length)
      schedule(gen)
      return true
    } catch (e) {
      if (gen === generation) startError.value = parseApiError(e)
      return false
    } finally {
      if (gen === generation) starting.value = false
    }
  }

  /** Asks the backend to stop after the permit being signed; the job then finishes as cancelled. */
  async function cancel(): Promise<void> {
    const j = job.value
    if (!j || j.finished || cancelling.value) return
    cancelling.value = true
    try {
      await api.CancelSign(j.id)
    } catch (e) {
      cancelling.value = false
      throw parseApiError(e)
    }
  }

  /**
   * Forgets a finished job (and its result), or a start error. force also lets go of a
   * running one (another user signed in): the backend goes on with it, unwatched.
   */
  function reset(force = false): void {
    if (running.value && !force) return
    generation++
    clearTimer()
    job.value = null
    startError.value = null
    pollError.value = null
    cancelling.value = false
  }

  function dispose(): void {
    generation++
    clearTimer()
  }

  if (getCurrentScope()) onScopeDispose(dispose)

  return {
    job,
    starting,
    cancelling,
    running,
    busy,
    finished,
    result,
    jobError,
    startError,
    pollError,
    progress,
    waitingTouch,
    start,
    cancel,
    reset,
    dispose,
  }
}

export interface TokenListOptions {
  api?: { List: () => Promise<TokenInfo[]> }
  intervalMs?: number
  /** While true no calls are made (the screen is locked, the dialog is closed). */
  paused?: Ref<boolean>
}

/** The tokens plugged in now, asked for every intervalMs between start() and stop(). */
export function useTokenList(opts: TokenListOptions = {}) {
  const api = opts.api ?? TokenService
  const intervalMs = opts.intervalMs ?? 1500
  const tokens = shallowRef<TokenInfo[]>([])
  /** The first answer came. */
  const loaded = ref(false)
  const error = shallowRef<ApiError | null>(null)

  let timer: ReturnType<typeof setTimeout> | null = null
  let active = false
  let inFlight: Promise<void> | null = null
  let lastJSON = ''

  async function refresh(): Promise<void> {
    if (inFlight) return inFlight
    inFlight = (async () => {
      try {
        const list = await api.List()
        const json = JSON.stringify(list)
        // the same list again: keep the array, so nothing re-renders
        if (json !== lastJSON) {
          lastJSON = json
          tokens.value = list
        }
        error.value = null
        loaded.value = true
      } catch (e) {
        error.value = parseApiError(e)
      } finally {
        inFlight = null
      }
    })()
    return inFlight
  }

  function schedule(): void {
    if (timer !== null) clearTimeout(timer)
    timer = setTimeout(() => void tick(), intervalMs)
  }

  async function tick(): Promise<void> {
    timer = null
    if (!active) return
    if (!opts.paused?.value) await refresh()
    if (active) schedule()
  }

  function start(): void {
    if (active) return
    active = true
    void tick()
  }

  function stop(): void {
    active = false
    if (timer !== null) clearTimeout(timer)
    timer = null
  }

  if (getCurrentScope()) onScopeDispose(stop)

  return { tokens, loaded, error, refresh, start, stop }
}
