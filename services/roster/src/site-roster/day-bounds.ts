/**
 * A calendar day at the sites, as [start, end) instants. Thailand keeps UTC+7 all year (no
 * daylight saving), so the offset is fixed; a campaign in another zone would pass its own.
 */
export function dayBounds(date: string, utcOffset = '+07:00'): { from: Date; to: Date } {
  const from = new Date(`${date}T00:00:00${utcOffset}`);
  if (Number.isNaN(from.getTime())) throw new RangeError(`not a date: ${date}`);
  return { from, to: new Date(from.getTime() + 86_400_000) };
}
