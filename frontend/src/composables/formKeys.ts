// The counter's keyboard: Enter moves to the next field (a dropdown's Enter first picks the
// highlighted option, then moves on); Ctrl+Enter submits from anywhere, and so does Enter on
// the last field. Fields are the form's focusable stops in document order, which the
// layout keeps equal to the visual order.

import { nextTick, type Ref } from 'vue'

const STOP = [
  'input:not([type=hidden]):not([type=file]):not([tabindex="-1"]):not([disabled])',
  'textarea:not([disabled])',
  '.n-base-selection[tabindex]',
].join(', ')

function visible(el: HTMLElement): boolean {
  return el.offsetParent !== null || el.getClientRects().length > 0
}

/** The focusable fields of root, in order; a dropdown counts once (its box, not its inner input). */
export function fieldStops(root: HTMLElement): HTMLElement[] {
  const out: HTMLElement[] = []
  for (const el of Array.from(root.querySelectorAll<HTMLElement>(STOP))) {
    if (!visible(el)) continue
    if (el.tagName === 'INPUT' && el.closest('.n-base-selection')) continue // a select's search input
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

function openMenuWithPending(): boolean {
  return document.querySelector('.n-base-select-menu .n-base-select-option--pending') !== null &&
    Array.from(document.querySelectorAll<HTMLElement>('.n-base-select-menu')).some(visible)
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
    next.focus()
    if (next instanceof HTMLInputElement) next.select()
  }

  function onKeydown(e: KeyboardEvent): void {
    if (e.key !== 'Enter' || e.isComposing || e.altKey) return
    const target = e.target
    if (!(target instanceof HTMLElement)) return
    if (e.ctrlKey || e.metaKey) {
      e.preventDefault()
      e.stopPropagation()
      before?.()
      void nextTick(submit)
      return
    }
    if (target instanceof HTMLButtonElement || target.closest('button')) return // the button's own Enter
    if (e.shiftKey && target instanceof HTMLTextAreaElement) return // a new line in the note
    if (openMenuWithPending()) {
      // the dropdown takes its Enter (picks the option); then move on
      void nextTick(() => focusNext(target))
      return
    }
    e.preventDefault()
    e.stopPropagation()
    before?.()
    focusNext(target)
  }

  return { onKeydown, focusNext }
}
