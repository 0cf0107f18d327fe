import { ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { useMessage } from 'naive-ui'
import { ApplicationService, fieldText, parseApiError, type Application } from '@/api'

/**
 * Approve / reject with feedback. The backend decides who may (roles, four-eyes); its
 * refusal is shown as is.
 */
export function useDecisions(onDone: (app: Application) => void) {
  const { t, locale } = useI18n()
  const message = useMessage()
  const busyId = ref<string | null>(null)
  const rejecting = ref<Application | null>(null)
  const showReject = ref(false)
  const rejectError = ref('')

  async function approve(app: Application): Promise<void> {
    if (busyId.value) return
    busyId.value = app.id
    try {
      const res = await ApplicationService.Approve(app.id)
      message.success(t('queue.approved', { name: res.full_name }))
      onDone(res)
    } catch (e) {
      message.error(parseApiError(e).text(locale.value), { duration: 6000 })
    } finally {
      busyId.value = null
    }
  }

  function askReject(app: Application): void {
    rejecting.value = app
    rejectError.value = ''
    showReject.value = true
  }

  async function confirmReject(reason: string): Promise<void> {
    const app = rejecting.value
    if (!app || busyId.value) return
    busyId.value = app.id
    rejectError.value = ''
    try {
      const res = await ApplicationService.Reject(app.id, reason)
      showReject.value = false
      message.success(t('queue.rejected', { name: res.full_name }))
      onDone(res)
    } catch (e) {
      const err = parseApiError(e)
      const f = err.field('reason')
      rejectError.value = f ? fieldText(f, locale.value) : err.text(locale.value)
    } finally {
      busyId.value = null
    }
  }

  return { busyId, rejecting, showReject, rejectError, approve, askReject, confirmReject }
}
