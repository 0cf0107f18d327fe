import { defineStore } from 'pinia'
import { ref } from 'vue'
import { CounterService } from '@/api'

/** How often the screens ask whether anything changed. */
export const CHANGES_POLL_MS = 3000

/**
 * The office's change stamp and the leader's waiting count, polled every few seconds while
 * signed in. Polling (not pushed events) so a change made by gddctl or another seat on the
 * same database shows too; the call is two indexed reads and does not hold off the idle lock.
 */
export const useChangesStore = defineStore('changes', () => {
  const stamp = ref(0)
  const waiting = ref(0)
  let timer: ReturnType<typeof setInterval> | null = null

  async function poll(): Promise<void> {
    if (typeof document !== 'undefined' && document.hidden) return
    try {
      const c = await CounterService.Changes()
      stamp.value = c.stamp
      waiting.value = c.waiting
    } catch {
      // Locked or signed out: the next tick tries again.
    }
  }

  function start(): void {
    if (timer) return
    void poll()
    timer = setInterval(() => void poll(), CHANGES_POLL_MS)
  }

  function stop(): void {
    if (timer) clearInterval(timer)
    timer = null
    stamp.value = 0
    waiting.value = 0
  }

  return { stamp, waiting, start, stop, poll }
})
