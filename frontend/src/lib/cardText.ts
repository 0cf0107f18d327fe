// The text a CCCD (citizen ID card) QR holds, as a keyboard-mode scanner types it:
// "ID|old ID|full name|ddMMyyyy birth|Nam/Nữ|address|ddMMyyyy issued". Recognising it here
// only decides where a scan goes (which citizen, which screen); the backend parses and
// checks it (ApplicationService.ParseCCCDQR) before anything is filled. Pure.

import { parseTypedDate } from './typedDate'

export interface CardText {
  idNumber: string
  oldIdNumber: string
  fullName: string
  /** YYYY-MM-DD, or '' when the card's date is unreadable. */
  birthDate: string
  gender: 'male' | 'female' | ''
  address: string
}

/** The card text in s, or null when s is not one (a person's typing, a permit's QR, …). */
export function recogniseCardText(s: string): CardText | null {
  const parts = s.replace(/\r?\n$/, '').split('|')
  if (parts.length < 6 || parts.length > 8) return null
  const [id = '', oldId = '', name = '', birth = '', gender = '', address = ''] = parts.map((p) => p.trim())
  if (!/^\d{12}$/.test(id) && !/^\d{9}$/.test(id)) return null
  if (oldId !== '' && !/^\d{9}$/.test(oldId)) return null
  if (name === '' || /\d/.test(name)) return null
  const b = parseTypedDate(birth)
  const g = gender.normalize('NFC').toLowerCase()
  return {
    idNumber: id,
    oldIdNumber: oldId,
    fullName: name.normalize('NFC'),
    birthDate: b.kind === 'date' ? b.iso : '',
    gender: g === 'nam' ? 'male' : g === 'nữ' || g === 'nu' ? 'female' : '',
    address: address.normalize('NFC'),
  }
}
