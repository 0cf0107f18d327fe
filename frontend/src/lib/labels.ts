import { localized } from '@/i18n'
import type { Meta, Rules } from '@/api'

/** Label of a purpose code under the current rules (the code itself when unknown). */
export function purposeLabel(rules: Rules | null, code: string, locale: string): string {
  const p = rules?.purposes.find((x) => x.code === code)
  return p ? localized(p, locale) : code
}

/** Label of a vehicle type code (the code itself when unknown). */
export function vehicleLabel(meta: Meta | null, code: string, locale: string): string {
  const v = meta?.vehicle_types.find((x) => x.code === code)
  return v ? localized(v, locale) : code
}
