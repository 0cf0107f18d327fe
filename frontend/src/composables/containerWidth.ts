import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue'

/**
 * The width of an element, kept up to date as the window resizes: tables choose their
 * columns from it, so the name column keeps its room at 1024 and 1366 pixels.
 */
export function useContainerWidth(el: Ref<HTMLElement | null>): Ref<number> {
  const width = ref(typeof window === 'undefined' ? 1280 : window.innerWidth)
  let observer: ResizeObserver | null = null
  onMounted(() => {
    if (!el.value) return
    width.value = el.value.clientWidth
    observer = new ResizeObserver((entries) => {
      for (const e of entries) width.value = e.contentRect.width
    })
    observer.observe(el.value)
  })
  onBeforeUnmount(() => observer?.disconnect())
  return width
}
