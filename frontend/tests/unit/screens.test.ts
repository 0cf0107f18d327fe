import { describe, expect, it } from 'vitest'
import { homeFor, menuFor, screenPermission } from '../../src/lib/screens'
import type { Permission } from '../../src/api/types'

// The lists the backend sends for the demo roles (auth.Permissions in Go).
const clerk: Permission[] = ['application.enter', 'application.view']
const approver: Permission[] = ['application.enter', 'application.view', 'application.decide']
const admin: Permission[] = ['application.enter', 'application.view', 'rules.manage', 'users.manage', 'settings.manage']

describe('the menu follows the permissions the backend sent', () => {
  it('gives each role its screens', () => {
    expect(menuFor(clerk)).toEqual(['intake', 'ready', 'applications', 'verify', 'scans', 'reports'])
    expect(menuFor([...clerk, 'permit.backfill'])).toEqual(['intake', 'ready', 'applications', 'verify', 'scans', 'backfill', 'reports'])
    expect(menuFor(approver)).toEqual(['intake', 'queue', 'sign', 'ready', 'applications', 'verify', 'scans', 'reports'])
    expect(menuFor(admin)).toEqual(['intake', 'ready', 'applications', 'verify', 'scans', 'reports', 'rules', 'users', 'accounts', 'settings'])
    expect(menuFor([])).toEqual(['verify'])
  })

  it('never shows the queue without the decision permission', () => {
    for (const perms of [clerk, admin]) expect(menuFor(perms)).not.toContain('queue')
    expect(screenPermission('queue')).toBe('application.decide')
    expect(screenPermission('verify')).toBeNull()
  })

  it('lands a leader on the queue, others on intake', () => {
    expect(homeFor(approver)).toBe('/queue')
    expect(homeFor(clerk)).toBe('/intake')
    expect(homeFor(admin)).toBe('/intake')
    expect(homeFor(['application.view'])).toBe('/applications')
    expect(homeFor(null)).toBe('/login')
  })
})
