// The working-day calendar: holidays and adjusted working days per year (city HR enters them).
import { request } from '@/utils/request'
import type { Schemas } from '@/api/schema'

export type CalendarYear = Schemas['CalendarYearOut']
export type CalendarYearIn = Schemas['CalendarYearIn']
export type SpecialDay = Schemas['SpecialDay']

export const getYear = (year: number) => request<CalendarYear>(`/calendar/${year}`)
export const putYear = (year: number, body: CalendarYearIn) =>
  request<Schemas['CalendarYearSavedOut']>(`/calendar/${year}`, { method: 'PUT', body })
