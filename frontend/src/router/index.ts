import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router'
import type { Role } from '@/api'
import { useSessionStore } from '@/stores/session'

declare module 'vue-router' {
  interface RouteMeta {
    /** Roles that may open the page; absent = any logged-in user. */
    roles?: Role[]
    /** Reachable without a logged-in user. */
    public?: boolean
  }
}

const routes: RouteRecordRaw[] = [
  { path: '/setup', name: 'setup', component: () => import('@/views/SetupView.vue'), meta: { public: true } },
  { path: '/login', name: 'login', component: () => import('@/views/LoginView.vue'), meta: { public: true } },
  {
    path: '/',
    component: () => import('@/views/AppShell.vue'),
    children: [
      { path: '', name: 'home', redirect: () => homeFor(useSessionStore().role) },
      {
        path: 'intake',
        name: 'intake',
        component: () => import('@/views/IntakeView.vue'),
        meta: { roles: ['clerk', 'office_admin'] },
      },
      { path: 'applications', name: 'applications', component: () => import('@/views/ApplicationsView.vue') },
      {
        path: 'queue',
        name: 'queue',
        component: () => import('@/views/QueueView.vue'),
        meta: { roles: ['approver', 'office_admin'] },
      },
      {
        path: 'sign',
        name: 'sign',
        component: () => import('@/views/SignView.vue'),
        meta: { roles: ['approver'] },
      },
      { path: 'verify', name: 'verify', component: () => import('@/views/VerifyView.vue') },
      {
        path: 'scans',
        name: 'scans',
        component: () => import('@/views/ScanView.vue'),
        meta: { roles: ['clerk', 'approver', 'office_admin'] },
      },
      {
        path: 'rules',
        name: 'rules',
        component: () => import('@/views/RulesView.vue'),
        meta: { roles: ['office_admin'] },
      },
      {
        path: 'users',
        name: 'users',
        component: () => import('@/views/UsersView.vue'),
        meta: { roles: ['office_admin'] },
      },
      {
        path: 'settings',
        name: 'settings',
        component: () => import('@/views/SettingsView.vue'),
        meta: { roles: ['office_admin'] },
      },
    ],
  },
  { path: '/:pathMatch(.*)*', redirect: '/' },
]

/** The first page a role lands on. */
export function homeFor(role: Role | null): string {
  if (role === 'approver') return '/queue'
  if (role === 'clerk' || role === 'office_admin') return '/intake'
  return '/login'
}

export const router = createRouter({
  history: createWebHashHistory(),
  routes,
})

router.beforeEach(async (to) => {
  const session = useSessionStore()
  if (!session.status) {
    try {
      await session.refresh()
    } catch {
      // App.vue shows the connection error and retries
      return to.name === 'login' ? true : { name: 'login' }
    }
  }
  if (!session.initialized) return to.name === 'setup' ? true : { name: 'setup' }
  if (to.name === 'setup') return session.user ? homeFor(session.role) : { name: 'login' }
  if (!session.user) return to.meta.public ? true : { name: 'login', query: to.fullPath !== '/' ? { next: to.fullPath } : {} }
  if (to.name === 'login') return homeFor(session.role)
  const roles = to.matched.flatMap((r) => r.meta.roles ?? [])
  if (roles.length > 0 && !session.hasRole(...roles)) return homeFor(session.role)
  return true
})
