/* Veriga lesson quiz for SCORM 1.2: checks the answers in the page, shows the feedback on
   every choice picked, and reports the score and status to the LMS through the SCORM 1.2
   API (LMSInitialize, LMSSetValue, LMSCommit, LMSFinish), found by walking up
   window.parent and then window.opener. Without an LMS the quiz still works. */
(function () {
  "use strict";

  function findIn(win) {
    var hops = 0;
    while (win && !win.API && win.parent && win.parent !== win && hops < 20) {
      win = win.parent;
      hops += 1;
    }
    return win && win.API ? win.API : null;
  }

  function findAPI() {
    var api = null;
    try { api = findIn(window); } catch (e) { api = null; }
    if (!api && window.opener) {
      try { api = findIn(window.opener); } catch (e) { api = null; }
    }
    return api;
  }

  var api = findAPI();
  var started = false;
  var finished = false;

  function lms(name) {
    if (!api || !started || finished) { return ""; }
    try {
      return String(api[name].apply(api, Array.prototype.slice.call(arguments, 1)));
    } catch (e) {
      return "";
    }
  }

  function start() {
    if (!api) { return; }
    try { started = String(api.LMSInitialize("")) === "true"; } catch (e) { started = false; }
    var status = lms("LMSGetValue", "cmi.core.lesson_status");
    if (status === "" || status === "not attempted") {
      lms("LMSSetValue", "cmi.core.lesson_status", "incomplete");
      lms("LMSCommit", "");
    }
  }

  function finish() {
    if (started && !finished) {
      lms("LMSCommit", "");
      lms("LMSFinish", "");
      finished = true;
    }
  }

  function check(data, form) {
    var right = 0;
    data.questions.forEach(function (q, qi) {
      var picked = [];
      var inputs = form.querySelectorAll("input[name='q" + qi + "']");
      Array.prototype.forEach.call(inputs, function (input) {
        var ci = Number(input.value);
        var box = document.getElementById("fb-" + qi + "-" + ci);
        if (input.checked) {
          picked.push(ci);
          box.textContent = (q.choices[ci].correct ? data.labels.right : data.labels.wrong) +
            " " + q.choices[ci].feedback;
          box.hidden = false;
        } else {
          box.hidden = true;
        }
      });
      var ok = picked.length === q.choices.filter(function (c) { return c.correct; }).length &&
        picked.every(function (ci) { return q.choices[ci].correct; });
      if (ok) { right += 1; }
    });
    var score = data.questions.length ? Math.round(100 * right / data.questions.length) : 0;
    var result = document.getElementById("veriga-result");
    result.textContent = data.labels.score + " " + score + " / 100";
    result.hidden = false;
    lms("LMSSetValue", "cmi.core.score.raw", String(score));
    lms("LMSSetValue", "cmi.core.score.min", "0");
    lms("LMSSetValue", "cmi.core.score.max", "100");
    lms("LMSSetValue", "cmi.core.lesson_status", score >= data.mastery ? "passed" : "failed");
    lms("LMSCommit", "");
  }

  window.addEventListener("load", function () {
    start();
    var source = document.getElementById("veriga-quiz");
    var form = document.getElementById("veriga-quiz-form");
    if (!source || !form) { return; }
    var data = JSON.parse(source.textContent);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      check(data, form);
    });
  });
  window.addEventListener("beforeunload", finish);
  window.addEventListener("unload", finish);
}());
