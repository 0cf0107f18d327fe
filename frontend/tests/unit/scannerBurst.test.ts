import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ScannerBurstDetector, findCardText, looksLikeCardTextStart } from '../../src/composables/scannerBurst'

const CARD =
  '082095001234|123456789|Nguyễn Văn Dũng|15031995|Nam|Ấp Tân Hòa, Xã Tân Mỹ Chánh, Thành phố Mỹ Tho, Tiền Giang|20042021'

// A tiny model of what a browser does with a keystroke in a text field: keydown, then
// (unless prevented) beforeinput, the text insertion at the caret, input, and keyup.
function insertAtCaret(el: HTMLInputElement, text: string): void {
  const start = el.selectionStart ?? el.value.length
  const end = el.selectionEnd ?? start
  el.value = el.value.slice(0, start) + text + el.value.slice(end)
  el.setSelectionRange(start + text.length, start + text.length)
  el.dispatchEvent(new Event('input', { bubbles: true }))
}

function beforeInput(el: HTMLInputElement, data: string): void {
  const bi = new InputEvent('beforeinput', { inputType: 'insertText', data, bubbles: true, cancelable: true })
  el.dispatchEvent(bi)
  if (!bi.defaultPrevented) insertAtCaret(el, data)
}

function press(el: HTMLInputElement, key: string): KeyboardEvent {
  const down = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true })
  el.dispatchEvent(down)
  if (!down.defaultPrevented && key.length === 1) beforeInput(el, key)
  el.dispatchEvent(new KeyboardEvent('keyup', { key, bubbles: true }))
  return down
}

// Like Playwright's keyboard.type: US-keyboard characters are keystrokes, others arrive
// as keyless text insertions.
function typeText(el: HTMLInputElement, text: string, delay: number): void {
  for (const ch of text) {
    if (/^[\x20-\x7e]$/.test(ch)) press(el, ch)
    else beforeInput(el, ch)
    vi.advanceTimersByTime(delay)
  }
}

describe('looksLikeCardTextStart', () => {
  it('accepts digits and digits followed by a pipe', () => {
    expect(looksLikeCardTextStart('0')).toBe(true)
    expect(looksLikeCardTextStart('082095001234')).toBe(true)
    expect(looksLikeCardTextStart('082095001234|')).toBe(true)
    expect(looksLikeCardTextStart('123456789|x')).toBe(true)
    expect(looksLikeCardTextStart('0820950012345')).toBe(false)
    expect(looksLikeCardTextStart('ab')).toBe(false)
    expect(looksLikeCardTextStart('1a')).toBe(false)
  })
})

describe('findCardText', () => {
  it('finds where a card text starts', () => {
    expect(findCardText(CARD)).toBe(0)
    expect(findCardText('Nguyen ' + CARD)).toBe(7)
    expect(findCardText('x123456789|')).toBe(1)
    expect(findCardText('0912345678')).toBe(-1)
    expect(findCardText('12345678|x')).toBe(-1)
    expect(findCardText('1234567890123|x')).toBe(-1)
  })
})

