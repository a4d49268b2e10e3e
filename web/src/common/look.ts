// Elder mode's look (html.elder): while signed in, the account's choice; before and between
// sessions, the look this browser last had, so that an elder's login page is as large as
// their launcher. Like the locale, it is a choice of this browser, kept in localStorage.

const KEY = "yimen.elder-look";

export function elderLook(): boolean {
  return localStorage.getItem(KEY) === "1";
}

export function showElderLook(on: boolean): void {
  localStorage.setItem(KEY, on ? "1" : "0");
  document.documentElement.classList.toggle("elder", on);
}
