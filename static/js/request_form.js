// The request form, enhanced: show the format, the coalition members and the
// checklist of policy tools only for the tracks that need them, mark crisis
// requests urgent, and move focus to the notice or the error summary after a
// refused submission. Without
// this script every part of the form stays visible and the server checks the
// same rules.
(function () {
  "use strict";

  var summary =
    document.getElementById("form-refused") || document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }

  var form = document.getElementById("request-form");
  var flagsElement = document.getElementById("track-flags");
  var trackSelect = document.getElementById("id_track");
  if (!form || !flagsElement || !trackSelect) {
    return;
  }
  var flags = JSON.parse(flagsElement.textContent);
  var formatWrapper = document.getElementById("div_id_track_format");
  var formatSelect = document.getElementById("id_track_format");
  var members = document.getElementById("coalition-members");
  var checklist = document.getElementById("checklist-section");
  var urgent = form.querySelector('input[name="urgency"][value="urgent"]');

  function update() {
    var track = flags[trackSelect.value] || {};
    if (formatWrapper && formatSelect) {
      formatWrapper.hidden = !track.formats;
      var selectedTitle = trackSelect.options[trackSelect.selectedIndex].text;
      Array.prototype.forEach.call(formatSelect.querySelectorAll("optgroup"), function (group) {
        var matches = group.label === selectedTitle;
        group.hidden = !matches;
        group.disabled = !matches;
      });
      var chosen = formatSelect.options[formatSelect.selectedIndex];
      if (!track.formats || (chosen && chosen.parentNode.disabled)) {
        formatSelect.value = "";
      }
    }
    if (members) {
      members.hidden = !track.coalition;
    }
    if (checklist) {
      checklist.hidden = !track.checklist;
    }
    if (urgent && track.crisis) {
      urgent.checked = true;
    }
  }

  trackSelect.addEventListener("change", update);
  update();
})();
