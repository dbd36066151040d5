// The pages a person sees after opening a join (/j), start (/s) or playback (/r) link: a redirect to
// Zoom, a waiting page that opens Zoom by itself, or a short page saying why not and what to do.
import { html } from "hono/html";
import { messagePage, page } from "../../http/pages.ts";
import type { JoinOutcome, StartOutcome } from "../../links/click.ts";
import type { LinkFailure } from "../../links/token.ts";

export function methodNotAllowedPage(): Response {
  const res = messagePage("Method not allowed", "Open this link in a browser.", 405);
  res.headers.set("allow", "GET, HEAD");
  return res;
}

export function tooManyPage(message: string): Response {
  const res = messagePage("Too many requests", message, 429);
  res.headers.set("retry-after", "60");
  return res;
}

export const noStore = { "cache-control": "no-store", "referrer-policy": "no-referrer" };

const redirect = (location: string) => new Response(null, { status: 302, headers: { location, ...noStore } });

export function refusedPage(reason: LinkFailure | "not_host"): Response {
  switch (reason) {
    case "expired":
      return messagePage("This link has expired", "Ask your teacher for a new link to the class.", 410);
    case "not_yet_valid":
      return messagePage(
        "This link is not active yet",
        "Try again later, or ask your teacher for a new link.",
        403,
      );
    default:
      return messagePage(
        "This link is not valid",
        "Make sure you opened the whole link as you received it, or ask your teacher for a new one.",
        403,
      );
  }
}

function retryPage(title: string, message: string, seconds: number): Response {
  const res = page(title, html`<p>${message}</p><p>This page tries again by itself.</p>`, 503, {
    head: `<meta http-equiv="refresh" content="${seconds}">`,
  });
  res.headers.set("retry-after", String(seconds));
  return res;
}

// Polls the status endpoint (jittered, so a class's students do not poll in step) and opens Zoom
// by reloading the link once the class is open; without script the page refreshes itself.
const WAITING_SCRIPT = `(function(){
  var t=document.querySelector("time");
  if(t){t.textContent=new Date(t.getAttribute("datetime")).toLocaleTimeString([], {hour:"2-digit",minute:"2-digit"});}
  function poll(){
    fetch(location.pathname+"/status",{cache:"no-store"}).then(function(r){return r.json();}).then(function(s){
      if(s.state==="waiting"){setTimeout(poll,s.retryInSeconds*1000);}else{location.replace(location.pathname);}
    }).catch(function(){setTimeout(poll,20000);});
  }
  setTimeout(poll,5000+Math.random()*10000);
})();`;

function waitingPage(outcome: Extract<JoinOutcome, { kind: "waiting" }>): Response {
  const opens = new Date(outcome.opensAt).toISOString();
  return page(
    "Your class opens soon",
    html`<p><strong>${outcome.topic}</strong> opens at <time datetime="${opens}">${opens.slice(11, 16)} UTC</time>.</p>
<p>Keep this page open: it takes you into Zoom by itself when the class starts.</p>`,
    200,
    { head: `<noscript><meta http-equiv="refresh" content="60"></noscript>`, script: WAITING_SCRIPT },
  );
}

const linkOverused = () =>
  tooManyPage("This link was opened too many times in a short while. Wait a minute and try again.");

export function joinPage(outcome: JoinOutcome): Response {
  switch (outcome.kind) {
    case "redirect":
      return redirect(outcome.location);
    case "waiting":
      return waitingPage(outcome);
    case "invalid":
      return refusedPage(outcome.reason);
    case "revoked":
      return messagePage("This link was withdrawn", "Ask your teacher for a new link to the class.", 410);
    case "limited":
      return linkOverused();
    case "cancelled":
      return messagePage("This class was cancelled", "Your teacher cancelled this class.", 410);
    case "not_found":
      return messagePage("Class not found", "This class does not exist (any more). Ask your teacher.", 404);
    case "unavailable":
      return retryPage("The class is not ready", "The class's Zoom meeting is not available yet.", 30);
  }
}

export function startPage(outcome: StartOutcome): Response {
  switch (outcome.kind) {
    case "redirect":
      return redirect(outcome.location);
    case "invalid":
      return refusedPage(outcome.reason);
    case "revoked":
      return messagePage("This link was withdrawn", "Ask for a new start link from Wise.", 410);
    case "teacher_inactive":
      return messagePage(
        "This link is not valid any more",
        "You are no longer an active teacher of this institute's Zoom account. Ask an admin.",
        403,
      );
    case "limited":
      return linkOverused();
    case "cancelled":
      return messagePage(
        "This class was cancelled",
        "The class was cancelled, so it cannot be started.",
        410,
      );
    case "not_found":
      return messagePage("Class not found", "This class or its Zoom meeting no longer exists.", 404);
    case "zoom_not_linked":
      return retryPage(
        "Zoom is not linked",
        "Your institute's Zoom account needs to be linked again by an admin before classes can start.",
        60,
      );
    case "zoom_unavailable":
      return retryPage("Zoom is not answering", "Zoom is not reachable right now.", 10);
  }
}
