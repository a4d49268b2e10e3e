// Elderly care for the elder themselves: the SOS (一键呼叫), the daily check-in (报平安) and
// their family circle with its invite; and, for anyone, the elders whose circle they are in.

import qrcode from "qrcode-generator";
import { useEffect, useState } from "preact/hooks";
import { api, need, type Schemas } from "../common/api";
import { when, wordsOf } from "../common/i18n";
import { go } from "../common/route";
import { ProblemBanner, Section, useAction, useLoaded } from "../common/ui";

type Elder = Schemas["ElderView"];
type Alarm = Schemas["AlarmView"];

const say = wordsOf({
  sos: ["一键呼叫", "SOS"],
  sosHint: ["遇到紧急情况，按下按钮呼叫家人和社区", "In an emergency, press to call your family and community"],
  calling: ["正在呼叫…", "Calling…"],
  countdown: ["秒后通知家人和社区", "seconds until your family and community are called"],
  cancelSos: ["取消呼叫", "Cancel the call"],
  alarmOpen: ["已发出呼叫，正在通知", "Help has been called"],
  alarmNumber: ["呼叫编号 ", "Call number "],
  checkin: ["平安打卡", "I am well"],
  checkinButton: ["报平安", "I am well"],
  checkedInToday: ["今天已报平安", "Checked in today"],
  notYetToday: ["今天还没有报平安", "Not checked in today"],
  streak: ["连续报平安天数", "Days in a row"],
  plan: ["打卡时间", "Check-in time"],
  setPlan: ["设置打卡时间", "Set the check-in time"],
  starts: ["开始", "From"],
  ends: ["截止", "Until"],
  save: ["保存", "Save"],
  everyDay: ["每天", "every day"],
  noPlan: ["还没有设置每天报平安的时间", "No daily check-in time is set yet"],
  history: ["最近打卡", "Recent days"],
  missed: ["未打卡", "missed"],
  onBehalf: ["家人代报", "by family"],
  family: ["我的家人", "My family"],
  profile: ["我的档案", "My profile"],
  grid: ["所在网格", "Grid"],
  careWorker: ["护理员", "Care worker"],
  gridWorker: ["网格员", "Grid worker"],
  livingAlone: ["独居", "Living alone"],
  circle: ["亲情圈", "Family circle"],
  noFamily: ["还没有家人加入", "No family has joined yet"],
  accept: ["同意", "Accept"],
  decline: ["拒绝", "Decline"],
  invite: ["邀请家人", "Invite family"],
  inviteHint: ["请家人扫码或输入下面的邀请码加入亲情圈", "Family scan this code, or enter the invite below, to join"],
  inviteCode: ["邀请码", "Invite"],
  caringFor: ["我关注的老人", "Elders I look after"],
  enrol: ["开通智慧养老", "Join elderly care"],
  enrolHint: [
    "开通后可使用一键呼叫、平安打卡，并邀请家人加入亲情圈",
    "Joining gives you the SOS button and the daily check-in, and lets you invite your family",
  ],
  enrolButton: ["立即开通", "Join now"],
  yes: ["是", "Yes"],
  no: ["否", "No"],
  none: ["未指派", "Not assigned"],
  timeline: ["呼叫进度", "What happened"],
  refresh: ["刷新", "Refresh"],
});

const STATUS = wordsOf({
  raised: ["呼叫中", "Calling"],
  acknowledged: ["已响应", "Answered"],
  arrived: ["已到场", "Someone is there"],
  cancelled: ["已取消", "Cancelled"],
  closed: ["已结束", "Ended"],
  pending: ["待确认", "Waiting"],
  accepted: ["已加入", "Joined"],
  declined: ["已拒绝", "Declined"],
  removed: ["已移除", "Removed"],
});

const ACTION = wordsOf({
  raised: ["发起呼叫", "Called"],
  rang: ["已通知", "Rang"],
  skipped: ["已跳过", "Skipped"],
  reading: ["设备报警", "Device reading"],
  acknowledged: ["已响应", "Answered"],
  arrived: ["已到场", "Arrived"],
  cancelled: ["已取消", "Cancelled"],
  closed: ["已结束", "Closed"],
});

