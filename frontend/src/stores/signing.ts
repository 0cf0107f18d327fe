import { defineStore } from 'pinia'
import { ref, watch } from 'vue'
import { useSignJob } from '@/composables/signing'
import { useSessionStore } from './session'

/**
 * The leader's signing batch, app-wide: it runs in the backend whether or not the signing
 * screen is open, so leaving the screen and coming back shows it still going (or its result).
 * Another user signing in forgets it.
 */
export const useSigningStore = defineStore('signing', () => {
  /** Bumped each time a batch finishes (the screen reloads its list). */
  const finishedCount = ref(0)
  const job = useSignJob({
    onFinished: () => {
      finishedCount.value++
    },
  })

  const session = useSessionStore()
  watch(
    () => session.user?.id ?? null,
    (now, before) => {
      if (now !== before) job.reset(true)
    },
  )

  return { ...job, finishedCount }
})
