// The last five destinations entered at this PC, newest first, offered when typing "Đến".
// Kept in localStorage: a convenience of the counter, not office data.

import { ref } from 'vue'

const KEY = 'gdd.recentDestinations'
const MAX = 5

function load(): string[] {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(KEY) ?? '[]')
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string').slice(0, MAX) : []
  } catch {
    return []
  }
}

export const recentDestinations = ref<string[]>(typeof localStorage === 'undefined' ? [] : load())

/** Puts d first in the list (once), keeping five. */
export function addRecentDestination(d: string): void {
  const v = d.trim()
  if (!v) return
  recentDestinations.value = [v, ...recentDestinations.value.filter((x) => x !== v)].slice(0, MAX)
  try {
    localStorage.setItem(KEY, JSON.stringify(recentDestinations.value))
  } catch {
    // storage full or off: the list lives for this session
  }
}
