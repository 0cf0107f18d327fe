import type { Printer } from '@/api'

export interface PrinterLabels {
  officeDefault: string
  systemDefault: string
  notFound: string
  notAccepting: string
  state: (s: string) => string
}

// a type alias, not an interface: naive-ui's SelectOption wants an index signature
export type PrinterOption = {
  label: string
  value: string
  disabled?: boolean
}

/**
 * The printer choices: the office default first (even when this computer does not list it:
 * the spooler decides), then the others. Labels say which is the office's and the system's
 * default, and a state other than idle. `listed` is false while the list is not known
 * (loading, or the spooler did not answer): nothing is then said to be missing.
 */
export function printerOptions(
  printers: Printer[],
  officeDefault: string,
  l: PrinterLabels,
  listed = true,
): PrinterOption[] {
  const label = (p: Printer): string => {
    const parts = [p.description && p.description !== p.name ? `${p.name} — ${p.description}` : p.name]
    const notes: string[] = []
    if (p.name === officeDefault) notes.push(l.officeDefault)
    if (p.default) notes.push(l.systemDefault)
    if (!p.accepting) notes.push(l.notAccepting)
    else if (p.state && p.state !== 'idle' && p.state !== 'printing') notes.push(l.state(p.state))
    if (notes.length) parts.push(`(${notes.join(', ')})`)
    return parts.join(' ')
  }
  const sorted = [...printers].sort((a, b) => {
    const rank = (p: Printer) => (p.name === officeDefault ? 0 : p.default ? 1 : 2)
    return rank(a) - rank(b) || a.name.localeCompare(b.name)
  })
  const out: PrinterOption[] = sorted.map((p) => ({ label: label(p), value: p.name }))
  if (officeDefault && !printers.some((p) => p.name === officeDefault)) {
    const note = listed ? `${l.officeDefault}, ${l.notFound}` : l.officeDefault
    out.unshift({ label: `${officeDefault} (${note})`, value: officeDefault })
  }
  return out
}

/** The printer chosen when the dialog opens: the office default, else the system's, else the first. */
export function initialPrinter(printers: Printer[], officeDefault: string): string {
  if (officeDefault) return officeDefault
  return printers.find((p) => p.default)?.name ?? printers[0]?.name ?? ''
}
