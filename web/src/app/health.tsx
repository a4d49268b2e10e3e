// The health code (健康码): a resident's code, bound to a key this browser made and keeps
// (docs/health-code.md, "The phone's side"), signed afresh while it is on screen; their colour
// and its history; checking in at a place by a photo of its code or its text. Checkpoint
// staff check a code by a photo or its text, and a merchant registers places and prints their
// codes.

import qrcode from "qrcode-generator";
import { useCallback, useEffect, useMemo, useState } from "preact/hooks";
import { api, ApiProblem, asProblem, done, need, type Problem, type Schemas } from "../common/api";
import { when, wordsOf } from "../common/i18n";
import { keyStore } from "../common/keystore";
import { go } from "../common/route";
import { ScanPhoto } from "../common/scan";
import { ProblemBanner, Section, useAction, useLoaded } from "../common/ui";

const say = wordsOf({
  myCode: ["我的健康码", "My health code"],
  codeLabel: ["健康码二维码", "Health code QR"],
  green: ["绿码", "Green code"],
  yellow: ["黄码", "Yellow code"],
  red: ["红码", "Red code"],
  preparing: ["正在生成健康码…", "Making your code…"],
  fresh: ["每 20 秒自动更新，截图一分钟后失效", "Renews every 20 seconds; a screenshot stops working within a minute"],
  signedAt: ["生成于 ", "Made at "],
  enrolHere: ["改在本机出示健康码", "Show my code on this phone instead"],
  otherPhone: [
    "您的健康码已在另一台设备上开通，本机的码无法通过核验",
    "Your health code was enrolled on another phone; codes shown here will not pass",
  ],
  sentenceEnd: ["。", ". "],
  movesTheCode: [
    "改在本机出示后，另一台设备上的健康码将无法通过核验",
    "Once it is shown here, codes on the other phone will no longer pass",
  ],
  keyUnavailable: [
    "本浏览器无法保存密钥，无法出示健康码",
    "This browser cannot keep a key, so it cannot show a health code",
  ],
  checkIn: ["场所扫码登记", "Check in at a place"],
  scanPlace: ["拍照扫描场所码", "Take a photo of the place's code"],
  scanCode: ["拍照扫描健康码", "Take a photo of the health code"],
  myStatus: ["健康状态记录", "My colour history"],
  currentStatus: ["当前状态", "Current colour"],
  reason: ["原因", "Reason"],
  setAt: ["变更时间", "Set at"],
  validUntil: ["有效至", "Valid until"],
  history: ["历史记录", "History"],
  noHistory: ["暂无变更记录，一直为绿码", "No changes: green all along"],
  more: ["加载更多", "More"],
  placeCode: ["场所码内容", "Place code text"],
  placeCodeHint: [
    "或粘贴场所码的内容",
    "Or paste the text of the place's code",
  ],
  submitCheckIn: ["登记", "Check in"],
  checkedIn: ["已登记", "Checked in"],
  place: ["场所", "Place"],
  time: ["时间", "Time"],
  scanTitle: ["扫码核验", "Check a code"],
  scannedText: ["健康码内容", "Code text"],
  checkpoint: ["核验地点", "Checkpoint"],
  verify: ["核验", "Check"],
  valid: ["核验通过", "Valid"],
  invalid: ["核验未通过", "Not valid"],
  holder: ["持码人", "Holder"],
  bad_format: ["格式错误", "Not a health code"],
  unknown_key: ["签发密钥未知", "Signed by an unknown key"],
  bad_signature: ["签名无效（可能被篡改）", "Signature not valid (altered?)"],
  expired: ["已过期（截图或过时的码）", "Expired (a screenshot or an old code)"],
  bad_binding: ["不是持码人本机出示", "Not shown from the holder's own phone"],
  replayed: ["该码已被扫描过", "This code was already scanned"],
  revoked: ["颜色已变更，码已作废", "The colour changed; this code is void"],
  places: ["我的场所", "My places"],
  newPlace: ["登记新场所", "Register a place"],
  placeName: ["场所名称", "Place name"],
  area: ["所属区域", "Area"],
  register: ["登记", "Register"],
  noPlaces: ["暂无场所", "No places yet"],
  placeQr: ["场所码", "Place code"],
});

type Colour = Schemas["Colour"];

function colourWord(colour: Colour | string | null | undefined): string {
  if (colour === "green" || colour === "g") return say("green");
  if (colour === "yellow" || colour === "y") return say("yellow");
  if (colour === "red" || colour === "r") return say("red");
  return "";
}

function localProblem(code: string, title: string): ApiProblem {
  return new ApiProblem({ type: "about:blank", code, status: 0, title });
}

