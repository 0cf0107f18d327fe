// The counter's keyboard: Enter moves to the next field (a dropdown's Enter first picks the
// highlighted option, then moves on); Ctrl+Enter submits from anywhere, and so does Enter on
// the last field. Fields are the form's focusable stops in document order, which the
// layout keeps equal to the visual order.

import { nextTick, type Ref } from 'vue'

const STOP = [
  'input:not([type=hidden]):not([type=file]):not([tabindex="-1"]):not([disabled])',
  'textarea:not([disabled])',
  '.n-base-selection',
].join(', ')

function visible(el: HTMLElement): boolean {
  return el.offsetParent !== null || el.getClientRects().length > 0
}

/** The focusable fields of root, in order; a dropdown counts once (its box, not its inner input). */
export function fieldStops(root: HTMLElement): HTMLElement[] {
  const out: HTMLElement[] = []
  for (const found of Array.from(root.querySelectorAll<HTMLElement>(STOP))) {
    const el = stopOf(found) // a select's search input stands for its select
    if (!visible(el) || out.includes(el)) continue
    if (el instanceof HTMLInputElement && el.type === 'radio') {
      // a radio group is one stop: its checked radio, else its first
      const group = Array.from(root.querySelectorAll<HTMLInputElement>(`input[type=radio][name="${el.name}"]`))
      const pick = group.find((r) => r.checked) ?? group[0]
      if (pick !== el) continue
    }
    out.push(el)
  }
  return out
}

function stopOf(target: HTMLElement): HTMLElement {
  return target.closest<HTMLElement>('.n-base-selection') ?? target
}

/** Focuses a stop: a select through its search input when it has one (filterable). */
export function focusStop(el: HTMLElement): void {
  const inner = el.classList.contains('n-base-selection') ? el.querySelector<HTMLInputElement>('input') : null
  const target = inner ?? el
  target.focus()
  if (!inner && target instanceof HTMLInputElement) target.select()
}

function openMenu(): HTMLElement | null {
  return Array.from(document.querySelectorAll<HTMLElement>('.n-base-select-menu')).find(visible) ?? null
}

export function useFormKeys(root: Ref<HTMLElement | null>, submit: () => void, before?: () => void) {
  function focusNext(from: HTMLElement): void {
    const el = root.value
    if (!el) return
    const stops = fieldStops(el)
    const radio = from instanceof HTMLInputElement && from.type === 'radio'
    const i = stops.findIndex((s) => s === stopOf(from) || (radio && s instanceof HTMLInputElement && s.name === from.name))
    const next = i >= 0 ? stops[i + 1] : undefined
    if (!next) {
      submit()
      return
    }
    focusStop(next)
  }

  // A dropdown's pick moves the caret a moment later; Enters typed meanwhile are kept and
  // replayed from where the caret lands, so a fast typist loses none.
  let moving = false
  let queued = 0

  function onKeydown(e: KeyboardEvent): void {
    if (e.key !== 'Enter' || e.isComposing || e.altKey) return
    const target = e.target
    if (!(target instanceof HTMLElement)) return
    if (moving && !e.ctrlKey && !e.metaKey) {
      e.preventDefault()
      e.stopPropagation()
      queued++
      return
    }
    if (e.ctrlKey || e.metaKey) {
      e.preventDefault()
      e.stopPropagation()
      before?.()
      void nextTick(submit)
      return
    }
    if (target instanceof HTMLButtonElement || target.closest('button')) return // the button's own Enter
    if (e.shiftKey && target instanceof HTMLTextAreaElement) return // a new line in the note
    const menu = openMenu()
    if (menu) {
      // An open dropdown's Enter picks its highlighted option, else the first one that
      // matches what was typed; then the caret moves on.
      if (!menu.querySelector('.n-base-select-option--pending')) {
        const first = menu.querySelector<HTMLElement>('.n-base-select-option:not(.n-base-select-option--disabled)')
        if (first) {
          e.preventDefault()
          e.stopPropagation()
          first.click()
        }
      }
      moving = true
      void nextTick(() =>
        setTimeout(() => {
          moving = false
          focusNext(target)
          for (; queued > 0; queued--) {
            const at = document.activeElement
            if (at instanceof HTMLElement) focusNext(at)
          }
        }, 0),
      )
      return
    }
    e.preventDefault()
    e.stopPropagation()
    before?.()
    focusNext(target)
  }

  return { onKeydown, focusNext }
}
