// Unit tests of the DOM-free parts of web/ui.js (formatting, shell quoting, the screen-reader announcer).
import assert from "node:assert/strict";
import { test } from "node:test";

import { Announcer, formatStat } from "../../web/ui.js";

test("formatStat shows plain numbers, rounded for reading, and -1 for nothing", () => {
  assert.equal(formatStat(12), "12");
  assert.equal(formatStat(0.123456), "0.123");
  assert.equal(formatStat(2.5, 1), "2.5");
  assert.equal(formatStat(1.0000001), "1");
  assert.equal(formatStat(Number.NaN), "-1");
  assert.equal(formatStat(null), "-1");
  assert.equal(formatStat(undefined), "-1");
});

// The shell rule moved to web/reproduce.js (no quoting at all: unsafe words are refused); tests/js/reproduce.test.js
// and tests/test_security.py test it.

/** A fake clock and timers: time moves only when the test says so. */
function fakeTime() {
  const time = { now: 0, timers: [] };
  time.clock = () => time.now;
  time.api = {
    setTimeout: (run, wait) => {
      const timer = { at: time.now + wait, run };
      time.timers.push(timer);
      return timer;
    },
    clearTimeout: (timer) => {
      time.timers = time.timers.filter((t) => t !== timer);
    },
  };
  time.advance = (ms) => {
    time.now += ms;
    for (const timer of time.timers.filter((t) => t.at <= time.now)) {
      time.timers = time.timers.filter((t) => t !== timer);
      timer.run();
    }
  };
  return time;
}

test("the announcer speaks at most once per interval, the latest text, never the same twice", () => {
  const time = fakeTime();
  const element = { textContent: "" };
  const voice = new Announcer(element, { everyMs: 3000, clock: time.clock, timers: time.api });
  voice.say("episode 1");
  assert.equal(element.textContent, "episode 1"); // the first speaks at once
  time.advance(1000);
  voice.say("episode 2");
  voice.say("episode 3"); // replaces episode 2 in the queue
  assert.equal(element.textContent, "episode 1");
  time.advance(1999);
  assert.equal(element.textContent, "episode 1");
  time.advance(1);
  assert.equal(element.textContent, "episode 3"); // 3 s after the first
  time.advance(5000);
  voice.say("episode 3"); // the same text: silence
  assert.equal(time.timers.length, 0);
  voice.say("finished", { now: true }); // at once, whatever the interval
  assert.equal(element.textContent, "finished");
  time.advance(100);
  voice.say("paused", { now: true });
  assert.equal(element.textContent, "paused");
});

test("one snapshot, one truth: the shown sentence takes every text at once; the voice, throttled, never an older one", () => {
  const time = fakeTime();
  const voiceElement = { textContent: "" };
  const shown = { textContent: "" };
  const voice = new Announcer(voiceElement, { everyMs: 3000, clock: time.clock, timers: time.api, shown });
  voice.say("Episode 1");
  assert.equal(shown.textContent, "Episode 1");
  assert.equal(voiceElement.textContent, "Episode 1");
  let spoken = voiceElement.textContent;
  let times = 1;
  for (let episode = 2; episode <= 70; episode++) {
    time.advance(100);
    // the voice speaks less often, and what it speaks is the newest text (never one older than the shown one)
    if (voiceElement.textContent !== spoken) {
      assert.equal(voiceElement.textContent, shown.textContent);
      spoken = voiceElement.textContent;
      times += 1;
    }
    voice.say(`Episode ${episode}`);
    assert.equal(shown.textContent, `Episode ${episode}`); // beside the tiles of the same snapshot, never behind
  }
  assert.equal(times, 3, "the voice speaks once per 3 s over 6.9 s");
});
