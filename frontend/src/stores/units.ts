import { defineStore } from 'pinia'
import { ref } from 'vue'
import { UnitService, type Unit } from '@/api'

/** Administrative units, fetched on demand and cached for the session. */
export const useUnitsStore = defineStore('units', () => {
  const provinces = ref<Unit[]>([])
  const children = ref<Record<string, Unit[]>>({})
  const byCode = new Map<string, Unit>()
  const pending = new Map<string, Promise<Unit[]>>()

  function remember(list: Unit[]): Unit[] {
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

  /** Province and district codes above a commune. */
  async function lineage(communeCode: string): Promise<{ province: string; district: string; commune: string }> {
    const commune = await get(communeCode)
    const district = commune.parent_code ? await get(commune.parent_code) : null
    return {
      province: district?.parent_code ?? '',
      district: district?.code ?? '',
      commune: commune.code,
    }
  }

  return { provinces, children, loadProvinces, loadChildren, get, lineage }
})
