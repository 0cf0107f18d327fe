import { describe, expect, it } from 'vitest'
import { recogniseCardText } from '../../src/lib/cardText'

const DUNG =
  '082095001234|123456789|Nguyễn Văn Dũng|15031995|Nam|Ấp Tân Hòa, Xã Tân Mỹ Chánh, Thành phố Mỹ Tho, Tiền Giang|20042021'

describe('recogniseCardText', () => {
  it('reads a CCCD QR text', () => {
    expect(recogniseCardText(DUNG)).toEqual({
      idNumber: '082095001234',
      oldIdNumber: '123456789',
      fullName: 'Nguyễn Văn Dũng',
      birthDate: '1995-03-15',
      gender: 'male',
      address: 'Ấp Tân Hòa, Xã Tân Mỹ Chánh, Thành phố Mỹ Tho, Tiền Giang',
    })
  })

  it('reads a card without an old ID number, a woman, decomposed diacritics', () => {
    const r = recogniseCardText('082190004321||Tra\u0302\u0300n Thi\u0323 Mai|01021990|Nữ|Ấp Tân Hòa|05062021')
    expect(r).toMatchObject({ idNumber: '082190004321', oldIdNumber: '', fullName: 'Trần Thị Mai', gender: 'female' })
  })

  it('keeps a card whose birth date is unreadable (the backend says why)', () => {
    expect(recogniseCardText('082095001234||Lê Văn A|31021995|Nam|X|01012021')?.birthDate).toBe('')
  })

  it.each([
    ['a name typed into a search box', 'nguyen van dung'],
    ['an ID number alone', '082095001234'],
    ['a permit QR', 'GDD1:6BFOXN*TS0BI$ZDFRH'],
    ['too few fields', '082095001234|123456789|Nguyễn Văn Dũng'],
    ['a bad ID', '08209500|123456789|Nguyễn Văn Dũng|15031995|Nam|X|20042021'],
    ['digits as the name', '082095001234|123456789|12345|15031995|Nam|X|20042021'],
    ['a bad old ID', '082095001234|12ab|Nguyễn Văn Dũng|15031995|Nam|X|20042021'],
  ])('refuses %s', (_what, text) => {
    expect(recogniseCardText(text)).toBeNull()
  })
})
