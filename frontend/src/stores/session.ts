import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import {
  AuthService,
  MetaService,
  RulesService,
  onApiError,
  type AuthStatus,
  type Meta,
  type Permission,
  type Role,
  type Rules,
  type SetupInput,
  type UserInfo,
} from '@/api'

/** The logged-in session: office, user, lock state, and the reference data every screen uses. */
export const useSessionStore = defineStore('session', () => {
  const status = ref<AuthStatus | null>(null)
  const meta = ref<Meta | null>(null)
  const rules = ref<Rules | null>(null)

  const initialized = computed(() => status.value?.initialized ?? false)
  const office = computed(() => status.value?.office ?? null)
  const user = computed(() => status.value?.user ?? null)
  const role = computed<Role | null>(() => user.value?.role ?? null)
  const locked = computed(() => status.value?.locked ?? false)
  const idleLockMinutes = computed(() => status.value?.idle_lock_minutes ?? 0)
  const isDemo = computed(() => status.value?.office?.demo ?? false)
  const accountNotices = computed(() => status.value?.account_notices ?? [])
  const clockBehindLists = computed(() => status.value?.clock_behind_lists ?? null)

  /** What the backend says this user may do; null when nobody is signed in. */
  const permissions = computed<Permission[] | null>(() => (user.value ? (user.value.permissions ?? []) : null))

  function can(p: Permission): boolean {
    return permissions.value?.includes(p) ?? false
  }

  async function refresh(): Promise<AuthStatus> {
    status.value = await AuthService.Status()
    if (status.value.user && !status.value.locked) await loadReference()
    return status.value
  }

  async function loadReference(): Promise<void> {
    const [m, r] = await Promise.all([MetaService.Get(), RulesService.Current()])
    meta.value = m
    rules.value = r
  }

  async function reloadRules(): Promise<Rules> {
    rules.value = await RulesService.Current()
    return rules.value
  }

  async function loadMeta(): Promise<Meta> {
    if (!meta.value) meta.value = await MetaService.Get()
    return meta.value
  }

  async function login(username: string, password: string): Promise<UserInfo> {
    const u = await AuthService.Login(username, password)
    await refresh()
    return u
  }

  async function setup(input: SetupInput): Promise<UserInfo> {
    const u = await AuthService.Setup(input)
    await refresh()
    return u
  }

  async function logout(): Promise<void> {
    try {
      await AuthService.Logout()
    } finally {
      if (status.value) status.value = { ...status.value, user: null, locked: false }
      rules.value = null
    }
  }

  function markLocked(): void {
    if (status.value && status.value.user) status.value = { ...status.value, locked: true }
  }

  async function lock(): Promise<void> {
    markLocked()
    await AuthService.Lock()
  }

  async function unlock(password: string): Promise<void> {
    await AuthService.Unlock(password)
    if (status.value) status.value = { ...status.value, locked: false }
    await refresh()
  }

  async function acknowledgeAccountNotices(): Promise<void> {
    const last = accountNotices.value[accountNotices.value.length - 1]
    if (!last) return
    await AuthService.AcknowledgeAccountNotices(last.seq)
    await refresh()
  }

  function setIdleLockMinutes(minutes: number): void {
    if (status.value) status.value = { ...status.value, idle_lock_minutes: minutes }
  }

  // Whatever call finds the screen locked, or the session gone, brings the UI in line.
  onApiError((err, service, method) => {
    if (service === 'AuthService' && (method === 'Login' || method === 'Unlock' || method === 'Setup')) return
    if (err.code === 'screen_locked') markLocked()
    else if (err.code === 'unauthenticated' && status.value?.user) {
      status.value = { ...status.value, user: null, locked: false }
    }
  })

  return {
    status,
    meta,
    rules,
    initialized,
    office,
    user,
    role,
    locked,
    idleLockMinutes,
    isDemo,
    accountNotices,
    clockBehindLists,
    acknowledgeAccountNotices,
    permissions,
    can,
    refresh,
    loadReference,
    reloadRules,
    loadMeta,
    login,
    setup,
    logout,
    lock,
    unlock,
    setIdleLockMinutes,
  }
})
