import { formatBangkokTime, formatThaiDate, ucs2Segments } from '@khiw/thai';
import type { BookingConfirmedEvent } from '@khiw/contracts';

/** A confirmation must fit in two UCS-2 segments (134 characters); site names are shortened to fit. */
export const MAX_CONFIRMATION_SEGMENTS = 2;

export function confirmationText(event: BookingConfirmedEvent): string {
  const { appointment, reference } = event.data;
  const startsAt = new Date(appointment.startsAt);
  const render = (site: string) =>
    `ยืนยันนัดฉีดวัคซีน ${site} วันที่ ${formatThaiDate(startsAt, { lang: 'th' })} เวลา ${formatBangkokTime(startsAt)} น. รหัส ${reference} กรุณานำบัตรประชาชนมาด้วย`;
  let site = appointment.siteName.th;
  let text = render(site);
  while (ucs2Segments(text) > MAX_CONFIRMATION_SEGMENTS && site.length > 8) {
    site = `${site.slice(0, site.length - 2)}…`.replace(/…+/g, '…');
    text = render(site);
  }
  return text;
}
