import type { PermitStatus } from '@/api'

export const PERMIT_STATUSES: PermitStatus[] = ['signed', 'awaiting_hand_signature', 'hand_signed', 'issued', 'revoked']

export type TagType = 'default' | 'success' | 'warning' | 'error' | 'info'

/** The tag colour of a permit status. */
export function permitTagType(status: PermitStatus | string): TagType {
  switch (status) {
    case 'signed':
    case 'hand_signed':
      return 'info'
    case 'awaiting_hand_signature':
      return 'warning'
    case 'issued':
      return 'success'
    case 'revoked':
      return 'error'
    default:
      return 'default'
  }
}

/** Whether the backend listed action among what the user may do now (no list: nothing). */
export function allows<A extends string>(actions: readonly A[] | null | undefined, action: A): boolean {
  return actions?.includes(action) ?? false
}

/** A permit number: `<unit code>/<year>/<6-digit sequence>`. */
export const PERMIT_NUMBER_RE = /^\d+\/\d{4}\/\d{6}$/