// ---- The phone's key, in this browser's IndexedDB ------------------------------------------


/** The private half is a non-extractable CryptoKey: IndexedDB keeps the object itself, so a
 * reload signs with the same key and no script can read its bytes. */
interface PhoneKey {
  privateKey: CryptoKey;
  /** The public half as enrolment sends it: the compressed point, unpadded base64url. */
  point: string;
}

const phoneKeys = keyStore<PhoneKey>("yimen.health_code", "phone_keys");

function b64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromB64url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

async function makeKey(): Promise<PhoneKey> {
  const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, [
    "sign",
    "verify",
  ]);
  // 0x04 ‖ x ‖ y; the compressed point is 0x02 or 0x03 by y's parity, then x.
  const raw = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
  const compressed = new Uint8Array(33);
  compressed[0] = 0x02 | (raw[64] & 1);
  compressed.set(raw.subarray(1, 33), 1);
  return { privateKey: pair.privateKey, point: b64url(compressed) };
}

async function enrol(key: PhoneKey): Promise<void> {
  done(await api.POST("/v1/miniapps/health_code/phone", { body: { public_key: key.point } }));
}

// One key at a time per person: two screens asking at once must not each make a key, the
// second one's replacing the first's.
const keysMade = new Map<number, Promise<PhoneKey>>();

/** The key this browser keeps for the person, made on first use. It is enrolled only where no
 * phone is yet, or when the person asks: logging in on another browser must not take the
 * code from their phone behind their back. */
function phoneKeyOf(userId: number): Promise<PhoneKey> {
  let made = keysMade.get(userId);
  if (!made) {
    made = keptOrMade(userId).finally(() => keysMade.delete(userId));
    keysMade.set(userId, made);
  }
  return made;
}

async function keptOrMade(userId: number): Promise<PhoneKey> {
  const id = `user:${userId}`;
  let key: PhoneKey | undefined;
  try {
    key = await phoneKeys.get(id);
  } catch {
    throw localProblem("phone_key_unavailable", say("keyUnavailable"));
  }
  if (key) return key;
  try {
    key = await makeKey();
  } catch {
    throw localProblem("phone_key_unavailable", say("keyUnavailable"));
  }
  await phoneKeys.put(id, key);
  return key;
}

// ---- The code -------------------------------------------------------------------------------

interface Credential {
  credential: string;
  colour: Colour;
  /** The phone key the platform signed into it. */
  k: string;
  /** Its lifetime in seconds: measured on this clock from when it came, whatever this clock's
   * error. */
  lifetime: number;
}

function payloadOf(credential: string): { k?: string; t?: number } {
  try {
    const bytes = fromB64url(credential.split(".")[1] ?? "");
    return JSON.parse(new TextDecoder().decode(bytes)) as { k?: string; t?: number };
  } catch {
    return {};
  }
}

async function fetchCredential(key: PhoneKey): Promise<Credential> {
  let answer = await api.GET("/v1/miniapps/health_code/code");
  if (answer.response.status === 409) {
    // Enrolled nowhere (or the record was dropped): this browser's key becomes the phone.
    await enrol(key);
    answer = await api.GET("/v1/miniapps/health_code/code");
  }
  const code = need(answer);
  const payload = payloadOf(code.credential);
  return {
    credential: code.credential,
    colour: code.colour,
    k: payload.k ?? "",
    lifetime: payload.t ?? 3600,
  };
}

/** `<credential>.<t in base 36>:<r‖s over "<signature part>.<t>">`, signed now. */
async function signed(credential: string, key: PhoneKey): Promise<{ text: string; at: number }> {
  const at = Math.floor(Date.now() / 1000);
  const signaturePart = credential.slice(credential.lastIndexOf(".") + 1);
  const message = new TextEncoder().encode(`${signaturePart}.${at}`);
  // WebCrypto's ECDSA signature is already r‖s, 32 bytes each, as the code wants.
  const signature = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key.privateKey, message);
  return { text: `${credential}.${at.toString(36)}:${b64url(new Uint8Array(signature))}`, at };
}

/** The server's own word on a code bound to another phone: it renders only one's genuine
 * code, and says why not. */
async function refusalOf(text: string): Promise<ApiProblem> {
  const answer = await api.GET("/v1/miniapps/health_code/code/qr.svg", {
    params: { query: { code: text } },
    parseAs: "blob",
  });
  if (!answer.response.ok) {
    try {
      need(answer);
    } catch (error) {
      return asProblem(error);
    }
  }
  return localProblem("code_not_yours", say("otherPhone"));
}

