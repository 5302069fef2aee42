// Small behaviours shared by every page; no framework beyond htmx.
document.addEventListener("click", function (event) {
  var choice = event.target.closest(".picker-choice");
  if (!choice) return;
  var picker = choice.closest(".area-picker");
  picker.querySelector("input[type=hidden]").value = choice.dataset.id;
  picker.querySelector(".picker-search").value = choice.dataset.name;
  picker.querySelector(".picker-results").innerHTML = "";
});

// An area picker whose text is emptied no longer holds an area (a filter can be cleared).
document.addEventListener("input", function (event) {
  var search = event.target.closest(".picker-search");
  if (search && !search.value) search.closest(".area-picker").querySelector("input[type=hidden]").value = "";
});

// Case intake: the grade belongs to disputes; a reason is asked for a back-dated receipt.
function fqSyncIntake(form) {
  var kind = form.querySelector("[name=kind]");
  if (kind) {
    form.querySelectorAll("[data-kind-only]").forEach(function (el) {
      el.hidden = el.dataset.kindOnly !== kind.value;
    });
  }
  var received = form.querySelector("[name=received_at]");
  var opened = form.querySelector("[name=opened_at]");
  var reason = form.querySelector(".backdate");
  if (received && opened && reason && !reason.querySelector(".field-error")) {
    var earlier = received.value && opened.value &&
      new Date(received.value).getTime() < new Date(opened.value).getTime() - 15 * 60 * 1000;
    reason.hidden = !earlier && !reason.querySelector("textarea, input").value;
  }
}
document.addEventListener("change", function (event) {
  var form = event.target.closest("form.intake");
  if (form) fqSyncIntake(form);
});
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form.intake").forEach(fqSyncIntake);
});

// Parties: pick a search result, change it, or add another party slot.
document.addEventListener("click", function (event) {
  var choice = event.target.closest(".party-choice");
  if (choice) {
    var party = choice.closest(".party");
    party.querySelector("input[name$='-person']").value = choice.dataset.person || "";
    party.querySelector("input[name$='-organization']").value = choice.dataset.organization || "";
    party.querySelector(".party-chosen-label").textContent = choice.dataset.label;
    party.querySelector(".party-chosen").hidden = false;
    party.querySelector(".party-find").hidden = true;
    party.querySelector(".party-results").innerHTML = "";
    party.querySelectorAll(".party-new input, .party-new select").forEach(function (el) { el.value = ""; });
    return;
  }
  var clear = event.target.closest(".party-clear");
  if (clear) {
    var cleared = clear.closest(".party");
    cleared.querySelector("input[name$='-person']").value = "";
    cleared.querySelector("input[name$='-organization']").value = "";
    cleared.querySelector(".party-chosen").hidden = true;
    cleared.querySelector(".party-find").hidden = false;
    cleared.querySelector(".party-search").focus();
    return;
  }
  var add = event.target.closest(".add-party");
  if (add) {
    var section = add.closest(".parties");
    var total = section.querySelector("input[name$='-TOTAL_FORMS']");
    var index = parseInt(total.value, 10);
    if (index >= parseInt(add.dataset.max, 10)) return;
    var html = section.querySelector("#party-template").innerHTML.replace(/__prefix__/g, String(index));
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var fresh = holder.firstElementChild;
    section.querySelector(".party-list").appendChild(fresh);
    total.value = String(index + 1);
    if (window.htmx) htmx.process(fresh);
    if (index + 1 >= parseInt(add.dataset.max, 10)) add.hidden = true;
    fresh.querySelector("select").focus();
  }
});

// The page carries no inline script or style (Content-Security-Policy: script-src 'self',
// style-src 'self'): what used to be an onchange attribute or a style attribute is done here.

// The language menu switches as soon as a language is chosen (the button is for no-script).
document.addEventListener("change", function (event) {
  var select = event.target.closest("select[data-submit-on-change]");
  if (select && select.form) select.form.submit();
});

// A supervision level's colour is chosen in the admin, so it comes as data-level-colour and
// is set as the --level-colour variable through the CSSOM, which the policy allows.
function fqLevelColours(root) {
  var nodes = Array.prototype.slice.call(root.querySelectorAll("[data-level-colour]"));
  if (root.matches && root.matches("[data-level-colour]")) nodes.push(root);
  nodes.forEach(function (el) {
    var colour = el.dataset.levelColour;
    if (/^#[0-9a-fA-F]{6}$/.test(colour)) el.style.setProperty("--level-colour", colour);
  });
}

// "Back" on the error pages: offered only when there is a page to go back to.
function fqBackButtons(root) {
  root.querySelectorAll("[data-history-back]").forEach(function (button) {
    button.hidden = window.history.length < 2;
  });
}
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-history-back]")) window.history.back();
});

document.addEventListener("DOMContentLoaded", function () {
  fqLevelColours(document);
  fqBackButtons(document);
});
// Content swapped in by htmx gets the same treatment.
document.addEventListener("htmx:load", function (event) {
  if (event.target !== document.body) fqLevelColours(event.target);
});
