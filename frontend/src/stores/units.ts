import { defineStore } from 'pinia'
import { ref } from 'vue'
import { UnitService, type CommuneHit, type Unit } from '@/api'

/** Today's administrative units (province, then commune), fetched on demand and cached. */
export const useUnitsStore = defineStore('units', () => {
  const provinces = ref<Unit[]>([])
  const children = ref<Record<string, Unit[]>>({})
  const byCode = new Map<string, Unit>()
  const pending = new Map<string, Promise<Unit[]>>()

  function remember<T extends Unit>(list: T[]): T[] {
    for (const u of list) byCode.set(u.code, u)
    return list
  }

  async function loadProvinces(): Promise<Unit[]> {
    if (provinces.value.length === 0) provinces.value = remember(await UnitService.Provinces())
    return provinces.value
  }

  async function loadChildren(parentCode: string): Promise<Unit[]> {
    if (!parentCode) return []
    const cached = children.value[parentCode]
    if (cached) return cached
    let p = pending.get(parentCode)
    if (!p) {
      p = UnitService.Children(parentCode).then((list) => {
        children.value = { ...children.value, [parentCode]: remember(list ?? []) }
        return list ?? []
      })
      pending.set(parentCode, p)
      p.finally(() => pending.delete(parentCode)).catch(() => undefined)
    }
    return p
  }

  async function get(code: string): Promise<Unit> {
    const known = byCode.get(code)
    if (known) return known
    const u = await UnitService.Get(code)
    byCode.set(u.code, u)
    return u
  }

  /** Today's communes whose name contains the query, diacritics optional, in every province. */
  async function search(query: string): Promise<CommuneHit[]> {
    if (!query.trim()) return []
    return remember((await UnitService.Search(query, '')) ?? [])
  }

  return { provinces, children, loadProvinces, loadChildren, get, search }
})
