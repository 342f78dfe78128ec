// The API's types, generated from its OpenAPI document (api-types.ts: `python -m tests.support.contract`
// writes it, a test fails when it is stale). Pages name a reply by its schema: Schemas['NoticesOut'].
import type { components } from './api-types'

export type Schemas = components['schemas']

/** A list reply: one page of items, how many there are in all, and the page asked for. */
export interface Page<T> {
  items: T[]
  total: number
  limit: number
  offset: number
}