// What a timeline entry's note holds: for a ring, whom of the plan it was for; for the raise,
// the alarm's kind; for a close, its outcome.
const NOTE_WORDS = {
  sos: ["一键呼叫", "SOS"],
  checkin: ["未报平安", "Missed check-in"],
  device: ["设备报警", "Home device"],
  reminder: ["提醒本人", "Reminder to the elder"],
  contact: ["家人", "Family"],
  grid_worker: ["网格员", "Grid worker"],
  grid_event: ["网格事件", "Grid event"],
  centre: ["社区服务中心", "Community service centre"],
  escalation: ["上级部门", "Escalated"],
  helped: ["已帮助", "Helped"],
  hospital: ["已送医", "Taken to hospital"],
  false_alarm: ["误报", "False alarm"],
  other: ["其他", "Other"],
  checked_in: ["已报平安", "Checked in"],
  activity_resumed: ["已有活动", "Activity resumed"],
} as const;
const NOTE = wordsOf(NOTE_WORDS);
const noteText = (note: string): string =>
  Object.hasOwn(NOTE_WORDS, note) ? NOTE(note as keyof typeof NOTE_WORDS) : note;

const WEEK = [1, 2, 3, 4, 5, 6, 7];
const OPEN: Alarm["status"][] = ["raised", "acknowledged", "arrived"];
// Where the browser is, if it says within this long: an SOS does not wait on a slow fix.
const LOCATION_WAIT_MS = 3000;

function position(): Promise<{ latitude: number; longitude: number } | null> {
  return new Promise((resolve) => {
    if (!navigator.geolocation) return resolve(null);
    const timer = setTimeout(() => resolve(null), LOCATION_WAIT_MS);
    navigator.geolocation.getCurrentPosition(
      (found) => {
        clearTimeout(timer);
        resolve({ latitude: found.coords.latitude, longitude: found.coords.longitude });
      },
      () => {
        clearTimeout(timer);
        resolve(null);
      },
      { timeout: LOCATION_WAIT_MS, maximumAge: 60_000 },
    );
  });
}

/** Today in the city's time, as the check-in days are kept. */
function cityToday(): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(new Date());
}

/** The caller's own elder profile, or null when they are not (known to be) enrolled. */
interface OwnElder {
  me: Schemas["MeView"] | null;
  elder: Elder | null;
  ready: boolean;
  problem: Schemas["Problem"] | null;
  reload: () => void;
}

function useOwnElder(): OwnElder {
  const loaded = useLoaded(async () => {
    const me = need(await api.GET("/v1/me"));
    // Enrolled on any phone, by themselves, care staff or family: the API knows them.
    const answer = await api.GET("/v1/miniapps/elderly_care/elders/me");
    if (answer.response.status === 404) return { me, elder: null };
    return { me, elder: need(answer) };
  });
  return {
    me: loaded.data?.me ?? null,
    elder: loaded.data?.elder ?? null,
    ready: loaded.data !== null,
    problem: loaded.problem,
    reload: loaded.reload,
  };
}

function Enrol({ enrolled }: { enrolled: () => void }) {
  const [alone, setAlone] = useState(false);
  const [problem, act] = useAction();
  const enrol = () =>
    act(async () => {
      need(await api.POST("/v1/miniapps/elderly_care/elders", { body: { living_alone: alone } }));
      enrolled();
    });
  return (
    <Section title={say("enrol")}>
      <p>{say("enrolHint")}</p>
      <ProblemBanner problem={problem} />
      <label class="switch">
        <input
          type="checkbox"
          name="living-alone"
          checked={alone}
          onChange={(e) => setAlone(e.currentTarget.checked)}
        />
        {say("livingAlone")}
      </label>
      <button type="button" class="care-enrol" onClick={() => void enrol()}>
        {say("enrolButton")}
      </button>
    </Section>
  );
}

function Timeline({ alarm }: { alarm: Alarm }) {
  return (
    <>
      <h3>{say("timeline")}</h3>
      <ol class="timeline">
        {alarm.timeline.map((entry, index) => (
          <li key={index} data-action={entry.action}>
            <time>{when(entry.at)}</time> {ACTION(entry.action)}
            {entry.actor && ` · ${entry.actor.name}`}
            {entry.note && ` · ${noteText(entry.note)}`}
          </li>
        ))}
      </ol>
    </>
  );
}

