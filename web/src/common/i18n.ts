// The pages' own words in Yimen's two locales (zh-CN first, en). What the API says, tile
// titles and problem titles, comes localised from the API itself (Accept-Language).

export type Locale = "zh-CN" | "en";

const KEY = "yimen.locale";

export function currentLocale(): Locale {
  const chosen = localStorage.getItem(KEY);
  if (chosen === "zh-CN" || chosen === "en") return chosen;
  return navigator.language.toLowerCase().startsWith("en") ? "en" : "zh-CN";
}

export function chooseLocale(locale: Locale): void {
  localStorage.setItem(KEY, locale);
  document.documentElement.lang = locale;
}

const WORDS = {
  appName: ["一门", "Yimen"],
  consoleName: ["一门 · 治理台", "Yimen · Governance console"],
  phone: ["手机号", "Phone number"],
  code: ["验证码", "One-time code"],
  sendCode: ["获取验证码", "Send code"],
  logIn: ["登录", "Log in"],
  logOut: ["退出登录", "Log out"],
  codeSentTo: ["验证码已发送，有效期（分钟）：", "The code is on its way; minutes it works for: "],
  devCode: ["开发环境验证码：", "Development code: "],
  sessionEnded: ["登录已过期，请重新登录", "Your session ended; please log in again"],
  networkError: ["网络连接失败，请稍后重试", "Could not reach Yimen; try again shortly"],
  unreadable: ["服务暂时不可用", "The service answered something unexpected"],
  home: ["首页", "Home"],
  inbox: ["消息", "Inbox"],
  me: ["我的", "Me"],
  back: ["返回", "Back"],
  elderMode: ["长辈模式", "Elder mode"],
  language: ["语言", "Language"],
  markAllRead: ["全部已读", "Mark all read"],
  noMessages: ["暂无消息", "No messages"],
  unread: ["未读", "unread"],
  notBuiltHere: ["该服务请在手机应用中使用", "Use this service in the phone app"],
  report: ["上报事件", "Report an event"],
  myReports: ["我的上报", "My reports"],
  queue: ["待办事件", "Event queue"],
  category: ["类别", "Category"],
  description: ["描述", "Description"],
  address: ["地址", "Address"],
  useLocation: ["使用当前位置", "Use where I am"],
  pickPlace: ["或选择所在社区", "Or pick the community"],
  locationTaken: ["已获取位置", "Location taken"],
  locationRefused: ["无法获取位置，请填写地址", "No location; please give the address"],
  photo: ["照片", "Photo"],
  submit: ["提交", "Submit"],
  reported: ["已上报，事件编号 ", "Reported, event number "],
  timeline: ["处理进度", "Timeline"],
  deadline: ["办理时限", "Due"],
  reason: ["说明", "Note"],
  noEvents: ["暂无事件", "No events"],
  state: ["状态", "State"],
  all: ["全部", "All"],
  refresh: ["刷新", "Refresh"],
  overdue: ["已超时", "Overdue"],
  kpis: ["考核指标", "Indicators"],
  closureRate: ["结案率", "Closure rate"],
  onTimeRate: ["按时办结率", "On-time rate"],
  events: ["事件", "Events"],
  loading: ["加载中…", "Loading…"],
  handler: ["处置人", "Handler"],
  unit: ["单位", "Unit"],
  handlerByRules: ["按规则派遣", "Chosen by the rules"],
} as const;

export type Word = keyof typeof WORDS;

/** A screen's own words, (zh-CN, en) each: `const say = wordsOf({ pay: ["付款", "Pay"] })`. */
export function wordsOf<T extends Record<string, readonly [string, string]>>(
  table: T,
): (word: keyof T) => string {
  return (word) => table[word][currentLocale() === "en" ? 1 : 0];
}

export function t(word: Word): string {
  return WORDS[word][currentLocale() === "en" ? 1 : 0];
}

const STATES: Record<string, [string, string]> = {
  reported: ["已上报", "Reported"],
  registered: ["已立案", "Registered"],
  dispatched: ["已派遣", "Dispatched"],
  handling: ["处置中", "Being handled"],
  fed_back: ["已反馈", "Fed back"],
  verified: ["已核查", "Verified"],
  closed: ["已结案", "Closed"],
  suspended: ["已挂起", "Suspended"],
  cancelled: ["已撤销", "Cancelled"],
};

const ACTIONS: Record<string, [string, string]> = {
  report: ["上报", "Report"],
  photo: ["照片", "Photo"],
  register: ["立案", "Register"],
  dispatch: ["派遣", "Dispatch"],
  reassign: ["改派", "Reassign"],
  start: ["开始处置", "Start"],
  feed_back: ["反馈", "Feed back"],
  verify: ["核查通过", "Verify"],
  close: ["结案", "Close"],
  return: ["退回", "Return"],
  suspend: ["挂起", "Suspend"],
  resume: ["恢复", "Resume"],
  cancel: ["撤销", "Cancel"],
};

function pick(table: Record<string, [string, string]>, key: string): string {
  const pair = table[key];
  return pair ? pair[currentLocale() === "en" ? 1 : 0] : key;
}

export const stateName = (state: string): string => pick(STATES, state);
export const actionName = (action: string): string => pick(ACTIONS, action);

export function when(iso: string | null | undefined): string {
  if (!iso) return "";
  return new Date(iso).toLocaleString(currentLocale(), {
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  });
}
