// The field pages on a grid worker's phone: what is captured (a quick report, a daily log
// entry, with photos shrunk on the phone) goes first into an outbox in IndexedDB
// (idb-keyval), then to the API when the network allows. Each item keeps its own
// Idempotency-Key, so a resend after a lost answer registers nothing twice; an item leaves
// the phone only once the server answered 2xx; an item the server refuses stays, with the
// server's message, to be corrected and sent again. Nothing captured is dropped otherwise.
(function () {
  "use strict";
  var root = document.getElementById("field");
  var dataNode = document.getElementById("field-data");
  if (!root || !dataNode) return;
  var data = JSON.parse(dataNode.textContent);
  var text = data.text || {};
  var store = window.idbKeyval ? idbKeyval.createStore("fengqiao-field", "outbox") : null;
  var flushing = null;
  var sent = [];
  var editing = null; // the outbox item being corrected in this page's form

  function say(key, values) {
    var message = text[key] || key;
    Object.keys(values || {}).forEach(function (name) {
      message = message.split("{" + name + "}").join(values[name]);
    });
    return message;
  }

  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (content !== undefined) node.textContent = content;
    return node;
  }

  // ------------------------------------------------------------------ the outbox
  function uuid() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    if (window.crypto && window.crypto.getRandomValues) {
      window.crypto.getRandomValues(bytes);
    } else {
      for (var i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function items() {
    if (!store) return Promise.resolve([]);
    return idbKeyval.values(store).then(function (all) {
      return all.sort(function (a, b) { return a.created < b.created ? -1 : a.created > b.created ? 1 : 0; });
    });
  }

  function keep(item) { return idbKeyval.set(item.id, item, store); }
  function drop(id) { return idbKeyval.del(id, store); }
  function find(id) { return idbKeyval.get(id, store); }

  function summary(item) {
    var words = "";
    item.fields.forEach(function (pair) { if (pair[0] === "text") words = pair[1]; });
    return words.length > 40 ? words.slice(0, 40) + "…" : words;
  }

  function statusLine(item) {
    if (item.owner !== data.user) return say("otherUser", { name: item.ownerName || "" });
    if (item.status === "refused") return say("refused");
    if (item.status === "signin") return say("signIn");
    if (item.status === "retry") return say("retry");
    return say("waiting");
  }

  function render() {
    return items().then(function (all) {
      var list = document.getElementById("outbox-list");
      var count = document.getElementById("outbox-count");
      var status = document.getElementById("outbox-status");
      if (!list) return;
      list.textContent = "";
      count.textContent = String(all.length);
      var sendButton = document.getElementById("outbox-send");
      if (sendButton) sendButton.hidden = all.length === 0;
      root.classList.toggle("has-waiting", all.length > 0);
      all.forEach(function (item) {
        var li = el("li", "outbox-item " + (item.status || "waiting"));
        li.dataset.id = item.id;
        var head = el("div", "outbox-item-head");
        head.appendChild(el("strong", null, say(item.kind === "report" ? "kindReport" : "kindLog")));
        head.appendChild(el("span", "muted", " " + new Date(item.created).toLocaleString()));
        li.appendChild(head);
        // What someone else captured on this phone is named, not shown.
        if (item.owner === data.user) {
          li.appendChild(el("div", "outbox-summary", summary(item) + (item.photos.length ? " · " + say("photos", { n: item.photos.length }) : "")));
        }
        li.appendChild(el("div", "outbox-state", statusLine(item)));
        if (item.status === "refused" && item.message) {
          var reasons = el("ul", "outbox-reasons field-error");
          var listed = (item.errors && item.errors.length) ? item.errors : [{ message: item.message }];
          listed.forEach(function (problem) { reasons.appendChild(el("li", null, problem.message)); });
          li.appendChild(reasons);
        }
        if (item.owner === data.user && item.status === "refused") {
          var actions = el("div", "outbox-actions");
          var edit = el("a", "button", say("edit"));
          edit.href = data.forms[item.kind] + "#edit=" + encodeURIComponent(item.id);
          edit.dataset.edit = item.id;
          actions.appendChild(edit);
          var resend = el("button", null, say("resend"));
          resend.type = "button";
          resend.dataset.resend = item.id;
          actions.appendChild(resend);
          var discard = el("button", "link", say("discard"));
          discard.type = "button";
          discard.dataset.discard = item.id;
          actions.appendChild(discard);
          li.appendChild(actions);
        }
        list.appendChild(li);
      });
      var sentList = document.getElementById("outbox-sent");
      sentList.textContent = "";
      sent.forEach(function (done) {
        var li = el("li", "outbox-done");
        li.appendChild(el("span", null, done.label + " "));
        if (done.url) {
          var open = el("a", null, say("open"));
          open.href = done.url;
          li.appendChild(open);
        }
        sentList.appendChild(li);
      });
      var mine = all.filter(function (item) { return item.owner === data.user; });
      if (!all.length) status.textContent = say("nothingWaiting");
      else if (!navigator.onLine) status.textContent = say("offlineWaiting");
      else if (mine.some(function (item) { return item.status === "signin"; })) {
        status.textContent = say("signInToSend") + " ";
        var link = el("a", null, say("signInLink"));
        link.href = data.loginUrl + "?next=" + encodeURIComponent(location.pathname);
        status.appendChild(link);
      } else status.textContent = say("countWaiting", { n: all.length });
    });
  }

  // ------------------------------------------------------------------ sending
  function freshToken() {
    return fetch(data.csrfUrl, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 401) return { signedIn: false };
        if (!response.ok) throw new Error("token " + response.status);
        return response.json().then(function (body) { return { signedIn: true, token: body.token }; });
      });
  }

  function post(item, token) {
    var body = new FormData();
    item.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    item.photos.forEach(function (photo) { body.append("photos", photo.blob, photo.name); });
    return fetch(data.endpoints[item.kind], {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": token, "Idempotency-Key": item.id, Accept: "application/json" }
    });
  }

  function answer(response) {
    return response.json().catch(function () { return {}; });
  }

  var REFUSED = [400, 403, 404, 409, 413, 422];

  function sendOne(item, token) {
    return post(item, token).then(function (response) {
      if (response.ok) {
        return answer(response).then(function (body) {
          var url = body && body.id ? data.results[item.kind].replace("{id}", body.id) : "";
          var label = item.kind === "report"
            ? say("sentReport", { number: body.number || "" })
            : say("sentLog");
          sent.unshift({ label: label, url: url });
          return drop(item.id).then(function () { return "sent"; });
        });
      }
      if (response.status === 401) {
        item.status = "signin";
        return keep(item).then(function () { return "stop"; });
      }
      if (REFUSED.indexOf(response.status) !== -1) {
        return answer(response).then(function (body) {
          // A CSRF token refused ("forbidden" from the session check, not a rule of the
          // domain): the caller fetches a fresh one and tries once more.
          if (response.status === 403 && body.code === "forbidden" && !item.retriedToken) {
            item.retriedToken = true;
            return "token";
          }
          item.retriedToken = false;
          item.status = "refused";
          item.message = body.message || say("refusedUnknown", { status: response.status });
          item.errors = body.errors || [];
          return keep(item).then(function () { return "refused"; });
        });
      }
      // The server could not take it now (5xx, 429): it stays and is tried again later.
      item.status = "retry";
      return keep(item).then(function () { return "stop"; });
    });
  }

  // Send what waits, in the order it was captured. Automatic sends wait for the network;
  // "send now" (`tryAnyway`) tries even when the phone believes it is offline.
  function flush(tryAnyway) {
    if (flushing) return flushing;
    if (!navigator.onLine && !tryAnyway) return render();
    var sentBefore = sent.length;
    flushing = items().then(function (all) {
      var due = all.filter(function (item) {
        return item.owner === data.user && item.status !== "refused";
      });
      if (!due.length) return;
      setStatus(say("sending"));
      return freshToken().then(function (session) {
        if (!session.signedIn) {
          return Promise.all(due.map(function (item) { item.status = "signin"; return keep(item); }));
        }
        var token = session.token;
        var chain = Promise.resolve("next");
        due.forEach(function (item) {
          chain = chain.then(function (state) {
            if (state === "stop") return "stop";
            return sendOne(item, token).then(function (result) {
              if (result !== "token") return result;
              return freshToken().then(function (again) {
                if (!again.signedIn) return "stop";
                token = again.token;
                return sendOne(item, token);
              });
            });
          });
        });
        return chain;
      });
    }).catch(function () {
      // No network, or it dropped half-way: everything not yet answered stays.
    }).then(function () {
      flushing = null;
      var wasSent = sent.length !== sentBefore;
      return render().then(function () { if (wasSent) return refreshToday(); });
    });
    return flushing;
  }

  function setStatus(message) {
    var status = document.getElementById("outbox-status");
    if (status) status.textContent = message;
  }

  // ------------------------------------------------------------------ photos
  function shrink(file) {
    var max = data.photoMaxSide || 1600;
    var decode = window.createImageBitmap
      ? createImageBitmap(file, { imageOrientation: "from-image" }).catch(function () { return createImageBitmap(file); })
      : new Promise(function (resolve, reject) {
        var image = new Image();
        image.onload = function () { resolve(image); };
        image.onerror = reject;
        image.src = URL.createObjectURL(file);
      });
    return decode.then(function (image) {
      var width = image.width, height = image.height;
      var scale = Math.min(1, max / Math.max(width, height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(width * scale));
      canvas.height = Math.max(1, Math.round(height * scale));
      canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve, reject) {
        canvas.toBlob(function (blob) { return blob ? resolve(blob) : reject(new Error("no blob")); }, "image/jpeg", 0.82);
      });
    }).then(function (blob) {
      var base = (file.name || "photo").replace(/\.[^.]*$/, "") || "photo";
      return { blob: blob, name: base + ".jpg", type: "image/jpeg" };
    });
  }

  function Capture(form) {
    this.form = form;
    this.kind = form.dataset.capture;
    this.photos = [];
    this.residents = [];
    this.bind();
    this.reset();
  }

  Capture.prototype.bind = function () {
    var self = this, form = this.form;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.save();
    });
    var picker = form.querySelector("[data-photos]");
    if (picker) {
      picker.addEventListener("change", function () {
        var files = Array.prototype.slice.call(picker.files || []);
        picker.value = "";
        files.reduce(function (chain, file) {
          return chain.then(function () {
            return shrink(file).then(function (photo) {
              if (picker.multiple) self.photos.push(photo);
              else self.photos = [photo];
            }).catch(function () {
              self.problem("photos", say("notAPhoto", { name: file.name }));
            });
          });
        }, Promise.resolve()).then(function () { self.drawPhotos(); });
      });
    }
    form.addEventListener("click", function (event) {
      var remove = event.target.closest("[data-remove-photo]");
      if (remove) {
        self.photos.splice(parseInt(remove.dataset.removePhoto, 10), 1);
        self.drawPhotos();
        return;
      }
      if (event.target.closest("[data-locate]")) {
        self.locate();
        return;
      }
      var choice = event.target.closest(".resident-choice");
      if (choice) {
        self.addResident({ id: choice.dataset.person, label: choice.dataset.label });
        var results = form.querySelector(".resident-results");
        if (results) results.textContent = "";
        var search = form.querySelector("#id_resident_search");
        if (search) search.value = "";
        return;
      }
      var unchoose = event.target.closest("[data-remove-resident]");
      if (unchoose) {
        self.residents = self.residents.filter(function (one) { return String(one.id) !== unchoose.dataset.removeResident; });
        self.drawResidents();
      }
    });
    form.addEventListener("change", function () { self.sync(); });
  };

  Capture.prototype.reset = function () {
    this.form.reset();
    this.photos = [];
    this.residents = [];
    editing = null;
    var now = this.form.querySelector("[data-now]");
    if (now) now.value = localInput(new Date());
    this.form.querySelectorAll("input[type=hidden][name=latitude], input[type=hidden][name=longitude]").forEach(function (input) { input.value = ""; });
    var status = this.form.querySelector("[data-position-status]");
    if (status) status.textContent = "";
    this.clearProblems();
    this.drawPhotos();
    this.drawResidents();
    this.sync();
  };

  // Shown only when they apply: the reason for a late entry, how it was settled.
  Capture.prototype.sync = function () {
    var form = this.form;
    var when = form.querySelector("[name=occurred_at]");
    var reason = form.querySelector("[data-field=backdate_reason]");
    if (when && reason) {
      var days = parseInt(form.dataset.maxDaysBack || "3", 10);
      var chosen = when.value ? new Date(when.value) : null;
      var late = chosen && (startOfDay(new Date()) - startOfDay(chosen)) / 86400000 > days;
      var input = reason.querySelector("input, textarea");
      reason.hidden = !late && !(input && input.value);
    }
    var settled = form.querySelector("[data-settled]");
    var how = form.querySelector("[data-settlement]");
    if (settled && how) how.hidden = !settled.checked;
  };

  Capture.prototype.drawPhotos = function () {
    var list = this.form.querySelector("[data-photo-thumbs]");
    if (!list) return;
    list.querySelectorAll("img").forEach(function (img) { URL.revokeObjectURL(img.src); });
    list.textContent = "";
    this.photos.forEach(function (photo, index) {
      var li = el("li", "photo-thumb");
      var img = el("img");
      img.alt = photo.name;
      img.src = URL.createObjectURL(photo.blob);
      li.appendChild(img);
      var remove = el("button", "photo-remove", "×");
      remove.type = "button";
      remove.dataset.removePhoto = String(index);
      remove.setAttribute("aria-label", say("removePhoto"));
      li.appendChild(remove);
      list.appendChild(li);
    });
  };

  Capture.prototype.addResident = function (resident) {
    if (!resident.id || this.residents.some(function (one) { return String(one.id) === String(resident.id); })) return;
    this.residents.push(resident);
    this.drawResidents();
  };

  Capture.prototype.drawResidents = function () {
    var chips = this.form.querySelector("[data-resident-chips]");
    if (!chips) return;
    chips.textContent = "";
    this.residents.forEach(function (resident) {
      var li = el("li", "resident-chip");
      li.appendChild(el("span", null, resident.label));
      var remove = el("button", "chip-remove", "×");
      remove.type = "button";
      remove.dataset.removeResident = String(resident.id);
      remove.setAttribute("aria-label", say("removeResident", { name: resident.label }));
      li.appendChild(remove);
      chips.appendChild(li);
    });
  };

  Capture.prototype.locate = function () {
    var form = this.form;
    var status = form.querySelector("[data-position-status]");
    if (!navigator.geolocation) {
      status.textContent = say("noPosition");
      return;
    }
    status.textContent = say("locating");
    navigator.geolocation.getCurrentPosition(function (position) {
      form.querySelector("input[name=latitude]").value = position.coords.latitude.toFixed(6);
      form.querySelector("input[name=longitude]").value = position.coords.longitude.toFixed(6);
      status.textContent = say("positionTaken", { metres: Math.round(position.coords.accuracy || 0) });
    }, function () {
      status.textContent = say("noPosition");
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  };

  Capture.prototype.fields = function () {
    var pairs = [];
    Array.prototype.forEach.call(this.form.elements, function (input) {
      if (!input.name || input.disabled || input.type === "file" || input.name === "q") return;
      if ((input.type === "checkbox" || input.type === "radio") && !input.checked) return;
      if (input.closest("[hidden]") && input.type !== "hidden") return;
      var value = input.value;
      if (input.name === "occurred_at") {
        if (!value) return;
        value = new Date(value).toISOString();
      }
      if (value === "" ) return;
      pairs.push([input.name, value]);
    });
    this.residents.forEach(function (resident) { pairs.push(["resident_ids", String(resident.id)]); });
    return pairs;
  };

  Capture.prototype.clearProblems = function () {
    var box = this.form.querySelector(".capture-errors");
    if (box) { box.hidden = true; box.textContent = ""; }
    this.form.querySelectorAll(".has-error").forEach(function (node) { node.classList.remove("has-error"); });
    this.form.querySelectorAll(".field-error[data-problem]").forEach(function (node) { node.remove(); });
  };

  var FIELD_OF = { area: "area_id", activities: "activity_ids", residents: "resident_ids", category: "category_id", title: "text", account: "text", position: "longitude", latitude: "longitude" };

  Capture.prototype.problem = function (field, message) {
    var box = this.form.querySelector(".capture-errors");
    var name = FIELD_OF[field] || field;
    var holder = name ? this.form.querySelector("[data-field='" + name + "']") : null;
    if (holder) {
      holder.classList.add("has-error");
      holder.hidden = false;
      var line = el("p", "field-error", message);
      line.dataset.problem = "1";
      holder.appendChild(line);
    } else if (box) {
      box.appendChild(el("p", null, message));
    }
    if (box) box.hidden = false;
    if (box && !box.querySelector("[data-lead]")) {
      var lead = el("p", null, say("correct"));
      lead.dataset.lead = "1";
      box.insertBefore(lead, box.firstChild);
    }
  };

  // What the server would refuse at once is said here too, before the item is kept.
  Capture.prototype.check = function (pairs) {
    var self = this, ok = true;
    var has = function (name) { return pairs.some(function (pair) { return pair[0] === name; }); };
    var required = this.kind === "report" ? ["kind", "category_id", "text"] : ["area_id", "finding", "text"];
    required.forEach(function (name) {
      if (!has(name)) { self.problem(name, say("required")); ok = false; }
    });
    var settled = this.form.querySelector("[data-settled]");
    if (settled && settled.checked) {
      ["settlement", "category_id"].forEach(function (name) {
        if (!has(name)) { self.problem(name, say("required")); ok = false; }
      });
    }
    var reason = this.form.querySelector("[data-field=backdate_reason]");
    if (reason && !reason.hidden && !has("backdate_reason")) { self.problem("backdate_reason", say("required")); ok = false; }
    return ok;
  };

  Capture.prototype.save = function () {
    var self = this;
    this.clearProblems();
    var pairs = this.fields();
    if (!this.check(pairs)) {
      var first = this.form.querySelector(".has-error, .capture-errors:not([hidden])");
      if (first) first.scrollIntoView({ block: "center" });
      return;
    }
    var before = editing ? find(editing) : Promise.resolve(null);
    before.then(function (was) {
      var item = {
        id: was ? was.id : uuid(),
        kind: self.kind,
        owner: data.user,
        ownerName: data.userName,
        created: was ? was.created : new Date().toISOString(),
        fields: pairs,
        residents: self.residents.slice(),
        photos: self.photos.slice(),
        status: "waiting",
        message: "",
        errors: []
      };
      return keep(item);
    }).then(function () {
      self.reset();
      if (location.hash) history.replaceState(null, "", location.pathname);
      var note = document.getElementById("outbox-status");
      if (note) note.textContent = say("saved");
      return render();
    }).then(function () {
      window.scrollTo(0, document.getElementById("outbox").offsetTop);
      return flush();
    }).catch(function () {
      self.problem(null, say("notSaved"));
    });
  };

  // A refused item back in its form, to be corrected; saving it keeps its key.
  Capture.prototype.load = function (item) {
    var form = this.form;
    this.reset();
    editing = item.id;
    item.fields.forEach(function (pair) {
      var name = pair[0], value = pair[1];
      var inputs = form.querySelectorAll("[name='" + name + "']");
      inputs.forEach(function (input) {
        if (input.type === "checkbox" || input.type === "radio") {
          if (input.value === value) input.checked = true;
        } else if (name === "occurred_at") {
          input.value = localInput(new Date(value));
        } else {
          input.value = value;
        }
      });
    });
    this.photos = item.photos.slice();
    this.residents = (item.residents || []).slice();
    this.drawPhotos();
    this.drawResidents();
    this.sync();
    var self = this;
    (item.errors && item.errors.length ? item.errors : [{ field: null, message: item.message }]).forEach(function (problem) {
      if (problem.message) self.problem(problem.field, problem.message);
    });
    var status = form.querySelector("[data-position-status]");
    if (status && form.querySelector("input[name=latitude]").value) status.textContent = say("positionKept");
  };

  function startOfDay(date) { return new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime(); }

  function localInput(date) {
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) + "T" + pad(date.getHours()) + ":" + pad(date.getMinutes());
  }

  // ------------------------------------------------------------------ the page
  var captureForm = root.querySelector("form[data-capture]");
  var capture = captureForm ? new Capture(captureForm) : null;

  function editFromHash() {
    var match = /^#edit=(.+)$/.exec(location.hash);
    if (!match || !capture) return;
    find(decodeURIComponent(match[1])).then(function (item) {
      if (item && item.kind === capture.kind && item.owner === data.user) capture.load(item);
    });
  }

  root.addEventListener("click", function (event) {
    var send = event.target.closest("#outbox-send");
    if (send) { flush(true); return; }
    var resend = event.target.closest("[data-resend]");
    if (resend) {
      find(resend.dataset.resend).then(function (item) {
        if (!item) return;
        item.status = "waiting";
        return keep(item).then(function () { return flush(true); });
      });
      return;
    }
    var edit = event.target.closest("[data-edit]");
    if (edit && capture && edit.pathname === location.pathname) {
      event.preventDefault();
      history.replaceState(null, "", edit.getAttribute("href"));
      editFromHash();
      captureForm.scrollIntoView();
      return;
    }
    var discard = event.target.closest("[data-discard]");
    if (discard && window.confirm(say("confirmDiscard"))) {
      drop(discard.dataset.discard).then(render);
    }
  });

  function showNetwork() {
    var banner = document.getElementById("net-status");
    if (banner) banner.hidden = navigator.onLine;
    showRenderedAt();
  }

  window.addEventListener("online", function () { showNetwork(); flush(); refreshToday(); });
  window.addEventListener("offline", function () { showNetwork(); render(); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") render().then(function () { if (navigator.onLine) flush(); });
  });
  window.addEventListener("hashchange", editFromHash);

  // The to-do's time: when it was drawn (shown as such when the page comes from the
  // phone's copy, offline).
  function showRenderedAt() {
    var stamp = document.getElementById("rendered-at");
    if (!stamp || !root.dataset.renderedAt) return;
    var drawn = new Date(root.dataset.renderedAt);
    var sameDay = drawn.toDateString() === new Date().toDateString();
    var time = sameDay
      ? drawn.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })
      : drawn.toLocaleString([], { month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit" });
    stamp.textContent = say("updatedAt", { time: time });
    stamp.classList.toggle("stale", !navigator.onLine);
  }

  // The to-do of the field home, fetched again (e.g. once what waited has been sent): the
  // parts marked data-fresh are replaced by the server's current ones.
  function refreshToday() {
    if (!root.querySelector("[data-fresh]") || !navigator.onLine) return Promise.resolve();
    return fetch(location.pathname, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok || response.redirected) return;
        return response.text().then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html");
          var freshRoot = fresh.getElementById("field");
          if (!freshRoot) return;
          root.querySelectorAll("[data-fresh]").forEach(function (node) {
            var twin = fresh.querySelector("[data-fresh='" + node.dataset.fresh + "']");
            if (twin) node.replaceWith(document.importNode(twin, true));
          });
          root.dataset.renderedAt = freshRoot.dataset.renderedAt;
          showRenderedAt();
        });
      }).catch(function () {});
  }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(data.swUrl, { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      if (navigator.onLine && registration.active) registration.active.postMessage({ type: "refresh-pages" });
    }).catch(function () {});
  }

  // Residents are searched on the server: say so when there is no network for it.
  document.body.addEventListener("htmx:sendError", function (event) {
    var results = document.getElementById("resident-results");
    if (results && event.target && event.target.id === "id_resident_search") {
      results.textContent = "";
      results.appendChild(el("li", "muted", say("searchOffline")));
    }
  });

  showNetwork();
  if (!store) {
    setStatus(say("noStorage"));
    return;
  }
  render().then(function () {
    editFromHash();
    if (navigator.onLine) flush();
  });
})();
