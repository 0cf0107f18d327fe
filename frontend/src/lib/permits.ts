import type { Permit, PermitStatus, Role } from '@/api'

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

export interface PermitActions {
  preview: boolean
  print: boolean
  markHandSigned: boolean
  handOver: boolean
  revoke: boolean
}

const STAFF: Role[] = ['clerk', 'approver', 'office_admin']

/**
 * What the user may do with a permit now, following the backend's rules (roles and the
 * permit state machine); the backend still decides and its refusal is shown.
 */
export function permitActions(p: Pick<Permit, 'status'>, role: Role | null): PermitActions {
  const staff = role !== null && STAFF.includes(role)
  const live = p.status !== 'revoked'
  return {
    preview: staff,
    print: staff && live,
    markHandSigned: staff && p.status === 'awaiting_hand_signature',
    handOver: staff && (p.status === 'signed' || p.status === 'hand_signed'),
    revoke: role === 'approver' && live,
  }
}

/** Who may issue a permit for an approved application. */
export function canIssue(role: Role | null): boolean {
  return role !== null && STAFF.includes(role)
}

/** A permit number: `<unit code>/<year>/<6-digit sequence>`. */
export const PERMIT_NUMBER_RE = /^\d+\/\d{4}\/\d{6}$/
