/**
 * 身份核验: the citizen puts their ID card on the reader or shows their personal QR code (电子身份码) to the
 * scanner; both are awaited at once (IdentityCard.ReadCard and BarcodeReader.Read through the devices
 * socket). A scanned code goes to the agent (POST /api/identify/code), which verifies it: the page never
 * reads personal data out of a code. The visit goes on: a pick-up to the pick-up screen, an application to
 * the form when an item was chosen first (both show who it is themselves, the form pre-filled), else the
 * bound applicant is shown masked (张*三 / 3416**********1234) for a moment, then the items. Every failure is a `fault` notice saying what to do, with 重试; the device
 * commands are canceled when the screen is left.
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/client';
import { devices, type Completion } from '../api/devices';
import { explain } from '../api/explain';
import { BigButton } from '../components/button';
import { Notice } from '../components/notice';
import { Screen } from '../components/screen';
import { applicantFromCard, applicantFromCode, maskIdNumber, maskName } from '../identify/applicant';
import { deviceFault, type Channel } from '../identify/faults';
import { speak } from '../speech';
import { getSession, go, sessionGeneration, update, useSession, type Applicant } from '../state/session';

/** How long the devices wait for a card or a code before the screen says so (the idle countdown comes later). */
const WAIT_MS = 90_000;
/** How long the masked applicant shows before the visit goes on by itself (继续 goes at once). */
const SHOW_MS = 2500;
const SHOW_MS_ELDER = 4000;

type Phase = 'waiting' | 'reading' | 'checking' | 'bound';

const GARBLED = '未能识别这个二维码。请打开手机上的“电子身份码”，调亮屏幕后对准扫码口重新扫描；也可以刷身份证。';
const TIMED_OUT = '等待超时，没有读到身份证或电子身份码。请点“重试”，再将身份证放在感应区，或将电子身份码对准扫码口。';

/** Whether the next screen shows the applicant itself (else this one shows them masked for a moment). */
function showsApplicant(): boolean {
  const s = getSession();
  return s.purpose === 'pickup' || s.itemCode !== undefined;
}

function nextScreen(): void {
  const s = getSession();
  if (s.purpose === 'pickup') go('pickup');
  else go(s.itemCode ? 'form' : 'items');
}

export default function IdentifyScreen() {
  const purpose = useSession((s) => s.purpose);
  const elder = useSession((s) => s.elder);
  const [phase, setPhase] = useState<Phase>('waiting');
  const [fault, setFault] = useState<string | undefined>();
  const [bound, setBound] = useState<Applicant | undefined>();
  /** Bumped by 重试 / 不是本人: the effect below starts both waits afresh. */
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const ctl = new AbortController();
    const generation = sessionGeneration();
    let over = false;
    const alive = (): boolean => !over && !ctl.signal.aborted && sessionGeneration() === generation;
    const stopAll = (): void => {
      over = true;
      ctl.abort(); // cancels both device commands (Common.Cancel)
    };
    const showFault = (text: string): void => {
      setFault(text);
      speak(text);
    };
    const bind = (a: Applicant): void => {
      if (!alive()) return;
      stopAll();
      update({ applicant: a });
      speak('身份核验成功');
      // The form (pre-filled) and the pick-up screen (its greeting) show who it is themselves: on at once.
      if (showsApplicant()) return nextScreen();
      setFault(undefined);
      setBound(a);
      setPhase('bound');
    };
    const timedOut = (): void => {
      if (!alive()) return;
      stopAll();
      setPhase('waiting');
      showFault(TIMED_OUT);
    };
    /** One device failed: say so; the other keeps waiting (a broken reader leaves the scanner usable). */
    const channelFailed = (channel: Channel, c: Completion): void => {
      if (!alive()) return;
      if (c.completionCode === 'timeOut') return timedOut();
      // Canceled but not by this screen: the socket to the agent dropped (the agent restarting).
      if (c.completionCode === 'canceled') c = { completionCode: 'deviceNotReady', payload: {} };
      setPhase('waiting');
      showFault(deviceFault(channel, c));
    };

    const readCard = async (): Promise<void> => {
      const c = await devices.command('IdentityCard.ReadCard', {}, {
        signal: ctl.signal,
        timeoutMs: WAIT_MS,
        onEvent: (name) => {
          if (name === 'IdentityCard.MediaInsertedEvent' && alive()) setPhase('reading');
        },
      });
      if (!alive()) return;
      if (c.completionCode === 'success') {
        const a = applicantFromCard(c.payload?.card);
        if (a) return bind(a);
        return channelFailed('card', { completionCode: 'invalidData', payload: {} });
      }
      channelFailed('card', c);
    };

    const readCodes = async (): Promise<void> => {
      // One code after another: a bad code is explained and the scanner goes on listening.
      while (alive()) {
        const c = await devices.command('BarcodeReader.Read', {}, { signal: ctl.signal, timeoutMs: WAIT_MS });
        if (!alive()) return;
        if (c.completionCode !== 'success') return channelFailed('scan', c);
        const text: unknown = c.payload?.codes?.[0]?.text;
        if (typeof text !== 'string' || text === '') {
          showFault(GARBLED);
          continue;
        }
        setPhase('checking');
        try {
          const answer = await api.post<unknown>('/api/identify/code', { text });
          const a = applicantFromCode(answer);
          if (a) return bind(a);
          if (alive()) showFault(GARBLED);
        } catch (err) {
          if (!alive()) return;
          showFault(explain(err));
        }
        if (alive()) setPhase('waiting');
      }
    };

    setPhase('waiting');
    void readCard();
    void readCodes();
    // The agent times the commands out; this covers a socket that never connected.
    const guard = setTimeout(timedOut, WAIT_MS + 5000);
    return () => {
      clearTimeout(guard);
      stopAll();
    };
  }, [attempt]);

  // The masked applicant shows for a moment, then the visit goes on (继续 goes at once).
  useEffect(() => {
    if (!bound) return;
    const t = setTimeout(nextScreen, elder ? SHOW_MS_ELDER : SHOW_MS);
    return () => clearTimeout(t);
  }, [bound]);

  const retry = (): void => {
    setFault(undefined);
    setBound(undefined);
    setAttempt((n) => n + 1);
  };
  const notMe = (): void => {
    update({ applicant: undefined });
    retry();
  };

  const title = purpose === 'pickup' ? '取件打印 · 身份核验' : '身份核验';
  return (
    <Screen id="identify" title={title} back={() => go(getSession().itemCode && purpose === 'apply' ? 'items' : 'start')} prompt="请将身份证放在感应区，或将手机上的电子身份码对准扫码口。">
      {bound ? (
        <section class="identify-bound" data-testid="identify-applicant" aria-live="polite">
          <Notice kind="ok" title="身份核验成功">
            <p>请核对您的信息：</p>
          </Notice>
          <dl class="identify-person">
            <dt>姓名</dt>
            <dd data-testid="identify-name">{maskName(bound.name)}</dd>
            <dt>证件号码</dt>
            <dd data-testid="identify-id">{maskIdNumber(bound.idNumber)}</dd>
            <dt>核验方式</dt>
            <dd>{bound.source === 'idcard' ? '居民身份证' : '电子身份码'}</dd>
          </dl>
          <div class="identify-actions">
            <BigButton testid="identify-continue" label="继续选择事项" sub="正在进入下一步…" onClick={nextScreen} />
            <BigButton testid="identify-again" kind="secondary" label="不是本人，重新核验" onClick={notMe} />
          </div>
        </section>
      ) : (
        <>
          <p class="lead identify-lead">请刷身份证或扫描电子身份码</p>
          <div class="identify-ways" data-testid="identify-prompt" data-phase={phase}>
            <figure class="identify-way">
              <CardArt reading={phase === 'reading'} />
              <figcaption>
                <strong>刷身份证</strong>
                <span>请将身份证放在感应区</span>
              </figcaption>
            </figure>
            <figure class="identify-way">
              <CodeArt />
              <figcaption>
                <strong>扫电子身份码</strong>
                <span>打开“皖事通”等应用的电子身份码，对准扫码口</span>
              </figcaption>
            </figure>
          </div>
          <p class="identify-status" role="status" data-testid="identify-status">
            {phase === 'reading' ? '正在读取身份证，请不要移动…' : phase === 'checking' ? '正在核验电子身份码…' : '等待刷证或扫码…'}
          </p>
          {fault !== undefined && (
            <div class="identify-fault">
              <Notice kind="error" testid="fault" title="未能完成身份核验">
                <p>{fault}</p>
              </Notice>
              <BigButton testid="fault-retry" label="重试" onClick={retry} />
            </div>
          )}
          <p class="muted identify-privacy">您的身份信息仅用于本次办理，离开后即从本机页面清除。</p>
        </>
      )}
    </Screen>
  );
}

