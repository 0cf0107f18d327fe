// Recognises the text a USB 2D scanner in keyboard mode "types" when it reads the QR of a
// chip-based citizen ID card (CCCD): `ID|old ID|name|ddmmyyyy|Nam/Nữ|address|ddmmyyyy`,
// ~100–200 characters a few milliseconds apart, then Enter — into whatever field has the
// focus. The detector listens in the capture phase:
//   * A digit typed after a pause is held back (a card text starts with its ID number), and
//     so is every character that follows within `maxInterval` ms while the run still looks
//     like a card text (up to 12 digits, then '|' and anything): keystrokes and keyless text
//     insertions (IME commits, synthetic insertText) alike (preventDefault + stopPropagation).
//     Nothing of a burst lands in a field, and the page does not re-render mid-burst.
//   * Held characters that turn out to be a person typing (a pause, a character no card text
//     has there, an editing key) are given to the field as if typed, a few ms late.
//   * On Enter (or Tab, or a long pause), if what was typed into the field since typing
//     started there contains a card text — even when a hiccup of the machine let part of
//     it land — the key is swallowed, the field is put back as it was before the card text
//     began, and the card text is handed over.
// Letters and other characters a person types are never touched.

import { onBeforeUnmount, onMounted } from 'vue'

export interface BurstDetectorOptions {
  /** Called with the complete scanned text (without the final Enter). */
  onBurst: (text: string) => void
  /** Max gap (ms) between characters held as a possible burst (before any '|'). */
  maxInterval?: number
  /** Max gap (ms) once the held text contains a '|' (nobody types '|' into this form). */
  maxIntervalWithPipe?: number
  /** A typing session (what the recovery looks at) ends after this pause (ms). */
  sessionGap?: number
  /** A card text not followed by Enter is taken after this pause (ms). */
  idleFinish?: number
  /** Clock in ms; injectable for tests. */
  now?: () => number
  /** The detector does nothing while this returns false. */
  enabled?: () => boolean
}

type TextField = HTMLInputElement | HTMLTextAreaElement

interface Snapshot {
  el: TextField | null
  value: string
  start: number
  end: number
}

const MODIFIER_KEYS = new Set(['Shift', 'Control', 'Alt', 'AltGraph', 'Meta', 'CapsLock', 'NumLock', 'OS'])

/** A prefix of a card text: up to 12 digits, or 1–12 digits followed by '|' and anything. */
export function looksLikeCardTextStart(s: string): boolean {
  return /^\d{1,12}(\|[\s\S]*)?$/.test(s)
}

/**
 * Where a card text starts in s (9–12 digits, not preceded by a digit, then '|'), or -1.
 */
export function findCardText(s: string): number {
  const re = /\d{9,12}\|/g
  let m: RegExpExecArray | null
  while ((m = re.exec(s)) !== null) {
    if (m.index === 0 || !/\d/.test(s[m.index - 1] ?? '')) return m.index
    re.lastIndex = m.index + 1
  }
  return -1
}

function asTextField(t: EventTarget | null): TextField | null {
  if (typeof HTMLInputElement !== 'undefined' && t instanceof HTMLInputElement) return t
  if (typeof HTMLTextAreaElement !== 'undefined' && t instanceof HTMLTextAreaElement) return t
  return null
}

function setFieldValue(el: TextField, value: string, caret: number): void {
  el.value = value
  try {
    el.setSelectionRange(caret, caret)
  } catch {
    // some input types have no selection
  }
  el.dispatchEvent(new Event('input', { bubbles: true }))
}

export class ScannerBurstDetector {
  private readonly onBurst: (text: string) => void
  private readonly maxInterval: number
  private readonly maxIntervalWithPipe: number
  private readonly sessionGap: number
  private readonly idleFinish: number
  private readonly now: () => number
  private readonly enabled: () => boolean

  /** The field as it was when typing into it started, or null when no session. */
  private snapshot: Snapshot | null = null
  /** Everything typed in this session, landed or held, in order. */
  private text = ''
  /** How many characters at the end of `text` are held back (not in the field). */
  private held = 0
  private lastAt = Number.NEGATIVE_INFINITY
  private holdTimer: ReturnType<typeof setTimeout> | null = null
  private idleTimer: ReturnType<typeof setTimeout> | null = null
  /** A printable key let through: its own beforeinput is not new text. */
  private echo: string | null = null
  private target: EventTarget | null = null

