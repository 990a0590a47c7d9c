/* The page's scheduler: Anki's SM-2 ("classic" scheduling, Anki 2.1's v3 scheduler with
   FSRS off) with the default options of Anki's "Default" preset, and no fuzz, so the
   same answers always give the same intervals.

   - New and learning cards step through 1 and 10 minutes; Good on the last step
     graduates to 1 day, Easy to 4 days. Hard on the first step waits the mean of the
     first two steps (5.5 minutes), on a later step repeats it.
   - A review card's interval grows by 1.2 on Hard (ease -0.15), by the ease on Good
     (half the days late counted), by ease x 1.3 on Easy (ease +0.15, all the days late
     counted); each answer gives at least a day more than the one below it. A review
     before its day counts as on time, as Anki does outside filtered decks.
   - Again on a review card is a lapse: ease -0.2 (never below 1.3), one relearning
     step of 10 minutes, then back to reviews at 1 day (Easy: 2 days).
   - Days begin at 4 a.m. local time, as in Anki.
   Interval arithmetic is done in 32-bit floats, as Anki does, so rounding matches it. */
var cardpressScheduler = (function () {
  "use strict";

  var MINUTE = 60000;
  var DAY = 86400000;
  var LEARN_AHEAD = 20 * 60000;
  var f = Math.fround;
  var OPTIONS = Object.freeze({
    learnSteps: [1, 10], /* minutes */
    relearnSteps: [10],
    graduatingInterval: 1, /* days */
    easyInterval: 4,
    startingEase: 2.5,
    easyBonus: 1.3,
    hardInterval: 1.2,
    lapseInterval: 0, /* "new interval": the share of the old interval kept on a lapse */
    minimumInterval: 1,
    maximumInterval: 36500,
    minimumEase: 1.3,
    rolloverHour: 4
  });
  var GRADES = ["again", "hard", "good", "easy"];

  /* The day a moment falls in, counted in local days that start at the rollover hour. */
  function dayNumber(ms) {
    var offset = new Date(ms).getTimezoneOffset() * MINUTE;
    return Math.floor((ms - offset - OPTIONS.rolloverHour * 3600000) / DAY);
  }

  function newState() {
    return { queue: "new", step: 0, ivl: 0, ease: OPTIONS.startingEase, due: 0, lapses: 0, reps: 0, last: 0 };
  }

  function copy(state) {
    return {
      queue: state.queue, step: state.step, ivl: state.ivl, ease: state.ease,
      due: state.due, lapses: state.lapses, reps: state.reps, last: state.last
    };
  }

  /* Minutes to wait after Hard on a learning step. */
  function hardDelay(steps, step) {
    if (step > 0) return steps[Math.min(step, steps.length - 1)];
    if (steps.length > 1) return (steps[0] + steps[1]) / 2;
    return Math.min(steps[0] * 1.5, steps[0] + 1440);
  }

  /* Round and keep within the minimum (at least 1 day) and the maximum interval. */
  function constrain(days, minimum) {
    var low = Math.min(Math.max(minimum, OPTIONS.minimumInterval), OPTIONS.maximumInterval);
    return Math.min(Math.max(Math.round(days), low), OPTIONS.maximumInterval);
  }

  /* Hard, Good and Easy intervals for a review card answered on ``today``. */
  function reviewIntervals(state, today) {
    var ease = f(state.ease);
    var hardFactor = f(OPTIONS.hardInterval);
    var bonus = f(OPTIONS.easyBonus);
    var late = Math.max(0, today - dayNumber(state.due)); /* early counts as on time */
    var current = f(state.ivl);
    var hard = constrain(f(current * hardFactor), state.ivl + 1);
    var good = constrain(f(f(current + f(late / 2)) * ease), hard + 1);
    var easy = constrain(f(f(f(current + late) * ease) * bonus), good + 1);
    return [hard, good, easy];
  }

  function toLearning(state, queue, minutes, now) {
    state.queue = queue;
    state.due = now + Math.round(minutes * MINUTE);
    return state;
  }

  function toReview(state, days, now) {
    state.queue = "review";
    state.step = 0;
    state.ivl = days;
    state.due = now + days * DAY;
    return state;
  }

  /* The state after answering ``grade`` (1 Again, 2 Hard, 3 Good, 4 Easy) at ``now``. */
  function answer(previous, grade, now) {
    var state = copy(previous);
    state.reps += 1;
    state.last = now;
    if (state.queue === "new") {
      state.queue = "learn";
      state.step = 0;
      state.ease = OPTIONS.startingEase;
    }
    if (state.queue === "learn" || state.queue === "relearn") {
      var relearning = state.queue === "relearn";
      var steps = relearning ? OPTIONS.relearnSteps : OPTIONS.learnSteps;
      if (grade === 1) {
        state.step = 0;
        return toLearning(state, state.queue, steps[0], now);
      }
      if (grade === 2) return toLearning(state, state.queue, hardDelay(steps, state.step), now);
      if (grade === 3 && state.step + 1 < steps.length) {
        state.step += 1;
        return toLearning(state, state.queue, steps[state.step], now);
      }
      if (relearning) return toReview(state, grade === 4 ? state.ivl + 1 : state.ivl, now);
      var good = constrain(OPTIONS.graduatingInterval, 1);
      return toReview(state, grade === 4 ? constrain(OPTIONS.easyInterval, good + 1) : good, now);
    }
    if (grade === 1) {
      state.lapses += 1;
      state.ease = Math.max(OPTIONS.minimumEase, round2(state.ease - 0.2));
      state.ivl = constrain(Math.floor(f(f(state.ivl) * f(OPTIONS.lapseInterval))), 0);
      state.step = 0;
      return toLearning(state, "relearn", OPTIONS.relearnSteps[0], now);
    }
    var intervals = reviewIntervals(previous, dayNumber(now));
    if (grade === 2) state.ease = Math.max(OPTIONS.minimumEase, round2(state.ease - 0.15));
    if (grade === 4) state.ease = round2(state.ease + 0.15);
    return toReview(state, intervals[grade - 2], now);
  }

  /* Ease is kept in thousandths, as Anki keeps it: no drift from repeated sums. */
  function round2(value) {
    return Math.round(value * 1000) / 1000;
  }

  /* What each of the four answers would do: the wait in milliseconds, for the buttons. */
  function preview(state, now) {
    return [1, 2, 3, 4].map(function (grade) {
      return answer(state, grade, now).due - now;
    });
  }

  /* Due by the end of the day ``now`` falls in (learning cards later today count too). */
  function isDue(state, now) {
    return state.queue !== "new" && dayNumber(state.due) <= dayNumber(now);
  }

  /* A wait as Anki writes it: seconds, minutes and days whole, hours, months and years
     to a tenth (50 days is 1.6mo: Anki's month is 30.417 days, its year 365). */
  function describe(ms) {
    var seconds = Math.max(0, ms / 1000);
    var units = [[60, 1, "s", 1], [3600, 60, "m", 1], [86400, 3600, "h", 10],
      [2628028.8, 86400, "d", 1], [31536000, 2628028.8, "mo", 10]];
    for (var i = 0; i < units.length; i++) {
      if (seconds < units[i][0]) return amount(seconds / units[i][1], units[i][3]) + units[i][2];
    }
    return amount(seconds / 31536000, 10) + "y";
  }

  function amount(value, scale) {
    return String(Math.round(value * scale) / scale);
  }

  /* A grade button's label: waits shorter than Anki's learn-ahead limit (20 minutes)
     are written "<1m", "<10m", as Anki writes them. */
  function buttonLabel(ms) {
    return (ms < LEARN_AHEAD ? "<" : "") + describe(ms);
  }

  return Object.freeze({
    OPTIONS: OPTIONS,
    GRADES: GRADES,
    DAY: DAY,
    MINUTE: MINUTE,
    newState: newState,
    answer: answer,
    preview: preview,
    isDue: isDue,
    dayNumber: dayNumber,
    describe: describe,
    buttonLabel: buttonLabel
  });
})();
