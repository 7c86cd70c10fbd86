// Confirmation, messages and form dialogs (native <dialog>: modal, focus kept inside, Escape closes).
import { esc } from "./format.js";

const $ = (s) => document.querySelector(s);

/** Resolves true when the operator confirms. */
export function confirmAction(title, text, okLabel = "Confirm", danger = false) {
  const dialog = $("#confirm-dialog");
  $("#confirm-title").textContent = title;
  $("#confirm-text").textContent = text;
  const ok = $("#confirm-ok");
  ok.textContent = okLabel;
  ok.classList.toggle("danger", danger);
  dialog.returnValue = "";
  dialog.showModal();
  ok.focus();
  return new Promise((resolve) => dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true }));
}

export function showMessage(title, html) {
  const dialog = $("#message-dialog");
  $("#message-title").textContent = title;
  $("#message-body").innerHTML = html;
  dialog.showModal();
  $("#message-ok").focus();
  // Emptied on close: a key shown here is shown once, not left in the page.
  return new Promise((resolve) => dialog.addEventListener("close", () => { $("#message-body").innerHTML = ""; resolve(); }, { once: true }));
}

export const showError = (what, err) => showMessage(what, `<p class="error">${esc(err.message)}</p>`);

/**
 * Opens a form dialog; on submit runs save(form) and closes, or shows the API's error inside the form and stays open.
 * Resolves with save's result, or null when cancelled.
 */
export function formDialog(dialogSelector, fill, save) {
  const dialog = $(dialogSelector);
  const form = dialog.querySelector("form");
  const error = form.querySelector(".error");
  error.textContent = "";
  fill(form);
  return new Promise((resolve) => {
    let result = null;
    const onSubmit = async (e) => {
      e.preventDefault();
      const submit = form.querySelector("button[type=submit]");
      submit.disabled = true;
      error.textContent = "";
      try { result = await save(form); dialog.close(); }
      catch (err) { error.textContent = err.message; }
      finally { submit.disabled = false; }
    };
    const onCancel = () => dialog.close();
    form.addEventListener("submit", onSubmit);
    form.querySelectorAll("[data-close]").forEach((b) => b.addEventListener("click", onCancel));
    dialog.addEventListener("close", () => {
      form.removeEventListener("submit", onSubmit);
      form.querySelectorAll("[data-close]").forEach((b) => b.removeEventListener("click", onCancel));
      resolve(result);
    }, { once: true });
    dialog.showModal();
    form.querySelector("input, select, textarea")?.focus();
  });
}
