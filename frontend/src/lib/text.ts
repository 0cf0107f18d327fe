/** Lower-case, without Vietnamese diacritics (đ → d): for matching what people type. */
export function fold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase()
}

/** Option filter for n-select that ignores case and diacritics. */
export function foldFilter(pattern: string, option: { label?: unknown }): boolean {
  const label = typeof option.label === 'string' ? option.label : ''
  return fold(label).includes(fold(pattern.trim()))
}
