// Reads JSON lines {"secret", "headers", "body"} on stdin and prints one
// word for each: "ok" when the Standard Webhooks library accepts the
// signature, else "refused". The library's clock is set to the message's
// own timestamp, as the service's clock is injected in tests; its
// tolerance of five minutes still applies to the check itself.
const { Webhook } = require("standardwebhooks");
const readline = require("readline");
const realNow = Date.now;
const rl = readline.createInterface({ input: process.stdin });
rl.on("line", (line) => {
  const { secret, headers, body } = JSON.parse(line);
  const ts = Number(headers["webhook-timestamp"]);
  Date.now = () => (Number.isFinite(ts) ? ts * 1000 : realNow());
  try {
    new Webhook(secret).verify(body, headers);
    console.log("ok");
  } catch (e) {
    console.log("refused");
  }
});
