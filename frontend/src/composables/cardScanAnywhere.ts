// A CCCD scan on any screen but intake (which fills its form itself): the scanner's keys are
// kept out of whatever field has the focus (ScannerBurstDetector), and the card goes where a
// clerk wants it: the citizen's applications when there are any, else a new intake filled
// from the card (handed over through pendingCardScan). Never raw card text in a search box.

import { onBeforeUnmount, onMounted, ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { useRoute, useRouter } from 'vue-router'
import { useMessage } from 'naive-ui'
import { ApplicationService } from '@/api'
import { recogniseCardText } from '@/lib/cardText'
import { menuFor } from '@/lib/screens'
import { useSessionStore } from '@/stores/session'
import { useScannerBurst } from './scannerBurst'

/** A card text scanned elsewhere, for the intake screen to fill its form with. */
export const pendingCardScan = ref<string | null>(null)

/** Takes the pending card text, if any (the intake screen calls this when shown). */
export function takePendingCardScan(): string | null {
  const text = pendingCardScan.value
  pendingCardScan.value = null
  return text
}

export function useCardScanAnywhere(): void {
  const { t } = useI18n()
  const route = useRoute()
  const router = useRouter()
  const message = useMessage()
  const session = useSessionStore()

  async function route1(text: string): Promise<void> {
    const card = recogniseCardText(text)
    if (!card) {
      message.error(t('counter.scanUnreadable'))
      return
    }
    const screens = menuFor(session.permissions ?? [])
    let known = false
    if (screens.includes('applications')) {
      try {
        const page = await ApplicationService.List({
          status: '', purpose_code: '', date_from: '', date_to: '', search: card.idNumber, page: 1, page_size: 1,
        })
        known = page.total > 0
      } catch {
        known = false
      }
    }
    if (known || !screens.includes('intake')) {
      message.info(t('counter.scanOpened', { name: card.fullName }))
      await router.push({ name: 'applications', query: { search: card.idNumber } })
      return
    }
    message.info(t('counter.scanNewIntake', { name: card.fullName }))
    pendingCardScan.value = text
    await router.push({ name: 'intake' })
  }

  const enabled = () => route.name !== 'intake' && !session.locked

  // With no text field focused, the letters a scanner types as text (Vietnamese ones come as
  // text input, not keys) would go nowhere: a digit typed there first moves the focus to an
  // off-screen catcher, so the whole card text reaches the detector. Registered before it.
  let catcher: HTMLInputElement | null = null
  const onKeydown = (e: KeyboardEvent): void => {
    if (!enabled() || !/^\d$/.test(e.key) || e.ctrlKey || e.altKey || e.metaKey) return
    const active = document.activeElement
    if (active instanceof HTMLInputElement || active instanceof HTMLTextAreaElement || (active as HTMLElement | null)?.isContentEditable) return
    if (!catcher) {
      catcher = document.createElement('input')
      catcher.setAttribute('aria-hidden', 'true')
      catcher.tabIndex = -1
      catcher.dataset.testid = 'scan-catcher'
      catcher.style.cssText = 'position:fixed;left:-9999px;top:0;width:1px;height:1px;opacity:0'
      document.body.appendChild(catcher)
    }
    catcher.value = ''
    catcher.focus()
  }
  onMounted(() => window.addEventListener('keydown', onKeydown, true))
  onBeforeUnmount(() => {
    window.removeEventListener('keydown', onKeydown, true)
    catcher?.remove()
  })

  useScannerBurst((text) => {
    catcher?.blur()
    void route1(text)
  }, { enabled })
}
