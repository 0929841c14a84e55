/** Cursor pagination shared by every list endpoint of the v1 API. */
import { z } from 'zod';

/** Largest page a client may ask for; bounds response size and query cost. */
export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 100;

/** `?limit=&cursor=`: query-string values arrive as text, hence the coercion. */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  /** Opaque cursor returned as `nextCursor` by the previous page. */
  cursor: z.string().min(1).max(512).optional(),
});

export type PageQuery = z.infer<typeof PageQuery>;

/** A page of `item`s; `nextCursor` is null on the last page. */
export function Page<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    nextCursor: z.string().nullable(),
  });
}