  constructor(opts: BurstDetectorOptions) {
    this.onBurst = opts.onBurst
    this.maxInterval = opts.maxInterval ?? 35
    this.maxIntervalWithPipe = opts.maxIntervalWithPipe ?? 150
    this.sessionGap = opts.sessionGap ?? 600
    this.idleFinish = opts.idleFinish ?? 700
    this.now = opts.now ?? (() => Date.now())
    this.enabled = opts.enabled ?? (() => true)
  }

  /** True while characters are being held back. */
  get isCapturing(): boolean {
    return this.held > 0
  }

  attach(target: EventTarget): void {
    this.detach()
    this.target = target
    target.addEventListener('keydown', this.onKeydown, true)
    target.addEventListener('keyup', this.onKeyup, true)
    target.addEventListener('beforeinput', this.onBeforeInput, true)
    target.addEventListener('mousedown', this.onPointer, true)
  }

  detach(): void {
    if (this.target) {
      this.target.removeEventListener('keydown', this.onKeydown, true)
      this.target.removeEventListener('keyup', this.onKeyup, true)
      this.target.removeEventListener('beforeinput', this.onBeforeInput, true)
      this.target.removeEventListener('mousedown', this.onPointer, true)
      this.target = null
    }
    this.reset()
  }

  private readonly onKeydown = (e: Event): void => {
    if (e instanceof KeyboardEvent) this.handleKeydown(e)
  }

  private readonly onKeyup = (): void => {
    this.echo = null
  }

  private readonly onBeforeInput = (e: Event): void => {
    this.handleBeforeInput(e as InputEvent)
  }

  // A click may move the caret or the focus: whatever was held goes where it belongs.
  private readonly onPointer = (): void => {
    this.endSession()
  }

  handleKeydown(e: KeyboardEvent): void {
    if (!this.enabled() || e.isComposing) return
    const key = e.key
    this.echo = null

    if (key === 'Enter' || key === 'Tab') {
      if (this.finishIfCard()) this.swallow(e)
      else this.endSession()
      return
    }

    if (key.length !== 1) {
      if (MODIFIER_KEYS.has(key)) return
      this.endSession() // Backspace, arrows, ...: a person is editing
      return
    }

    const altGr = e.ctrlKey && e.altKey
    if (e.altKey && !altGr && !e.metaKey) {
      if (this.held > 0) {
        // Alt+numpad character entry of some scanners: keep the burst alive, the
        // resulting character arrives as text input.
        this.swallow(e)
        this.lastAt = this.now()
        this.scheduleHold()
      }
      return
    }
    if ((e.ctrlKey || e.metaKey) && !altGr) {
      this.endSession() // a shortcut (copy, paste, ...): a person at work
      return
    }

    if (this.take(key, e)) return
    // Let it land; its beforeinput echo is not new text.
    this.echo = key
  }

  handleBeforeInput(e: InputEvent): void {
    if (!this.enabled() || !e.inputType.startsWith('insert')) return
    const data = e.data
    if (!data) return
    if (this.echo !== null && data === this.echo) {
      this.echo = null
      return
    }
    // Text without a keystroke: an IME commit, an Alt-code, a synthetic insertion.
    this.take(data, e)
  }

  /** Processes one piece of typed text; returns true when it was held back. */
  private take(text: string, e: Event): boolean {
    const t = this.now()
    const field = asTextField(e.target) ?? this.activeField()
    if (this.snapshot && (t - this.lastAt > this.sessionGap || field !== this.snapshot.el)) this.endSession()
    if (!this.snapshot) this.startSession(field)

    const gap = t - this.lastAt
    this.lastAt = t
    this.scheduleIdle()

    if (this.held > 0) {
      const heldText = this.text.slice(this.text.length - this.held)
      const limit = heldText.includes('|') ? this.maxIntervalWithPipe : this.maxInterval
      if (gap <= limit && looksLikeCardTextStart(heldText + text) && e.cancelable) {
        this.hold(text, e)
        return true
      }
      // A pause, or text no card has there: what was held goes to the field.
      this.release()
    }

    if (/^\d$/.test(text) && e.cancelable) {
      // A card text starts with its ID digits. Hold the digit: if another follows within
      // maxInterval it may be a scanner; if not, it is given to the field a moment later.
      this.hold(text, e)
      return true
    }
    this.text += text
    return false
  }