function Sos({ elder }: { elder: Elder }) {
  const [alarm, setAlarm] = useState<Alarm | null>(null);
  // When ringing starts, on this browser's clock.
  const [deadline, setDeadline] = useState(0);
  const [now, setNow] = useState(Date.now());
  const [busy, setBusy] = useState(false);
  const [problem, act] = useAction();
  const latest = useLoaded(async () => {
    // The SOS in progress, if any, however many device alarms came after it.
    const page = need(
      await api.GET("/v1/miniapps/elderly_care/elders/{elder_id}/alarms", {
        params: { path: { elder_id: elder.id }, query: { kind: "sos", open: true, limit: 1 } },
      }),
    );
    const found = page.items[0];
    if (!found) return null;
    return need(
      await api.GET("/v1/miniapps/elderly_care/alarms/{alarm_id}", {
        params: { path: { alarm_id: found.id } },
      }),
    );
  }, [elder.id]);
  useEffect(() => {
    if (latest.data && !alarm) {
      setAlarm(latest.data);
      setDeadline(Date.parse(latest.data.notify_from));
    }
  }, [latest.data]);
  const open = alarm !== null && OPEN.includes(alarm.status);
  const left = Math.max(0, Math.ceil((deadline - now) / 1000));
  const inWindow = open && alarm.status === "raised" && left > 0;
  useEffect(() => {
    if (!inWindow) return;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [inWindow]);
  // Once ringing has started, follow the alarm: who was rung, who answered.
  useEffect(() => {
    if (!open || inWindow) return;
    const follow = () =>
      void act(async () =>
        setAlarm(
          need(
            await api.GET("/v1/miniapps/elderly_care/alarms/{alarm_id}", {
              params: { path: { alarm_id: alarm.id } },
            }),
          ),
        ),
      );
    follow();
    const timer = setInterval(follow, 5000);
    return () => clearInterval(timer);
  }, [open, inWindow, alarm?.id]);
  const press = () => {
    setBusy(true);
    void act(async () => {
      const where = await position();
      const answer = await api.POST("/v1/miniapps/elderly_care/elders/{elder_id}/sos", {
        params: { path: { elder_id: elder.id } },
        body: where,
      });
      const raised = need(answer);
      const window = Date.parse(raised.notify_from) - Date.parse(raised.raised_at);
      // A new alarm's window starts now; one already open keeps the time it was given.
      const fresh = answer.response.status === 201;
      setDeadline(fresh ? Date.now() + window : Date.parse(raised.notify_from));
      setNow(Date.now());
      setAlarm(raised);
    }).finally(() => setBusy(false));
  };
  const cancel = () =>
    act(async () => {
      setAlarm(
        need(
          await api.POST("/v1/miniapps/elderly_care/alarms/{alarm_id}/cancel", {
            params: { path: { alarm_id: alarm!.id } },
          }),
        ),
      );
    });
  return (
    <Section title={say("sos")}>
      <ProblemBanner problem={problem ?? latest.problem} />
      {!open && (
        <>
          <p class="care-hint">{say("sosHint")}</p>
          <button type="button" class="care-big care-sos" disabled={busy} onClick={press}>
            {busy ? say("calling") : say("sos")}
          </button>
        </>
      )}
      {alarm && (
        <article class="care-alarm" data-alarm={alarm.id} data-status={alarm.status}>
          <h3>
            {open ? say("alarmOpen") : STATUS(alarm.status)}{" "}
            <span class="state">{STATUS(alarm.status)}</span>
          </h3>
          <p>
            {say("alarmNumber")}
            {alarm.id} · {when(alarm.raised_at)}
          </p>
          {inWindow && (
            <>
              <p class="care-countdown" role="timer" aria-live="off" data-seconds={left}>
                <strong>{left}</strong> {say("countdown")}
              </p>
              <button type="button" class="care-big care-cancel" onClick={() => void cancel()}>
                {say("cancelSos")}
              </button>
            </>
          )}
          {!inWindow && <Timeline alarm={alarm} />}
        </article>
      )}
    </Section>
  );
}

function PlanForm({
  elder,
  plan,
  saved,
}: {
  elder: Elder;
  plan: Schemas["CheckinPlanView"] | null;
  saved: () => void;
}) {
  const [starts, setStarts] = useState(plan?.starts ?? "08:00");
  const [ends, setEnds] = useState(plan?.ends ?? "10:00");
  const [problem, act] = useAction();
  const save = (event: Event) => {
    event.preventDefault();
    void act(async () => {
      need(
        await api.PUT("/v1/miniapps/elderly_care/elders/{elder_id}/checkin-plan", {
          params: { path: { elder_id: elder.id } },
          // The API's own defaults for a first plan, as its schema gives them.
          body: {
            starts,
            ends,
            days: plan?.days ?? WEEK,
            grace_minutes: plan?.grace_minutes ?? 30,
            step_minutes: plan?.step_minutes ?? 30,
          },
        }),
      );
      saved();
    });
  };
  return (
    <form class="care-plan" onSubmit={save}>
      <ProblemBanner problem={problem} />
      <label>
        {say("starts")}
        <input
          name="starts"
          type="time"
          value={starts}
          onInput={(e) => setStarts(e.currentTarget.value)}
        />
      </label>
      <label>
        {say("ends")}
        <input
          name="ends"
          type="time"
          value={ends}
          onInput={(e) => setEnds(e.currentTarget.value)}
        />
      </label>
      <button type="submit" class="secondary">
        {say("save")}
      </button>
    </form>
  );
}

function Checkin({ elder }: { elder: Elder }) {
  const plan = useLoaded(async () => {
    const answer = await api.GET("/v1/miniapps/elderly_care/elders/{elder_id}/checkin-plan", {
      params: { path: { elder_id: elder.id } },
    });
    // No plan yet is an answer, not a failure: the elder sets one here.
    const code = (answer.error as { code?: string } | undefined)?.code;
    if (answer.response.status === 404 && code === "no_checkin_plan") return { set: null };
    return { set: need(answer) };
  }, [elder.id]);
  const days = useLoaded(
    async () =>
      need(
        await api.GET("/v1/miniapps/elderly_care/elders/{elder_id}/checkins", {
          params: { path: { elder_id: elder.id }, query: { limit: 7 } },
        }),
      ),
    [elder.id],
  );
  const [editing, setEditing] = useState(false);
  const [problem, act] = useAction();
  const today = days.data?.items.find((day) => day.day === cityToday()) ?? null;
  const done = today?.checked_in_at != null;
  const checkIn = () =>
    act(async () => {
      need(
        await api.POST("/v1/miniapps/elderly_care/elders/{elder_id}/checkins", {
          params: { path: { elder_id: elder.id } },
        }),
      );
      days.reload();
    });
  const planned = plan.data?.set ?? null;
  const everyDay = planned !== null && WEEK.every((day) => planned.days.includes(day));
  return (
    <Section title={say("checkin")}>
      <ProblemBanner problem={problem ?? plan.problem ?? days.problem} />
      {days.data && (
        <div class="care-today" data-checked-in={done ? "true" : "false"}>
          <p class="care-state">
            <strong>{done ? say("checkedInToday") : say("notYetToday")}</strong>
            {done && ` · ${when(today!.checked_in_at)}`}
          </p>
          <p>
            {say("streak")}: <strong class="care-streak">{days.data.streak}</strong>
          </p>
        </div>
      )}
      {planned && (
        <button
          type="button"
          class="care-big care-checkin"
          disabled={done}
          onClick={() => void checkIn()}
        >
          {say("checkinButton")}
        </button>
      )}
      {planned && !editing && (
        <p class="notice care-plan-text">
          {say("plan")}: {everyDay ? say("everyDay") : planned.days.join("、")} {planned.starts}–
          {planned.ends}{" "}
          <button type="button" class="secondary" onClick={() => setEditing(true)}>
            {say("setPlan")}
          </button>
        </p>
      )}
      {plan.data && !plan.data.set && <p class="notice">{say("noPlan")}</p>}
      {plan.data && (editing || !plan.data.set) && (
        <PlanForm
          elder={elder}
          plan={planned}
          saved={() => {
            setEditing(false);
            plan.reload();
          }}
        />
      )}
      {days.data && days.data.items.length > 0 && (
        <>
          <h3>{say("history")}</h3>
          <ul class="care-days">
            {days.data.items.map((day) => (
              <li key={day.day} data-day={day.day}>
                {day.day} · {day.checked_in_at ? when(day.checked_in_at) : say("missed")}
                {day.on_behalf && ` · ${say("onBehalf")}`}
              </li>
            ))}
          </ul>
        </>
      )}
    </Section>
  );
}

/** The invite drawn as a QR code in the page: one SVG path, no image from elsewhere. */
function QrCode({ text, label }: { text: string; label: string }) {
  const code = qrcode(0, "M");
  code.addData(text);
  code.make();
  const count = code.getModuleCount();
  let path = "";
  for (let row = 0; row < count; row++) {
    for (let col = 0; col < count; col++) {
      if (code.isDark(row, col)) path += `M${col + 4},${row + 4}h1v1h-1z`;
    }
  }
  const size = count + 8;
  return (
    <svg class="care-qr" viewBox={`0 0 ${size} ${size}`} role="img" aria-label={label}>
      <rect width={size} height={size} fill="#ffffff" />
      <path d={path} fill="#000000" />
    </svg>
  );
}

function Circle({ elder, changed }: { elder: Elder; changed: () => void }) {
  const invite = useLoaded(
    async () =>
      need(
        await api.GET("/v1/miniapps/elderly_care/elders/{elder_id}/invite", {
          params: { path: { elder_id: elder.id } },
        }),
      ).invite,
    [elder.id],
  );
  const [problem, act] = useAction();
  const decide = (binding: number, choice: "accept" | "decline") =>
    act(async () => {
      const path = { elder_id: elder.id, binding_id: binding };
      const route =
        choice === "accept"
          ? "/v1/miniapps/elderly_care/elders/{elder_id}/family/{binding_id}/accept"
          : "/v1/miniapps/elderly_care/elders/{elder_id}/family/{binding_id}/decline";
      need(await api.POST(route, { params: { path }, body: {} }));
      changed();
    });
  const shown = elder.family.filter(
    (binding) => binding.status === "pending" || binding.status === "accepted",
  );
  return (
    <>
      <Section title={say("profile")}>
        <dl class="care-profile">
          <dt>{elder.name}</dt>
          <dd>
            {say("grid")}: {elder.grid_path}
          </dd>
          <dd>
            {say("careWorker")}: {elder.care_worker?.name ?? say("none")}
          </dd>
          <dd>
            {say("gridWorker")}: {elder.grid_worker?.name ?? say("none")}
          </dd>
          <dd>
            {say("livingAlone")}: {elder.living_alone ? say("yes") : say("no")}
          </dd>
        </dl>
      </Section>
      <Section title={say("circle")}>
        <ProblemBanner problem={problem} />
        {shown.length === 0 && <p class="empty">{say("noFamily")}</p>}
        <ul class="care-circle">
          {shown.map((binding) => (
            <li key={binding.id} data-binding={binding.id} data-status={binding.status}>
              <span>
                {binding.member_name} · {binding.relation}
              </span>
              <span class="state">{STATUS(binding.status)}</span>
              {binding.status === "pending" && (
                <span class="care-decide">
                  <button
                    type="button"
                    data-decide="accept"
                    onClick={() => void decide(binding.id, "accept")}
                  >
                    {say("accept")}
                  </button>
                  <button
                    type="button"
                    class="secondary"
                    data-decide="decline"
                    onClick={() => void decide(binding.id, "decline")}
                  >
                    {say("decline")}
                  </button>
                </span>
              )}
            </li>
          ))}
        </ul>
      </Section>
      <Section title={say("invite")}>
        <ProblemBanner problem={invite.problem} />
        {invite.data && (
          <div class="care-invite">
            <p>{say("inviteHint")}</p>
            <QrCode text={invite.data} label={say("invite")} />
            <p>
              {say("inviteCode")}: <code class="care-invite-code">{invite.data}</code>
            </p>
          </div>
        )}
      </Section>
    </>
  );
}

function CaringFor() {
  const elders = useLoaded(
    async () => need(await api.GET("/v1/miniapps/elderly_care/family/elders")).items,
  );
  if (!elders.data?.length && !elders.problem) return null;
  return (
    <Section title={say("caringFor")}>
      <ProblemBanner problem={elders.problem} />
      <ul class="care-circle">
        {elders.data?.map((item) => (
          <li key={item.elder_id}>
            {item.name} · {item.relation}
          </li>
        ))}
      </ul>
    </Section>
  );
}

export function ElderlyCare({ screen }: { screen: string }) {
  const own = useOwnElder();
  if (!own.ready) return <ProblemBanner problem={own.problem} />;
  const enrol = own.me && !own.elder ? <Enrol enrolled={own.reload} /> : null;
  if (screen === "family") {
    return (
      <>
        {own.elder ? <Circle elder={own.elder} changed={own.reload} /> : enrol}
        <CaringFor />
      </>
    );
  }
  if (!own.elder) return enrol;
  if (screen === "checkin") return <Checkin elder={own.elder} />;
  if (screen === "sos") return <Sos elder={own.elder} />;
  go("elderly_care", "sos");
  return null;
}
