import type { Permission } from '@/api'

/** The screens of the side menu, in its order. */
export type ScreenName =
  | 'intake'
  | 'queue'
  | 'sign'
  | 'ready'
  | 'applications'
  | 'verify'
  | 'scans'
  | 'rules'
  | 'users'
  | 'settings'
  | 'sync'
  | 'backfill'
  | 'reports'
  | 'accounts'

/**
 * The permission (as the backend names it) each screen needs; null = any signed-in user.
 * Which role holds which permission is the backend's alone: the window reads the list the
 * session status carries.
 */
export const SCREENS: readonly { name: ScreenName; permission: Permission | null }[] = [
  { name: 'intake', permission: 'application.enter' },
  { name: 'queue', permission: 'application.decide' },
  { name: 'sign', permission: 'application.decide' },
  { name: 'ready', permission: 'application.enter' },
  { name: 'applications', permission: 'application.view' },
  { name: 'verify', permission: null },
  { name: 'scans', permission: 'application.enter' },
  { name: 'backfill', permission: 'permit.backfill' },
  { name: 'reports', permission: 'application.view' },
  { name: 'rules', permission: 'rules.manage' },
  { name: 'users', permission: 'users.manage' },
  { name: 'accounts', permission: 'users.manage' },
  { name: 'settings', permission: 'settings.manage' },
  { name: 'sync', permission: 'sync.view' },
]

/** The permission a screen needs (null: none beyond signing in). */
export function screenPermission(name: ScreenName): Permission | null {
  return SCREENS.find((s) => s.name === name)?.permission ?? null
}

/** The screens the side menu shows to a user with these permissions. */
export function menuFor(permissions: readonly Permission[]): ScreenName[] {
  return SCREENS.filter((s) => s.permission === null || permissions.includes(s.permission)).map((s) => s.name)
}

/** The first page a user lands on: the decisions for a leader, else intake, else the list. */
export function homeFor(permissions: readonly Permission[] | null): string {
  if (permissions === null) return '/login'
  if (permissions.includes('application.decide')) return '/queue'
  if (permissions.includes('application.enter')) return '/intake'
  if (permissions.includes('application.view')) return '/applications'
  return '/verify'
}
