// City pay (城市支付) for a resident (the wallet: balance, payer code, statement) and a
// merchant (collect by a payer code, the account's statement). Amounts travel in fen and
// are shown in yuan.

import qrcode from "qrcode-generator";
import { useEffect, useRef, useState } from "preact/hooks";
import { api, need, onSignOut, type Schemas } from "../common/api";
import { wordsOf, when } from "../common/i18n";
import { keyStore } from "../common/keystore";
import { ProblemBanner, Section, useAction, useLoaded } from "../common/ui";

const say = wordsOf({
  wallet: ["我的钱包", "My wallet"],
  balance: ["余额", "Balance"],
  yuan: ["元", "yuan"],
  payerCode: ["付款码", "Payer code"],
  enrol: ["开通付款码", "Turn on the payer code"],
  enrolNote: [
    "付款码只在本机显示，开通后其他手机上的付款码将失效",
    "The code shows on this phone only; turning it on stops the codes of any other phone",
  ],
  refreshesIn: ["秒后自动刷新", "s until it changes"],
  showToCashier: ["向收银员出示付款码，请勿截图或发送给他人", "Show it to the cashier; never share it"],
  noCrypto: ["此浏览器无法生成付款码", "This browser cannot make payer codes"],
  statement: ["账单", "Statement"],
  merchantStatement: ["收款账单", "Collections"],
  merchantBalance: ["待结算", "To be settled"],
  more: ["加载更多", "More"],
  none: ["暂无记录", "Nothing yet"],
  collect: ["扫码收款", "Collect"],
  code: ["付款码数字", "Payer code digits"],
  amount: ["金额（元）", "Amount (yuan)"],
  collectIt: ["收款", "Collect"],
  paid: ["收款成功", "Paid"],
  awaiting: ["等待付款人确认", "Waiting for the payer to confirm"],
  top_up: ["充值", "Top-up"],
  payment: ["付款", "Payment"],
  refund: ["退款", "Refund"],
  voucher: ["消费券", "Voucher"],
  settlement: ["结算", "Settlement"],
  correction: ["更正", "Correction"],
});

/** Fen as yuan with two decimals, sign kept: 12345 → "123.45". */
export function yuan(fen: number): string {
  const sign = fen < 0 ? "-" : "";
  const whole = Math.abs(fen);
  return `${sign}${Math.floor(whole / 100)}.${String(whole % 100).padStart(2, "0")}`;
}

/** Yuan as typed ("12.5") in fen, or null when it is not an amount. */
function fenOf(text: string): number | null {
  const match = /^(\d{1,7})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0"));
}

// ---- The payer code, computed on the phone (docs/payment.md, "Payer codes") ----

/** What the phone keeps from its enrolment: the secret only as a CryptoKey that cannot be
 * exported again, so page script can sign with it but never read it back. */
interface Device {
  key: CryptoKey;
  payerNumber: string;
  prefix: string;
  stepSeconds: number;
}

const devices = keyStore<Device>("yimen.payment", "payer-device");

const loadDevice = (user: number) => devices.get(user);

// Signing out here turns this phone's payer code off on the server as well: the browser
// forgets its key, and the codes it showed must stop being good with it. One already off,
// or replaced by another phone since, is left as it is.
onSignOut(async () => {
  for (const device of await devices.all()) {
    await api.DELETE("/v1/miniapps/payment/payer-code/device/{payer_number}", {
      params: { path: { payer_number: device.payerNumber } },
    });
  }
});
const keepDevice = (user: number, device: Device) => devices.put(user, device);

async function enrol(user: number): Promise<Device> {
  const given = need(await api.POST("/v1/miniapps/payment/payer-code/device"));
  const raw = Uint8Array.from(atob(given.secret), (char) => char.charCodeAt(0));
  const key = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  raw.fill(0);
  const device = { key, payerNumber: given.payer_number, prefix: given.prefix, stepSeconds: given.step_seconds };
  await keepDevice(user, device);
  return device;
}

function luhnDigit(digits: string): string {
  let total = 0;
  [...digits].reverse().forEach((char, position) => {
    let value = Number(char);
    if (position % 2 === 0) value = value > 4 ? value * 2 - 9 : value * 2;
    total += value;
  });
  return String((10 - (total % 10)) % 10);
}

