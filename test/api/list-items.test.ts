import { describe, expect, it } from 'vitest';
import { itemsInRankOrder } from '../../src/api/routes/list-items.ts';

const item = (rank: number, memberId: string, reason = 'ok') => JSON.stringify({ rank, risk: 0.5, memberId, reasons: [reason] });

describe('a clinic list page from its aggregated items', () => {
  it('keeps items that arrive in rank order as they are', () => {
    const text = [item(6, 'M-1'), item(7, 'M-2'), item(8, 'M-3')].join(',');
    expect(itemsInRankOrder(text, 6, 3)).toBe(text);
  });

  it('puts items that arrive out of order back in rank order, each item whole', () => {
    const items = [item(1, 'M-1'), item(2, 'M-2'), item(3, 'M-3'), item(4, 'M-4')];
    const shuffled = [items[2], items[0], items[3], items[1]].join(',');
    const sorted = itemsInRankOrder(shuffled, 1, 4);
    expect(sorted).toBe(items.join(','));
    expect(JSON.parse(`[${sorted}]`).map((i: { memberId: string }) => i.memberId)).toEqual(['M-1', 'M-2', 'M-3', 'M-4']);
  });

  it('is not misled by text inside an item that looks like an item start', () => {
    // Inside a JSON string the quotes are escaped, so `,{"rank":` cannot occur there.
    const tricky = item(2, 'M-2', 'see ,{"rank":1, elsewhere');
    const text = [tricky, item(1, 'M-1')].join(',');
    expect(JSON.parse(`[${itemsInRankOrder(text, 1, 2)}]`).map((i: { rank: number }) => i.rank)).toEqual([1, 2]);
    expect(itemsInRankOrder([item(1, 'M-1'), tricky].join(','), 1, 2)).toBe([item(1, 'M-1'), tricky].join(','));
  });

  it('treats a missing rank as out of order', () => {
    const text = [item(1, 'M-1'), item(3, 'M-3')].join(',');
    // Ranks 1 and 3 for a page said to hold 1..2: sorted (a no-op here), never trusted blindly.
    expect(itemsInRankOrder(text, 1, 2)).toBe(text);
    expect(itemsInRankOrder('', 1, 0)).toBe('');
  });
});
