// Small behaviours shared by every page; no framework beyond htmx.
document.addEventListener("click", function (event) {
  var choice = event.target.closest(".picker-choice");
  if (!choice) return;
  var picker = choice.closest(".area-picker");
  picker.querySelector("input[type=hidden]").value = choice.dataset.id;
  picker.querySelector(".picker-search").value = choice.dataset.name;
  picker.querySelector(".picker-results").innerHTML = "";
});
