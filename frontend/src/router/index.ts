import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router'
import type { Permission } from '@/api'
import { useSessionStore } from '@/stores/session'
import { homeFor, screenPermission } from '@/lib/screens'

declare module 'vue-router' {
  interface RouteMeta {
    /** The permission (from the backend's list) the page needs; absent = any logged-in user. */
    permission?: Permission | null
    /** Reachable without a logged-in user. */
    public?: boolean
  }
}

const ApplicationsView = () => import('@/views/ApplicationsView.vue')

const routes: RouteRecordRaw[] = [
  { path: '/setup', name: 'setup', component: () => import('@/views/SetupView.vue'), meta: { public: true } },
  { path: '/login', name: 'login', component: () => import('@/views/LoginView.vue'), meta: { public: true } },
  {
    path: '/',
    component: () => import('@/views/AppShell.vue'),
    children: [
      { path: '', name: 'home', redirect: () => homeFor(useSessionStore().permissions) },
      {
        path: 'intake',
        name: 'intake',
        component: () => import('@/views/IntakeView.vue'),
        meta: { permission: screenPermission('intake') },
      },
      {
        path: 'applications',
        name: 'applications',
        component: ApplicationsView,
        meta: { permission: screenPermission('applications') },
      },
      {
        path: 'queue',
        name: 'queue',
        component: ApplicationsView,
        props: { queue: true },
        meta: { permission: screenPermission('queue') },
      },
      {
        path: 'sign',
        name: 'sign',
        component: () => import('@/views/SignView.vue'),
        meta: { permission: screenPermission('sign') },
      },
      {
        path: 'ready',
        name: 'ready',
        component: () => import('@/views/ReadyView.vue'),
        meta: { permission: screenPermission('ready') },
      },
      { path: 'verify', name: 'verify', component: () => import('@/views/VerifyView.vue') },
      {
        path: 'sync',
        name: 'sync',
        component: () => import('@/views/SyncView.vue'),
        meta: { permission: screenPermission('sync') },
      },
      {
        path: 'scans',
        name: 'scans',
        component: () => import('@/views/ScanView.vue'),
        meta: { permission: screenPermission('scans') },
      },
      {
        path: 'rules',
        name: 'rules',
        component: () => import('@/views/RulesView.vue'),
        meta: { permission: screenPermission('rules') },
      },
      {
        path: 'users',
        name: 'users',
        component: () => import('@/views/UsersView.vue'),
        meta: { permission: screenPermission('users') },
      },
      {
        path: 'backfill',
        name: 'backfill',
        component: () => import('@/views/BackfillView.vue'),
        meta: { permission: screenPermission('backfill') },
      },
      {
        path: 'reports',
        name: 'reports',
        component: () => import('@/views/ReportsView.vue'),
        meta: { permission: screenPermission('reports') },
      },
      {
        path: 'accounts',
        name: 'accounts',
        component: () => import('@/views/AccountListView.vue'),
        meta: { permission: screenPermission('accounts') },
      },
      {
        path: 'settings',
        name: 'settings',
        component: () => import('@/views/SettingsView.vue'),
        meta: { permission: screenPermission('settings') },
      },
    ],
  },
  { path: '/:pathMatch(.*)*', redirect: '/' },
]

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
  if (to.name === 'setup') return session.user ? homeFor(session.permissions) : { name: 'login' }
  if (!session.user) return to.meta.public ? true : { name: 'login', query: to.fullPath !== '/' ? { next: to.fullPath } : {} }
  if (to.name === 'login') return homeFor(session.permissions)
  const needs = to.matched.map((r) => r.meta.permission).filter((p): p is Permission => !!p)
  if (!needs.every((p) => session.can(p))) return homeFor(session.permissions)
  return true
})
