/**
 * A clinic list's items as the list query returns them: one text of comma-separated item JSON
 * objects, each opening with its rank (see the high-risk list route in ./scoring.ts).
 */
/** The text that opens each list item: the query writes it first, then the item's rank. */
export const ITEM_START = '{"rank":';

/**
 * The page's items, comma-separated as the list query aggregated them, in rank order. The
 * aggregate keeps the order its rows arrive in, which is the page's order; should that ever
 * differ, the items are put back in rank order here (an ORDER BY inside the aggregate would sort
 * the whole page, 3 MB of it, a second time on every call). An item starts exactly where
 * `{"rank":` stands after a comma or at the start: inside JSON strings every `"` is escaped.
 */
export function itemsInRankOrder(items: string, firstRank: number, count: number): string {
  let at = 0;
  for (let rank = firstRank; rank < firstRank + count; rank++) {
    if (!items.startsWith(`${ITEM_START}${rank},`, at)) return sortByRank(items);
    at = items.indexOf(`,${ITEM_START}`, at + ITEM_START.length) + 1;
  }
  return items;
}

function sortByRank(items: string): string {
  const starts = [0];
  for (let at = items.indexOf(`,${ITEM_START}`); at >= 0; at = items.indexOf(`,${ITEM_START}`, at + 1)) starts.push(at + 1);
  const pieces = starts.map((from, i) => items.slice(from, i + 1 < starts.length ? starts[i + 1]! - 1 : items.length));
  const rankOf = (item: string) => parseInt(item.slice(ITEM_START.length), 10);
  return pieces.sort((x, y) => rankOf(x) - rankOf(y)).join(',');
}
