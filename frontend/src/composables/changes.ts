import { onBeforeUnmount, onMounted, watch } from 'vue'
import { useChangesStore } from '@/stores/changes'

/**
 * Calls reload whenever the office's data changed (any window, gddctl, another PC seat):
 * the change stamp is polled by the changes store every few seconds.
 */
export function useOnChanges(reload: () => void): void {
  const changes = useChangesStore()
  let stop: (() => void) | null = null
  onMounted(() => {
    changes.start()
    stop = watch(
      () => changes.stamp,
      (now, before) => {
        if (before !== 0 && now !== before) reload()
      },
    )
  })
  onBeforeUnmount(() => stop?.())
}
