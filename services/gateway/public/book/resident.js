// What a resident types, checked in the browser the way the gateway checks it (the gateway
// has the last word): Thai citizen ID with its check digit, Thai mobile, birth date.

const THAI_DIGITS = /[\u0E50-\u0E59]/g;
const arabic = (s) => String(s ?? '').replace(THAI_DIGITS, (d) => String(d.charCodeAt(0) - 0x0e50));

/** Only the digits, Thai digits turned Arabic ('1-2345 ๖…' → '12345 6…' without separators). */
export const digitsOf = (s) => arabic(s).replace(/\D/g, '');

/** The 13th digit: sum of digit[i]*(13-i) for the first twelve, then (11 - sum % 11) % 10. */
export function checkDigit(first12) {
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(first12[i]) * (13 - i);
  return (11 - (sum % 11)) % 10;
}

/** 'short' (n digits missing), 'bad' (13 digits, wrong check digit), 'ok', or 'long'. */
export function citizenIdState(input) {
  const digits = digitsOf(input);
  if (digits.length < 13) return { state: 'short', missing: 13 - digits.length, digits };
  if (digits.length > 13) return { state: 'long', digits };
  return { state: checkDigit(digits) === Number(digits[12]) ? 'ok' : 'bad', digits };
}

/** '1-2345-67890-12-3': the grouping printed on the card, as the resident types. */
export function groupCitizenId(digits) {
  const cuts = [1, 5, 10, 12, 13];
  const parts = [];
  let from = 0;
  for (const to of cuts) {
    if (digits.length <= from) break;
    parts.push(digits.slice(from, to));
    from = to;
  }
  return parts.join('-');
}

/** E.164 for a Thai mobile (06/08/09 + 8 digits, or +66 forms), or null. */
export function thaiMobile(input) {
  const compact = arabic(input)
    .trim()
    .replace(/[\s\-.()]/g, '');
  const international = /^\+?66(0?)(\d{9})$/.exec(compact);
  const national = international ? `0${international[2]}` : compact;
  return /^0[689]\d{8}$/.test(national) ? `+66${national.slice(1)}` : null;
}

/** A real date in the past, 'YYYY-MM-DD'. Years above 2400 are Buddhist era typed by hand: rejected. */
export function validBirthDate(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value ?? '');
  if (!m) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return (
    !Number.isNaN(date.getTime()) &&
    date.toISOString().slice(0, 10) === value &&
    Number(m[1]) >= 1900 &&
    date.getTime() <= Date.now()
  );
}

/** Thai province names by their 2-digit code (TIS 1099), for the house-registration declaration. */
const PROVINCES =
  '10กรุงเทพมหานคร,11สมุทรปราการ,12นนทบุรี,13ปทุมธานี,14พระนครศรีอยุธยา,' +
  '15อ่างทอง,16ลพบุรี,17สิงห์บุรี,18ชัยนาท,19สระบุรี,20ชลบุรี,21ระยอง,' +
  '22จันทบุรี,23ตราด,24ฉะเชิงเทรา,25ปราจีนบุรี,26นครนายก,27สระแก้ว,' +
  '30นครราชสีมา,31บุรีรัมย์,32สุรินทร์,33ศรีสะเกษ,34อุบลราชธานี,35ยโสธร,' +
  '36ชัยภูมิ,37อำนาจเจริญ,38บึงกาฬ,39หนองบัวลำภู,40ขอนแก่น,41อุดรธานี,' +
  '42เลย,43หนองคาย,44มหาสารคาม,45ร้อยเอ็ด,46กาฬสินธุ์,47สกลนคร,48นครพนม,' +
  '49มุกดาหาร,50เชียงใหม่,51ลำพูน,52ลำปาง,53อุตรดิตถ์,54แพร่,55น่าน,' +
  '56พะเยา,57เชียงราย,58แม่ฮ่องสอน,60นครสวรรค์,61อุทัยธานี,62กำแพงเพชร,' +
  '63ตาก,64สุโขทัย,65พิษณุโลก,66พิจิตร,67เพชรบูรณ์,70ราชบุรี,71กาญจนบุรี,' +
  '72สุพรรณบุรี,73นครปฐม,74สมุทรสาคร,75สมุทรสงคราม,76เพชรบุรี,' +
  '77ประจวบคีรีขันธ์,80นครศรีธรรมราช,81กระบี่,82พังงา,83ภูเก็ต,' +
  '84สุราษฎร์ธานี,85ระนอง,86ชุมพร,90สงขลา,91สตูล,92ตรัง,93พัทลุง,' +
  '94ปัตตานี,95ยะลา,96นราธิวาส';

export function provinceName(code) {
  return new RegExp(`(?:^|,)${code}([^,]+)`).exec(PROVINCES)?.[1] ?? null;
}

/** The access token's claims, read without verifying (the gateway verifies). */
export function tokenClaims(token) {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = decodeURIComponent(
      [...window.atob(payload)].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join(''),
    );
    return JSON.parse(json);
  } catch {
    return null;
  }
}