  private hold(text: string, e: Event): void {
    this.swallow(e)
    this.text += text
    this.held += text.length
    this.scheduleHold()
  }

  private activeField(): TextField | null {
    return asTextField(typeof document !== 'undefined' ? document.activeElement : null)
  }

  private startSession(el: TextField | null): void {
    let start = el?.value.length ?? 0
    let end = start
    if (el) {
      try {
        start = el.selectionStart ?? start
        end = el.selectionEnd ?? start
      } catch {
        // no selection API for this input type
      }
    }
    this.snapshot = { el, value: el?.value ?? '', start, end }
    this.text = ''
    this.held = 0
  }

  private swallow(e: Event): void {
    if (e.cancelable) e.preventDefault()
    e.stopImmediatePropagation()
  }

  private scheduleHold(): void {
    if (this.holdTimer !== null) clearTimeout(this.holdTimer)
    this.holdTimer = null
    // Held text with a '|' is a card text: it stays held until Enter or the idle timer.
    if (this.text.slice(this.text.length - this.held).includes('|')) return
    this.holdTimer = setTimeout(() => {
      this.holdTimer = null
      this.release()
    }, this.maxInterval + 15)
  }

  private scheduleIdle(): void {
    if (this.idleTimer !== null) clearTimeout(this.idleTimer)
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null
      // A scanner that sends no Enter: take the card text once the keys stop.
      if (!this.finishIfCard()) this.endSession()
    }, this.idleFinish)
  }

  private clearTimers(): void {
    if (this.holdTimer !== null) clearTimeout(this.holdTimer)
    if (this.idleTimer !== null) clearTimeout(this.idleTimer)
    this.holdTimer = null
    this.idleTimer = null
  }

  /** If this session's text contains a card text, hands it over and cleans the field. */
  private finishIfCard(): boolean {
    const snap = this.snapshot
    if (!snap) return false
    let p = findCardText(this.text)
    // A fast run starting with digits and holding a '|' is a (maybe malformed) card text too.
    if (p < 0 && this.held > 0 && this.text.slice(this.text.length - this.held).includes('|')) {
      p = this.text.length - this.held
    }
    if (p < 0) return false
    const card = this.text.slice(p)
    // The field gets what was typed before the card text, and nothing of the card.
    const before = this.text.slice(0, p)
    if (snap.el) {
      const value = snap.value.slice(0, snap.start) + before + snap.value.slice(snap.end)
      if (snap.el.value !== value) setFieldValue(snap.el, value, snap.start + before.length)
    }
    this.reset()
    this.onBurst(card)
    return true
  }

  /** Gives the held characters to the field, where they would have landed. */
  private release(): void {
    if (this.holdTimer !== null) {
      clearTimeout(this.holdTimer)
      this.holdTimer = null
    }
    const snap = this.snapshot
    const n = this.held
    this.held = 0
    if (!snap || n === 0 || !snap.el) return
    const el = snap.el
    let insert = this.text.slice(this.text.length - n)
    const landed = this.text.length - n
    // Where the caret is after what already landed in this session.
    const caret = snap.start + landed
    const current = el.value
    const max = el.maxLength
    if (max > 0) insert = insert.slice(0, Math.max(0, max - current.length))
    const at = Math.min(caret, current.length)
    // The first characters of a session replace what was selected when it began (select-all,
    // then type), as the keys would have; later ones insert at the caret.
    const untouched = landed === 0 && snap.end > snap.start && current === snap.value && document.activeElement === el &&
      el.selectionStart === snap.start && el.selectionEnd === snap.end
    const upTo = untouched ? snap.end : at
    setFieldValue(el, current.slice(0, at) + insert + current.slice(upTo), at + insert.length)
  }

  private endSession(): void {
    this.release()
    this.reset()
  }

  private reset(): void {
    this.clearTimers()
    this.snapshot = null
    this.text = ''
    this.held = 0
    this.echo = null
    this.lastAt = Number.NEGATIVE_INFINITY
  }
}

/**
 * Installs a ScannerBurstDetector on the window while the calling component is mounted.
 */
export function useScannerBurst(
  onBurst: (text: string) => void,
  opts: Omit<BurstDetectorOptions, 'onBurst'> = {},
): ScannerBurstDetector {
  const detector = new ScannerBurstDetector({ ...opts, onBurst })
  onMounted(() => detector.attach(window))
  onBeforeUnmount(() => detector.detach())
  return detector
}
