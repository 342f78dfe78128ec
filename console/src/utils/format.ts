// Display helpers: dates and times in Asia/Shanghai as the API sends them, rates as percents.
export function percent(rate: string | number | null | undefined): string {
  if (rate === null || rate === undefined || rate === '') return '—'
  return (Number(rate) * 100).toFixed(1) + '%'
}

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—'
  return iso.replace('T', ' ').slice(0, 16)
}

export function timeOnly(iso: string): string {
  return iso.slice(11, 16)
}
