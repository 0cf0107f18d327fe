import { computed, ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { ApiError, fieldText, parseApiError } from '@/api'

/**
 * Holds the last ApiError of a form and gives each field its message in the current UI
 * language, for n-form-item's feedback/validation-status.
 */
export function useFieldErrors(labelOf?: (field: string) => string | undefined) {
  const { locale, t } = useI18n()
  const error = ref<ApiError | null>(null)

  function set(e: unknown): ApiError {
    const err = parseApiError(e)
    error.value = err
    return err
  }

  function clear(): void {
    error.value = null
  }

  function clearField(name: string): void {
    const err = error.value
    if (!err || !err.fields.some((f) => f.field === name)) return
    const rest = err.fields.filter((f) => f.field !== name)
    error.value = new ApiError(err.code, err.vi, err.en, rest)
  }

  function feedback(name: string): string | undefined {
    const f = error.value?.field(name)
    return f ? fieldText(f, locale.value) : undefined
  }

  function status(name: string): 'error' | undefined {
    return error.value?.field(name) ? 'error' : undefined
  }

  /** Each field's message, prefixed by the field's label when `labelOf` knows it. */
  const summary = computed<string[]>(() => {
    const err = error.value
    if (!err) return []
    return err.fields.map((f) => {
      const label = labelOf?.(f.field)
      const text = fieldText(f, locale.value)
      return label ? `${label}: ${text}` : text
    })
  })

  /** The headline: for bad input the generic summary line, else the backend's message. */
  const message = computed(() => {
    const err = error.value
    if (!err) return ''
    if (err.fields.length > 0) return t('common.errorSummary')
    return err.text(locale.value)
  })

  /**
   * The backend's message, then what each field not shown at an input says when it says
   * something more: for a form whose inputs show their own field's message.
   */
  function headline(shownAtInput: (field: string) => boolean): string {
    const err = error.value
    if (!err) return ''
    const texts = [err.text(locale.value)]
    for (const f of err.fields) {
      if (shownAtInput(f.field)) continue
      const s = fieldText(f, locale.value)
      if (s && !texts.includes(s)) texts.push(s)
    }
    return texts.join(' · ')
  }

  return { error, set, clear, clearField, feedback, status, summary, message, headline }
}