/** The 18 digits of `step`: prefix, payer number, the 7-digit time code (HMAC-SHA256 of the
 * step as 8 big-endian bytes, truncated as RFC 4226 does) and a Luhn digit. */
export async function payerCode(device: Device, step: number): Promise<string> {
  const counter = new DataView(new ArrayBuffer(8));
  counter.setBigUint64(0, BigInt(step));
  const digest = new Uint8Array(await crypto.subtle.sign("HMAC", device.key, counter.buffer));
  const offset = digest[digest.length - 1] & 0x0f;
  const number = new DataView(digest.buffer).getUint32(offset) & 0x7fffffff;
  const body = device.prefix + device.payerNumber + String(number % 10_000_000).padStart(7, "0");
  return body + luhnDigit(body);
}

function QrCanvas({ text, label }: { text: string; label: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const code = qrcode(0, "M");
    code.addData(text, "Numeric");
    code.make();
    const cell = 6;
    const margin = 4;
    const size = (code.getModuleCount() + margin * 2) * cell;
    const drawn = canvas.current!;
    drawn.width = drawn.height = size;
    const context = drawn.getContext("2d")!;
    context.fillStyle = "#fff";
    context.fillRect(0, 0, size, size);
    context.fillStyle = "#000";
    for (let row = 0; row < code.getModuleCount(); row++)
      for (let col = 0; col < code.getModuleCount(); col++)
        if (code.isDark(row, col)) context.fillRect((col + margin) * cell, (row + margin) * cell, cell, cell);
  }, [text]);
  return <canvas ref={canvas} class="payer-qr" role="img" aria-label={label} />;
}