describe('ScannerBurstDetector', () => {
  let input: HTMLInputElement
  let bursts: string[]
  let detector: ScannerBurstDetector
  let bubbledKeys: string[]
  let inputEvents: number
  let enabled: boolean

  beforeEach(() => {
    vi.useFakeTimers()
    vi.setSystemTime(new Date('2025-06-01T08:00:00Z'))
    document.body.innerHTML = '<form id="f"><input id="name" type="text"><textarea id="note"></textarea></form>'
    input = document.getElementById('name') as HTMLInputElement
    input.focus()
    bursts = []
    bubbledKeys = []
    inputEvents = 0
    enabled = true
    document.getElementById('f')!.addEventListener('keydown', (e) => bubbledKeys.push(e.key))
    input.addEventListener('input', () => inputEvents++)
    detector = new ScannerBurstDetector({
      onBurst: (t) => bursts.push(t),
      enabled: () => enabled,
    })
    detector.attach(window)
  })

  afterEach(() => {
    detector.detach()
    vi.useRealTimers()
  })

  it('captures a fast burst: nothing of it stays in the field, the text is handed over', () => {
    input.value = 'Ng'
    input.setSelectionRange(2, 2)
    vi.advanceTimersByTime(1000)
    typeText(input, CARD, 5)
    const enter = press(input, 'Enter')

    expect(bursts).toEqual([CARD])
    expect(input.value).toBe('Ng')
    expect(input.value).not.toContain('|')
    // The Enter of the scanner never reaches the form (it would submit it).
    expect(enter.defaultPrevented).toBe(true)
    expect(bubbledKeys).not.toContain('Enter')
    expect(detector.isCapturing).toBe(false)
  })

  it('withholds every character of the burst, the first one included', () => {
    typeText(input, CARD.slice(0, 20), 5)
    expect(input.value).toBe('')
    expect(inputEvents).toBe(0)
    expect(detector.isCapturing).toBe(true)
    press(input, 'Enter')
    expect(input.value).toBe('')
    expect(bursts).toEqual([CARD.slice(0, 20)])
  })

  it('gives a held digit to the field when a letter follows at once', () => {
    typeText(input, '1a', 10)
    expect(input.value).toBe('1a')
    expect(input.selectionStart).toBe(2)
    expect(bursts).toEqual([])
  })

  it('releases held digits before an editing key and a shortcut', () => {
    typeText(input, '12', 5)
    press(input, 'Backspace')
    expect(input.value).toBe('12')
    typeText(input, '3', 5)
    const ctrl = new KeyboardEvent('keydown', { key: 'v', ctrlKey: true, bubbles: true, cancelable: true })
    input.dispatchEvent(ctrl)
    expect(ctrl.defaultPrevented).toBe(false)
    expect(input.value).toBe('123')
  })

  it('a held digit typed over a selection replaces it, as the key would have', () => {
    input.value = '200'
    input.setSelectionRange(0, 3)
    vi.advanceTimersByTime(1000)
    typeText(input, '1', 5)
    vi.advanceTimersByTime(200)
    expect(input.value).toBe('1')
    expect(input.selectionStart).toBe(1)
    input.value = '200'
    input.setSelectionRange(1, 2)
    vi.advanceTimersByTime(1000)
    typeText(input, '57', 5)
    vi.advanceTimersByTime(200)
    expect(input.value).toBe('2570')
  })

  it('respects the maxlength of the field when giving digits back', () => {
    input.maxLength = 4
    typeText(input, '123456', 5)
    vi.advanceTimersByTime(200)
    expect(input.value).toBe('1234')
  })

  it('leaves slow typing untouched, even digits and pipes', () => {
    typeText(input, 'Nguyen 0820 12|3', 120)
    press(input, 'Enter')
    expect(input.value).toBe('Nguyen 0820 12|3')
    expect(bursts).toEqual([])
    expect(bubbledKeys).toContain('Enter')
  })

  it('never holds letters, however fast', () => {
    const down = press(input, 'N')
    expect(down.defaultPrevented).toBe(false)
    expect(input.value).toBe('N')
  })

  it('inserts a slowly typed digit where the caret is', () => {
    input.value = 'Lô  B'
    input.setSelectionRange(3, 3)
    typeText(input, '5', 100)
    expect(input.value).toBe('Lô 5 B')
    expect(input.selectionStart).toBe(4)
  })

  it('leaves fast typing of ordinary words untouched', () => {
    typeText(input, 'Tran Thi', 10)
    expect(input.value).toBe('Tran Thi')
    expect(detector.isCapturing).toBe(false)
    expect(bursts).toEqual([])
  })

  it('gives fast-typed digits back to the field when the typing pauses', () => {
    input.value = 'x'
    input.setSelectionRange(1, 1)
    typeText(input, '12', 10)
    expect(detector.isCapturing).toBe(true)
    vi.advanceTimersByTime(200)
    expect(detector.isCapturing).toBe(false)
    expect(input.value).toBe('x12')
    typeText(input, '3', 100)
    expect(input.value).toBe('x123')
    expect(bursts).toEqual([])
  })

  it('gives fast digits back and lets Enter through when no pipe came', () => {
    typeText(input, '0912345678', 5)
    const enter = press(input, 'Enter')
    expect(input.value).toBe('0912345678')
    expect(enter.defaultPrevented).toBe(false)
    expect(bubbledKeys).toContain('Enter')
    expect(bursts).toEqual([])
  })

  it('hands a malformed burst over without changing the field', () => {
    input.value = 'keep me'
    input.setSelectionRange(7, 7)
    vi.advanceTimersByTime(500)
    typeText(input, '000|garbage|', 5)
    press(input, 'Enter')
    expect(bursts).toEqual(['000|garbage|'])
    expect(input.value).toBe('keep me')
  })

  it('passes Enter without a burst straight through', () => {
    const enter = press(input, 'Enter')
    expect(enter.defaultPrevented).toBe(false)
    expect(bubbledKeys).toEqual(['Enter'])
    expect(bursts).toEqual([])
    expect(inputEvents).toBe(0)
  })

  it('completes a burst from a scanner that sends no Enter', () => {
    typeText(input, CARD, 4)
    expect(bursts).toEqual([])
    vi.advanceTimersByTime(300)
    // still held, not in the field
    expect(input.value).toBe('')
    expect(inputEvents).toBe(0)
    vi.advanceTimersByTime(1000)
    expect(bursts).toEqual([CARD])
    expect(input.value).toBe('')
  })

  it('captures into a textarea too and restores it', () => {
    const note = document.getElementById('note') as unknown as HTMLInputElement
    note.value = 'ghi chú'
    note.focus()
    note.setSelectionRange(7, 7)
    typeText(note, CARD, 5)
    press(note, 'Enter')
    expect(bursts).toEqual([CARD])
    expect(note.value).toBe('ghi chú')
  })

  it('recognises a burst although a hiccup let its first digits land', () => {
    input.value = 'Ng'
    input.setSelectionRange(2, 2)
    vi.advanceTimersByTime(1000)
    typeText(input, CARD.slice(0, 6), 5)
    vi.advanceTimersByTime(80) // the machine stalls: the six digits are given to the field
    expect(input.value).toBe('Ng082095')
    typeText(input, CARD.slice(6), 5)
    press(input, 'Enter')
    expect(bursts).toEqual([CARD])
    expect(input.value).toBe('Ng')
  })

  it('recognises a burst although a hiccup came after the pipe', () => {
    typeText(input, CARD.slice(0, 30), 5)
    vi.advanceTimersByTime(300) // longer than the gap allowed with a pipe held
    typeText(input, CARD.slice(30), 5)
    const enter = press(input, 'Enter')
    expect(enter.defaultPrevented).toBe(true)
    expect(bursts).toEqual([CARD])
    expect(input.value).toBe('')
  })

  it('keeps what a person typed just before the burst', () => {
    typeText(input, 'Lô 5 ', 60)
    typeText(input, CARD, 5)
    press(input, 'Enter')
    expect(bursts).toEqual([CARD])
    expect(input.value).toBe('Lô 5 ')
  })

  it('starts afresh in another field', () => {
    const note = document.getElementById('note') as unknown as HTMLInputElement
    typeText(input, '0820', 5)
    note.focus()
    typeText(note, CARD, 5)
    press(note, 'Enter')
    expect(bursts).toEqual([CARD])
    expect(input.value).toBe('0820')
    expect(note.value).toBe('')
  })

  it('does nothing while disabled', () => {
    enabled = false
    typeText(input, '082095001234|x', 5)
    press(input, 'Enter')
    expect(input.value).toBe('082095001234|x')
    expect(bursts).toEqual([])
  })

  it('stops listening after detach', () => {
    detector.detach()
    typeText(input, '082095001234|x', 5)
    press(input, 'Enter')
    expect(input.value).toBe('082095001234|x')
    expect(bursts).toEqual([])
  })
})
