// #/signin: the access key id and secret (and optional session token) the
// console signs with, as for the AWS API. They are kept in sessionStorage
// only; signing in is one signed GetServerStatus, so a wrong secret is
// refused here with the server's own answer (SignatureDoesNotMatch).
import { clearSession, saveSession, serverStatus } from "./api.js";
import { errorLine, h, replace } from "./dom.js";

// In open mode the server checks no signature and the key id only names the
// caller: any placeholder signs in to the default account.
const PLACEHOLDER = { accessKeyId: "test", secretAccessKey: "test" };

export async function render(ctx) {
  clearSession();
  ctx.refreshHeader();
  const note = h("p", { class: "note", id: "mode-note" });
  const message = h("div", { id: "signin-error" });
  const field = (label, input) => h("label", {}, h("span", {}, label), input);
  const keyId = h("input", { name: "accessKeyId", id: "access-key-id", required: true, autocomplete: "username", spellcheck: "false" });
  const secret = h("input", { name: "secretAccessKey", id: "secret-access-key", type: "password", required: true, autocomplete: "current-password" });
  const token = h("input", { name: "sessionToken", id: "session-token", autocomplete: "off", placeholder: "only for temporary credentials" });
  const region = h("input", { name: "region", id: "region", required: true, value: "us-east-1", spellcheck: "false" });
  const submit = h("button", { type: "submit", class: "primary", id: "signin" }, "Sign in");
  const form = h("form", { class: "signin", onsubmit: (e) => { e.preventDefault(); signIn(); } },
    h("h1", {}, "Sign in to Ferry"),
    h("p", { class: "muted" }, "Use an access key of the server's credentials file, as for the AWS API. " +
      "The secret stays in this browser tab: requests carry only its signatures."),
    note,
    field("Access key ID", keyId), field("Secret access key", secret),
    field("Session token (optional)", token), field("Region", region),
    message, submit);
  replace(ctx.main, form);

  async function signIn() {
    replace(message);
    submit.disabled = true;
    const session = {
      accessKeyId: keyId.value.trim(), secretAccessKey: secret.value,
      sessionToken: token.value.trim() || undefined, region: region.value.trim(),
    };
    try {
      const status = await serverStatus(session);
      saveSession({ ...session, mode: status.Mode, accountId: status.AccountId });
      location.hash = "#/queues";
    } catch (err) {
      replace(message, errorLine(err));
    } finally {
      submit.disabled = false;
    }
  }

  // Open mode: say so and fill in the placeholder.
  try {
    const status = await serverStatus({ ...PLACEHOLDER, region: "us-east-1" });
    if (!ctx.current()) return;
    if (status.Mode === "open") {
      keyId.value = PLACEHOLDER.accessKeyId;
      secret.value = PLACEHOLDER.secretAccessKey;
      replace(note, h("span", { class: "badge open" }, "open mode"),
        " This server checks no signatures (it listens on loopback only): any key signs in, " +
        "and a 12-digit key id is that account's root user.");
    }
  } catch {
    // Signatures are checked: nothing to prefill.
  }
}
