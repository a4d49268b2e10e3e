// What a third-party app may ask for, in words an admin reads: its permissions and the fields
// of a user's data it asks consent to (as `data.<field>`, the way a district approves them).

import { currentLocale } from "../common/i18n";

const ASKS: Record<string, [string, string]> = {
  "profile.read": ["读取用户同意提供的个人信息", "Read the data a user agreed to share"],
  "notify.send": ["向用户发送模板通知", "Send users template notifications"],
  "data.name": ["姓名", "Name"],
  "data.phone": ["手机号", "Phone number"],
  "data.id_card": ["身份证号", "ID card number"],
  "data.district": ["所在区县", "District"],
  "data.notifications": ["接收通知", "Being sent notifications"],
};

/** An ask (`profile.read`, `data.name`) in words; the ask itself when it is new to us. */
export function askName(ask: string): string {
  const pair = ASKS[ask];
  return pair ? pair[currentLocale() === "en" ? 1 : 0] : ask;
}

/** A field of a user's data (`name`) in words. */
export const fieldName = (field: string): string => askName(`data.${field}`);

/** An app's name in the page's locale, the Chinese one when it has no other. */
export function appName(names: { "zh-CN": string; en?: string | null }): string {
  return (currentLocale() === "en" ? names.en : null) ?? names["zh-CN"];
}