function PayerCode({ user }: { user: number }) {
  const [device, setDevice] = useState<Device | null | undefined>(undefined);
  const [code, setCode] = useState("");
  const [left, setLeft] = useState(0);
  const [problem, act] = useAction();
  useEffect(() => {
    void act(async () => setDevice((await loadDevice(user)) ?? null));
  }, [user]);
  useEffect(() => {
    if (!device) return;
    let live = true;
    let shown = -1;
    const tick = () => {
      const seconds = Date.now() / 1000;
      const step = Math.floor(seconds / device.stepSeconds);
      setLeft(Math.ceil(device.stepSeconds - (seconds % device.stepSeconds)));
      if (step === shown) return;
      shown = step;
      void payerCode(device, step).then((text) => live && step === shown && setCode(text));
    };
    tick();
    const timer = setInterval(tick, 1000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [device]);
  if (!crypto.subtle) return <p class="notice">{say("noCrypto")}</p>;
  return (
    <Section title={say("payerCode")}>
      <ProblemBanner problem={problem} />
      {device === null && (
        <>
          <p class="notice">{say("enrolNote")}</p>
          <button type="button" name="enrol" onClick={() => act(async () => setDevice(await enrol(user)))}>
            {say("enrol")}
          </button>
        </>
      )}
      {device && code && (
        <div class="payer-code" data-code={code}>
          <QrCanvas text={code} label={say("payerCode")} />
          <p class="payer-digits" aria-live="off">
            {code.replace(/(\d{4})(?=\d)/g, "$1 ")}
          </p>
          <p class="countdown" data-left={left}>
            {left} {say("refreshesIn")}
          </p>
          <p class="notice">{say("showToCashier")}</p>
        </div>
      )}
    </Section>
  );
}

// ---- Statements, a page at a time ----

type Line = Schemas["StatementLine"];
type Page = Schemas["StatementPage"];

function Statement({ title, load }: { title: string; load: (cursor: string | null) => Promise<Page> }) {
  const [lines, setLines] = useState<Line[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [problem, act] = useAction();
  const more = (cursor: string | null) =>
    act(async () => {
      const page = await load(cursor);
      setLines((kept) => (cursor ? [...kept, ...page.items] : page.items));
      setNext(page.next_cursor);
    });
  useEffect(() => void more(null), []);
  return (
    <Section title={title}>
      <ProblemBanner problem={problem} />
      {lines.length === 0 && !problem && <p class="empty">{say("none")}</p>}
      <ul class="statement">
        {lines.map((line) => (
          <li key={`${line.transfer_id}`} data-transfer={line.transfer_id} data-kind={line.kind}>
            <span class="statement-kind">{say(line.kind)}</span>
            <span class={line.amount_fen < 0 ? "amount out" : "amount in"} data-fen={line.amount_fen}>
              {line.amount_fen > 0 ? "+" : ""}
              {yuan(line.amount_fen)}
            </span>
            <time>{when(line.posted_at)}</time>
            <span class="statement-after">
              {say("balance")} {yuan(line.balance_after_fen)}
            </span>
          </li>
        ))}
      </ul>
      {next && (
        <button type="button" class="secondary" name="more" onClick={() => more(next)}>
          {say("more")}
        </button>
      )}
    </Section>
  );
}

const PAGE = 20;

const walletPage = async (cursor: string | null) =>
  need(
    await api.GET("/v1/miniapps/payment/wallet/entries", {
      params: { query: { limit: PAGE, ...(cursor ? { cursor } : {}) } },
    }),
  );

const merchantPage = async (cursor: string | null) =>
  need(
    await api.GET("/v1/miniapps/payment/merchant/entries", {
      params: { query: { limit: PAGE, ...(cursor ? { cursor } : {}) } },
    }),
  );

function Balance({ title, fen }: { title: string; fen: number }) {
  return (
    <p class="balance">
      <span class="balance-title">{title}</span>
      <strong data-fen={fen}>{yuan(fen)}</strong> {say("yuan")}
    </p>
  );
}

function Wallet() {
  const wallet = useLoaded(async () => need(await api.GET("/v1/miniapps/payment/wallet")));
  const me = useLoaded(async () => need(await api.GET("/v1/me")));
  return (
    <>
      <Section title={say("wallet")}>
        <ProblemBanner problem={wallet.problem ?? me.problem} />
        {wallet.data && <Balance title={say("balance")} fen={wallet.data.balance_fen} />}
      </Section>
      {me.data && <PayerCode user={me.data.user_id} />}
      <Statement title={say("statement")} load={walletPage} />
    </>
  );
}

function MerchantStatements() {
  const account = useLoaded(async () => need(await api.GET("/v1/miniapps/payment/merchant/account")));
  return (
    <>
      <Section title={say("merchantStatement")}>
        <ProblemBanner problem={account.problem} />
        {account.data && <Balance title={say("merchantBalance")} fen={account.data.balance_fen} />}
      </Section>
      <Statement title={say("statement")} load={merchantPage} />
    </>
  );
}

function Collect() {
  const [code, setCode] = useState("");
  const [amount, setAmount] = useState("");
  const [done, setDone] = useState<Schemas["PaymentView"] | null>(null);
  const [problem, act] = useAction();
  // One key per scan: a retry after a dropped answer or a failing server gets the first
  // result, not a second charge. A refusal, or a changed code or amount, is a new scan: the
  // server keeps a refusal under its key, and a new body under the old key is refused.
  const [key, setKey] = useState(() => crypto.randomUUID());
  const newScan = () => setKey(crypto.randomUUID());
  const submit = (event: Event) => {
    event.preventDefault();
    void act(async () => {
      const answer = await api.POST("/v1/miniapps/payment/collect/payer-code", {
        body: { code: code.replace(/\s/g, ""), amount_fen: fenOf(amount) ?? 0 },
        headers: { "Idempotency-Key": key },
      });
      if (answer.response.status >= 400 && answer.response.status < 500) newScan();
      const paid = need(answer);
      setDone(paid);
      setCode("");
      newScan();
    });
  };
  return (
    <Section title={say("collect")}>
      <ProblemBanner problem={problem} />
      <form class="collect" onSubmit={submit}>
        <label>
          {say("code")}
          <input name="code" inputMode="numeric" autoComplete="off" value={code} onInput={(e) => (setCode(e.currentTarget.value), newScan())} required />
        </label>
        <label>
          {say("amount")}
          <input name="amount" inputMode="decimal" value={amount} onInput={(e) => (setAmount(e.currentTarget.value), newScan())} required />
        </label>
        <button type="submit">{say("collectIt")}</button>
      </form>
      {done && (
        <p class="notice" role="status" data-payment={done.id} data-status={done.status}>
          {done.status === "paid" ? say("paid") : say("awaiting")} · {yuan(done.amount_fen)} {say("yuan")}
        </p>
      )}
    </Section>
  );
}

export function Payment({ screen }: { screen: string }) {
  if (screen === "statements") return <MerchantStatements />;
  if (screen === "collect") return <Collect />;
  return <Wallet />;
}