// Re-signed well inside the checkpoint's 60-second window; a new credential ten minutes
// before the old one expires.
const RESIGN_MS = 20_000;
const RENEW_MARGIN_S = 600;

export function Qr({ text, label, name }: { text: string; label: string; name: string }) {
  const { size, path } = useMemo(() => {
    const qr = qrcode(0, "M");
    qr.addData(text);
    qr.make();
    const count = qr.getModuleCount();
    const quiet = 4;
    let drawn = "";
    for (let row = 0; row < count; row++) {
      for (let col = 0; col < count; col++) {
        if (qr.isDark(row, col)) drawn += `M${col + quiet} ${row + quiet}h1v1h-1z`;
      }
    }
    return { size: count + 2 * quiet, path: drawn };
  }, [text]);
  return (
    <svg
      class="qr"
      data-qr={name}
      data-qr-text={text}
      role="img"
      aria-label={label}
      viewBox={`0 0 ${size} ${size}`}
      width={size * 4}
      height={size * 4}
    >
      <rect width={size} height={size} fill="#ffffff" />
      <path d={path} fill="#000000" />
    </svg>
  );
}

function useStatus() {
  return useLoaded(async () => need(await api.GET("/v1/miniapps/health_code/status")));
}

function ColourText({ colour }: { colour: Colour }) {
  return (
    <p class={`hc-colour hc-${colour}`} data-colour={colour}>
      {colourWord(colour)}
    </p>
  );
}

