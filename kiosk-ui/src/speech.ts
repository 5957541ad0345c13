/**
 * Spoken prompts (适老化): speechSynthesis in Chinese where the runtime has it, and only in elder mode
 * (a hall full of kiosks all talking at once helps no one). A no-op where there is no speech synthesis.
 */
import { getSession, subscribe } from './state/session';

let voice: SpeechSynthesisVoice | undefined;

function chineseVoice(synth: SpeechSynthesis): SpeechSynthesisVoice | undefined {
  voice ??= synth.getVoices().find((v) => v.lang.toLowerCase().startsWith('zh'));
  return voice;
}

/** The last text spoken (for tests and for a "再听一遍" button). */
export let lastSpoken: string | undefined;

export function speechAvailable(): boolean {
  return typeof window !== 'undefined' && 'speechSynthesis' in window && typeof SpeechSynthesisUtterance !== 'undefined';
}

export function speak(text: string): void {
  if (!getSession().elder || !speechAvailable()) return;
  lastSpoken = text;
  const synth = window.speechSynthesis;
  try {
    synth.cancel(); // the new screen's prompt replaces the old one
    const u = new SpeechSynthesisUtterance(text);
    u.lang = 'zh-CN';
    u.rate = 0.9;
    const v = chineseVoice(synth);
    if (v) u.voice = v;
    synth.speak(u);
  } catch {
    // speech is a help, never a requirement
  }
}

export function stopSpeaking(): void {
  if (speechAvailable()) window.speechSynthesis.cancel();
}

// Elder mode off (the citizen switched it off, or the session was reset): stop talking at once.
subscribe(() => {
  if (!getSession().elder) stopSpeaking();
});
