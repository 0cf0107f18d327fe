import { defineStore } from 'pinia'
import { reactive } from 'vue'
import { SyncService, type RecordSyncState } from '@/api'

type Entity = 'application' | 'permit'

/**
 * The sync state of the records on screen. Each SyncStateTag asks for its record; the asks of
 * one tick go to the backend as one call per kind, and a record seen again after `maxAgeMs` is
 * asked again, so a list shows "đã gửi" soon after the background sync sent it.
 */
export const useSyncStatesStore = defineStore('syncStates', () => {
  const states = reactive<Record<string, RecordSyncState | null>>({})
  const fetchedAt = new Map<string, number>()
  const queued: Record<Entity, Set<string>> = { application: new Set(), permit: new Set() }
  let timer: ReturnType<typeof setTimeout> | null = null
  const maxAgeMs = 15_000

  function key(entity: Entity, id: string): string {
    return `${entity}:${id}`
  }

  async function flush(): Promise<void> {
    timer = null
    for (const entity of ['application', 'permit'] as const) {
      const ids = [...queued[entity]]
      queued[entity].clear()
      if (ids.length === 0) continue
      try {
        const got = await SyncService.States(entity, ids)
        for (const id of ids) {
          states[key(entity, id)] = got[id] ?? null
          fetchedAt.set(key(entity, id), Date.now())
        }
      } catch {
        // No state shown beats a wrong one; the next ask tries again.
      }
    }
  }

  function want(entity: Entity, id: string): void {
    const at = fetchedAt.get(key(entity, id))
    if (at !== undefined && Date.now() - at < maxAgeMs) return
    queued[entity].add(id)
    timer ??= setTimeout(() => void flush(), 30)
  }

  function get(entity: Entity, id: string): RecordSyncState | null | undefined {
    return states[key(entity, id)]
  }

  /** Forgets what was read, so the next tags ask again (after "Đồng bộ ngay"). */
  function invalidate(): void {
    fetchedAt.clear()
  }

  return { want, get, invalidate }
})