function ShowCode() {
  const status = useStatus();
  const userId = status.data?.user_id;
  const [key, setKey] = useState<PhoneKey | null>(null);
  const [credential, setCredential] = useState<Credential | null>(null);
  const [shown, setShown] = useState<{ text: string; at: number } | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [foreign, setForeign] = useState(false);
  const [moving, setMoving] = useState(false);

  const start = useCallback(async (user: number, enrolHere: boolean) => {
    let boundElsewhere = false;
    try {
      const mine = await phoneKeyOf(user);
      if (enrolHere) await enrol(mine);
      const fetched = await fetchCredential(mine);
      const first = await signed(fetched.credential, mine);
      boundElsewhere = fetched.k !== mine.point;
      if (boundElsewhere) throw await refusalOf(first.text);
      setKey(mine);
      setCredential(fetched);
      setShown(first);
      setProblem(null);
      setForeign(false);
    } catch (error) {
      setCredential(null);
      setShown(null);
      setProblem(asProblem(error).problem);
      // Moving the code here failed (no network, say): the offer stays, to try again.
      setForeign(boundElsewhere || enrolHere);
    }
  }, []);

  useEffect(() => {
    if (userId !== undefined) void start(userId, false);
  }, [userId]);

  useEffect(() => {
    if (!credential || !key || userId === undefined) return;
    const resign = () => {
      // The colour is read again each time: a code turned red must not stay green on screen.
      status.reload();
      void signed(credential.credential, key).then(setShown, (error: unknown) =>
        setProblem(asProblem(error).problem),
      );
    };
    const every = setInterval(resign, RESIGN_MS);
    const onVisible = () => document.visibilityState === "visible" && resign();
    document.addEventListener("visibilitychange", onVisible);
    const renew = setTimeout(
      () => {
        status.reload();
        void start(userId, false);
      },
      Math.max(60, credential.lifetime - RENEW_MARGIN_S) * 1000,
    );
    return () => {
      clearInterval(every);
      clearTimeout(renew);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [credential, key]);

  // A new colour needs a new credential: the old one carries the old colour.
  const nowColour = status.data?.colour;
  useEffect(() => {
    if (userId !== undefined && credential && nowColour && nowColour !== credential.colour) {
      void start(userId, false);
    }
  }, [nowColour]);

  const colour = status.data?.colour ?? credential?.colour;
  return (
    <Section title={say("myCode")}>
      <ProblemBanner problem={status.problem ?? problem} />
      {foreign && userId !== undefined && (
        <>
          <p class="notice">
            {say("otherPhone")}
            {say("sentenceEnd")}
            {say("movesTheCode")}
          </p>
          <button
            type="button"
            name="enrol-here"
            disabled={moving}
            aria-busy={moving}
            onClick={() => {
              setMoving(true);
              void start(userId, true).finally(() => setMoving(false));
            }}
          >
            {say("enrolHere")}
          </button>
        </>
      )}
      <div class={`hc-card${colour ? ` hc-${colour}` : ""}`}>
        {colour && <ColourText colour={colour} />}
        {shown ? (
          <>
            <Qr text={shown.text} label={`${say("codeLabel")}：${colourWord(colour)}`} name="health-code" />
            <p class="notice">
              {say("signedAt")}
              <time dateTime={new Date(shown.at * 1000).toISOString()}>
                {new Date(shown.at * 1000).toLocaleTimeString()}
              </time>
            </p>
            <p class="notice">{say("fresh")}</p>
          </>
        ) : (
          !problem && <p class="notice">{say("preparing")}</p>
        )}
      </div>
      <div class="actions">
        <button type="button" name="check-in" onClick={() => go("health_code", "checkin")}>
          {say("checkIn")}
        </button>
        <button type="button" class="secondary" name="history" onClick={() => go("health_code", "status")}>
          {say("myStatus")}
        </button>
      </div>
    </Section>
  );
}

// ---- Colour and history ---------------------------------------------------------------------

function StatusLine({ item }: { item: Schemas["StatusView"] }) {
  return (
    <>
      <ColourText colour={item.colour} />
      {item.reason && (
        <p>
          {say("reason")}：{item.reason}
        </p>
      )}
      {item.set_at && (
        <p class="notice">
          {say("setAt")}：<time dateTime={item.set_at}>{when(item.set_at)}</time>
        </p>
      )}
      {item.valid_until && (
        <p class="notice">
          {say("validUntil")}：<time dateTime={item.valid_until}>{when(item.valid_until)}</time>
        </p>
      )}
    </>
  );
}

function StatusHistory() {
  const status = useStatus();
  const userId = status.data?.user_id;
  const [items, setItems] = useState<Schemas["StatusView"][]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [problem, act] = useAction();
  const page = (user: number, after: string | null) =>
    act(async () => {
      const answer = need(
        await api.GET("/v1/miniapps/health_code/statuses/{user_id}/history", {
          params: { path: { user_id: user }, query: { limit: 50, ...(after ? { cursor: after } : {}) } },
        }),
      );
      setItems((held) => (after ? [...held, ...answer.items] : answer.items));
      setCursor(answer.next_cursor ?? null);
    });
  useEffect(() => {
    if (userId !== undefined) void page(userId, null);
  }, [userId]);
  return (
    <>
      <Section title={say("currentStatus")}>
        <ProblemBanner problem={status.problem} />
        {status.data && (
          <div class="hc-status" data-colour={status.data.colour}>
            <StatusLine item={status.data} />
          </div>
        )}
      </Section>
      <Section title={say("history")}>
        <ProblemBanner problem={problem} />
        {status.data && !problem && items.length === 0 && <p class="empty">{say("noHistory")}</p>}
        <ol class="timeline hc-history">
          {items.map((item, index) => (
            <li key={`${item.set_at}-${index}`} data-colour={item.colour}>
              <StatusLine item={item} />
            </li>
          ))}
        </ol>
        {cursor && userId !== undefined && (
          <button type="button" class="secondary" onClick={() => void page(userId, cursor)}>
            {say("more")}
          </button>
        )}
      </Section>
    </>
  );
}

// ---- Checking in at a place -----------------------------------------------------------------

function CheckIn() {
  const [code, setCode] = useState("");
  const [result, setResult] = useState<Schemas["CheckInView"] | null>(null);
  const [problem, act] = useAction();
  const checkIn = (text: string) => {
    setResult(null);
    void act(async () =>
      setResult(need(await api.POST("/v1/miniapps/health_code/check-ins", { body: { code: text.trim() } }))),
    );
  };
  const submit = (event: Event) => {
    event.preventDefault();
    checkIn(code);
  };
  // A photo of the place's code checks in at once, as scanning it would.
  const scanned = (text: string) => {
    setCode(text);
    checkIn(text);
  };
  return (
    <Section title={say("checkIn")}>
      <ProblemBanner problem={problem} />
      <ScanPhoto
        name="place-photo"
        label={say("scanPlace")}
        read={scanned}
        failed={(refused) => void act(() => Promise.reject(refused))}
      />
      <form class="hc-checkin" onSubmit={submit}>
        <label>
          {say("placeCode")}
          <textarea
            name="place-code"
            value={code}
            aria-describedby="place-code-hint"
            onInput={(input) => setCode(input.currentTarget.value)}
            required
          />
        </label>
        <p id="place-code-hint" class="notice">
          {say("placeCodeHint")}
        </p>
        <button type="submit">{say("submitCheckIn")}</button>
      </form>
      {result && (
        <article class={`hc-card hc-${result.colour}`} role="status" data-checked-in={result.place}>
          <h3>{say("checkedIn")}</h3>
          <ColourText colour={result.colour} />
          <p>
            {say("place")}：<strong class="hc-place">{result.place}</strong>
          </p>
          <p>
            {say("time")}：<time dateTime={result.at}>{when(result.at)}</time>
          </p>
        </article>
      )}
    </Section>
  );
}

// ---- Checkpoint staff: check a code by its text ---------------------------------------------

function Scan() {
  const [text, setText] = useState("");
  const [place, setPlace] = useState("");
  const [result, setResult] = useState<Schemas["ScanView"] | null>(null);
  const [problem, act] = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    setResult(null);
    void act(async () =>
      setResult(need(await api.POST("/v1/miniapps/health_code/scans", { body: { text: text.trim(), place } }))),
    );
  };
  const reason = result?.reason;
  return (
    <Section title={say("scanTitle")}>
      <ProblemBanner problem={problem} />
      <ScanPhoto
        name="code-photo"
        label={say("scanCode")}
        read={(scanned) => {
          setText(scanned);
          void act(async () => undefined);
        }}
        failed={(refused) => void act(() => Promise.reject(refused))}
      />
      <form class="hc-scan" onSubmit={submit}>
        <label>
          {say("checkpoint")}
          <input name="place" value={place} onInput={(input) => setPlace(input.currentTarget.value)} required />
        </label>
        <label>
          {say("scannedText")}
          <textarea name="code-text" value={text} onInput={(input) => setText(input.currentTarget.value)} required />
        </label>
        <button type="submit">{say("verify")}</button>
      </form>
      {result && (
        <article
          class={`hc-card${result.colour ? ` hc-${result.colour}` : ""}`}
          role="status"
          data-valid={String(result.valid)}
          data-reason={reason ?? ""}
        >
          <h3>{result.valid ? say("valid") : say("invalid")}</h3>
          {result.colour && <p class="hc-colour">{colourWord(result.colour)}</p>}
          {result.masked_name && (
            <p>
              {say("holder")}：{result.masked_name}
            </p>
          )}
          {reason && <p>{isReason(reason) ? say(reason) : reason}</p>}
        </article>
      )}
    </Section>
  );
}

const REASONS = ["bad_format", "unknown_key", "bad_signature", "expired", "bad_binding", "replayed", "revoked"] as const;

function isReason(reason: string): reason is (typeof REASONS)[number] {
  return (REASONS as readonly string[]).includes(reason);
}

// ---- A merchant's places --------------------------------------------------------------------

function Places() {
  const me = useLoaded(async () => need(await api.GET("/v1/me")));
  const places = useLoaded(async () =>
    need(await api.GET("/v1/miniapps/health_code/places", { params: { query: { limit: 100 } } })),
  );
  const areas = [...new Set(Object.values(me.data?.scope ?? {}).flat())].sort();
  const [name, setName] = useState("");
  const [area, setArea] = useState("");
  const [problem, act] = useAction();
  const chosen = area || areas[0] || "";
  const submit = (event: Event) => {
    event.preventDefault();
    void act(async () => {
      need(await api.POST("/v1/miniapps/health_code/places", { body: { name, org_path: chosen } }));
      setName("");
      places.reload();
    });
  };
  return (
    <>
      <Section title={say("newPlace")}>
        <ProblemBanner problem={problem ?? me.problem} />
        <form class="hc-place-form" onSubmit={submit}>
          <label>
            {say("placeName")}
            <input name="place-name" value={name} onInput={(input) => setName(input.currentTarget.value)} required />
          </label>
          <label>
            {say("area")}
            <select name="org-path" value={chosen} onChange={(change) => setArea(change.currentTarget.value)}>
              {areas.map((path) => (
                <option key={path} value={path}>
                  {path}
                </option>
              ))}
            </select>
          </label>
          <button type="submit">{say("register")}</button>
        </form>
      </Section>
      <Section title={say("places")}>
        <ProblemBanner problem={places.problem} />
        {places.data?.items.length === 0 && <p class="empty">{say("noPlaces")}</p>}
        <ul class="hc-places">
          {places.data?.items.map((item) => (
            <li key={item.id} data-place={item.id}>
              <h3>{item.name}</h3>
              <p class="notice">{item.org_path}</p>
              <Qr text={item.code} label={`${say("placeQr")}：${item.name}`} name="place-code" />
            </li>
          ))}
        </ul>
      </Section>
    </>
  );
}

export function HealthCode({ screen }: { screen: string }) {
  if (screen === "checkin") return <CheckIn />;
  if (screen === "status") return <StatusHistory />;
  if (screen === "scan") return <Scan />;
  if (screen === "places") return <Places />;
  return <ShowCode />;
}
