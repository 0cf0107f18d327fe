import { onBeforeUnmount, onMounted, watch, type Ref } from 'vue'

const ACTIVITY_EVENTS = ['keydown', 'mousedown', 'mousemove', 'wheel', 'touchstart', 'pointerdown'] as const

export interface IdleLockOptions {
  /** Called at most every `activeEveryMs` while the user is active (keeps the backend's idle clock in step). */
  onActive?: () => void
  activeEveryMs?: number
  checkEveryMs?: number
}

/**
 * Calls onIdle once after `minutes` without keyboard, mouse or touch input while `active`
 * is true. minutes <= 0 disables it.
 */
export function useIdleLock(minutes: Ref<number>, active: Ref<boolean>, onIdle: () => void, opts: IdleLockOptions = {}): void {
  const activeEvery = opts.activeEveryMs ?? 60_000
  let last = Date.now()
  let lastReported = Date.now()
  let fired = false
  let timer: ReturnType<typeof setInterval> | null = null

  const touch = (): void => {
    const now = Date.now()
    last = now
    if (opts.onActive && active.value && now - lastReported >= activeEvery) {
      lastReported = now
      opts.onActive()
    }
  }

  const check = (): void => {
    if (!active.value || fired || minutes.value <= 0) return
    if (Date.now() - last >= minutes.value * 60_000) {
      fired = true
      onIdle()
    }
  }

  watch(active, (now) => {
    if (now) {
      fired = false
      last = Date.now()
      lastReported = last
    }
  })

  onMounted(() => {
    for (const ev of ACTIVITY_EVENTS) window.addEventListener(ev, touch, { capture: true, passive: true })
    timer = setInterval(check, opts.checkEveryMs ?? 5000)
  })

  onBeforeUnmount(() => {
    for (const ev of ACTIVITY_EVENTS) window.removeEventListener(ev, touch, { capture: true })
    if (timer !== null) clearInterval(timer)
  })
}
