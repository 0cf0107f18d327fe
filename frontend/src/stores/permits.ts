import { defineStore } from 'pinia'
import { ref } from 'vue'
import { PermitService, type Permit } from '@/api'

/**
 * Permits by application id, shared by the list and the detail drawer: what one changes
 * (issue, print, hand-over, revoke) the other shows. null = known to have no permit.
 */
export const usePermitsStore = defineStore('permits', () => {
  const byApp = ref<Record<string, Permit | null>>({})
  const pending = new Map<string, Promise<Permit | null>>()

  function known(appId: string): boolean {
    return appId in byApp.value
  }

  function of(appId: string): Permit | null | undefined {
    return byApp.value[appId]
  }

  function put(p: Permit): Permit {
    byApp.value = { ...byApp.value, [p.application_id]: p }
    return p
  }

  /** The application's permit (cached unless force). */
  async function load(appId: string, force = false): Promise<Permit | null> {
    if (!force && known(appId)) return byApp.value[appId] ?? null
    let p = pending.get(appId)
    if (!p) {
      p = PermitService.ForApplication(appId).then((res) => {
        byApp.value = { ...byApp.value, [appId]: res ?? null }
        return res ?? null
      })
      pending.set(appId, p)
      p.finally(() => pending.delete(appId)).catch(() => undefined)
    }
    return p
  }

  async function issue(appId: string): Promise<Permit> {
    return put(await PermitService.Issue(appId))
  }

  function clear(): void {
    byApp.value = {}
  }

  return { byApp, known, of, put, load, issue, clear }
})