/** The card reader with a card laid on it (pulsing while the card is read): drawn, no image files. */
function CardArt({ reading }: { reading: boolean }) {
  return (
    <svg class={`identify-art card-art${reading ? ' reading' : ''}`} data-testid="identify-card-art" viewBox="0 0 240 180" role="img" aria-label="身份证放在感应区的示意图">
      <rect x="20" y="110" width="200" height="50" rx="10" fill="#0b4a8b" />
      <rect x="60" y="122" width="120" height="8" rx="4" fill="#8fb6e0" />
      <g class="card-art-card">
        <rect x="50" y="30" width="140" height="88" rx="10" fill="#ffffff" stroke="#0b57a4" stroke-width="4" />
        <rect x="64" y="46" width="34" height="44" rx="4" fill="#cfe0f3" />
        <rect x="108" y="50" width="66" height="8" rx="4" fill="#4a5462" />
        <rect x="108" y="66" width="52" height="8" rx="4" fill="#4a5462" />
        <rect x="64" y="98" width="110" height="8" rx="4" fill="#4a5462" />
      </g>
      <path class="card-art-waves" d="M200 40 q14 18 0 36 M212 32 q22 26 0 52" fill="none" stroke="#f5a000" stroke-width="5" stroke-linecap="round" />
    </svg>
  );
}

/** A phone showing a QR code towards the scanner. */
function CodeArt() {
  const cells = [0, 1, 2, 4, 6, 7, 9, 12, 13, 15, 16, 18, 20, 22, 23, 24];
  return (
    <svg class="identify-art code-art" viewBox="0 0 240 180" role="img" aria-label="手机电子身份码对准扫码口的示意图">
      <rect x="80" y="10" width="90" height="160" rx="14" fill="#1b1f24" />
      <rect x="88" y="26" width="74" height="126" rx="4" fill="#ffffff" />
      <rect x="92" y="32" width="66" height="12" rx="3" fill="#1b6e35" />
      {cells.map((i) => (
        <rect key={i} x={98 + (i % 5) * 11} y={56 + Math.floor(i / 5) * 11} width="10" height="10" fill="#1b1f24" />
      ))}
      <path d="M30 60 h30 M30 90 h30 M30 120 h30" stroke="#f5a000" stroke-width="5" stroke-linecap="round" />
    </svg>
  );
}
