/** @jsxImportSource hono/jsx */
// The admin console's HTML: server-rendered sections with labels and keyboard-reachable controls.
// Data comes from the public /v1 API through a small script (console/script.ts) using the admin's JWT.

export function ConsolePage(props: { demoTokens: boolean }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>wise-zoom-edge console</title>
        <link rel="stylesheet" href="/console/console.css" />
        <script src="/console/console.js" defer></script>
      </head>
      <body data-demo-tokens={props.demoTokens ? "1" : "0"}>
        <header>
          <h1>Zoom for Wise</h1>
          <p class="muted">
            Admin console: link Zoom, manage teachers and classes, watch archived recordings, follow events.
          </p>
        </header>
        <div id="notice" role="status" aria-live="polite" hidden></div>
        <div id="error" role="alert" hidden></div>

        <section id="signin" aria-labelledby="signin-title">
          <h2 id="signin-title">Sign in</h2>
          <p id="signin-hint" class="muted">
            Paste an admin JWT minted by Wise. It stays in this tab only (session storage).
          </p>
          <form id="signin-form">
            <label for="token">Admin token</label>
            <textarea
              id="token"
              name="token"
              rows={3}
              autocomplete="off"
              spellcheck={false}
              required
            ></textarea>
            <div class="row">
              <button type="submit">Use this token</button>
              {props.demoTokens ? (
                <button type="button" id="demo-token">
                  Use the demo tenant's token
                </button>
              ) : null}
            </div>
          </form>
        </section>

        <main id="app" hidden>
          <div class="row spread">
            <p id="whoami" class="muted"></p>
            <button type="button" id="signout" class="secondary">
              Sign out
            </button>
          </div>

          <section aria-labelledby="link-title">
            <h2 id="link-title">Zoom account</h2>
            <dl id="link-status" class="facts"></dl>
            <div id="pending-box" class="pending" hidden>
              <p id="pending-text" data-testid="pending-text"></p>
              <div class="row">
                <button type="button" id="confirm-btn">
                  Confirm
                </button>
                <button type="button" id="cancel-btn" class="secondary">
                  Cancel
                </button>
              </div>
            </div>
            <div class="row">
              <button type="button" id="link-btn">
                Link Zoom
              </button>
              <button type="button" id="test-btn" class="secondary">
                Test connection
              </button>
              <button type="button" id="unlink-btn" class="danger">
                Unlink
              </button>
            </div>
          </section>

          <section aria-labelledby="usage-title">
            <h2 id="usage-title">Seats and cloud storage</h2>
            <dl id="usage" class="facts"></dl>
            <figure>
              <svg id="storage-chart" role="img" aria-labelledby="storage-chart-caption" viewBox="0 0 300 80">
                <title>Cloud storage used over time</title>
              </svg>
              <figcaption id="storage-chart-caption" class="muted">
                Cloud storage used over time
              </figcaption>
            </figure>
          </section>

          <section aria-labelledby="teachers-title">
            <h2 id="teachers-title">Teachers</h2>
            <table>
              <caption class="sr-only">Teachers and their Zoom licenses</caption>
              <thead>
                <tr>
                  <th scope="col">Teacher</th>
                  <th scope="col">Email</th>
                  <th scope="col">Zoom status</th>
                  <th scope="col">License</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody id="teachers"></tbody>
            </table>
            <form id="teacher-form" class="grid">
              <label>
                Wise user id <input name="wiseUserId" required pattern="[A-Za-z0-9_.:\-]{1,128}" />
              </label>
              <label>
                Email <input name="email" type="email" required />
              </label>
              <label>
                First name <input name="firstName" required />
              </label>
              <label>
                Last name <input name="lastName" required />
              </label>
              <label class="check">
                <input name="licensed" type="checkbox" checked /> Licensed
              </label>
              <button type="submit">Add teacher</button>
            </form>
          </section>

          <section aria-labelledby="classes-title">
            <h2 id="classes-title">Classes</h2>
            <form id="class-form" class="grid">
              <label>
                Class id <input name="classId" required pattern="[A-Za-z0-9_.:\-]{1,128}" />
              </label>
              <label>
                Teacher (Wise user id) <input name="teacherId" required />
              </label>
              <label>
                Topic <input name="topic" required />
              </label>
              <label>
                Starts <input name="startTime" type="datetime-local" required />
              </label>
              <label>
                Minutes <input name="durationMinutes" type="number" min="1" max="1440" value="60" required />
              </label>
              <label class="check">
                <input name="registration" type="checkbox" checked /> Students register
              </label>
              <button type="submit">Schedule class</button>
            </form>
            <ul id="classes" class="cards"></ul>
          </section>

          <section aria-labelledby="recordings-title">
            <h2 id="recordings-title">Recordings</h2>
            <table>
              <caption class="sr-only">Cloud recordings and their archive state</caption>
              <thead>
                <tr>
                  <th scope="col">Meeting</th>
                  <th scope="col">File</th>
                  <th scope="col">Archive</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody id="recordings"></tbody>
            </table>
            <div id="player-box" hidden>
              <h3 id="player-title">Player</h3>
              <video id="player" controls preload="metadata" aria-labelledby="player-title">
                {/* Filled with the recording's archived closed captions (CC) when it has them. */}
                <track id="player-captions" kind="captions" label="Captions" />
              </video>
            </div>
          </section>

          <section aria-labelledby="events-title">
            <h2 id="events-title">Events to Wise</h2>
            <p class="muted">
              Signed deliveries (Standard Webhooks) of what happens here, to endpoints on the tenant's webhook
              origins.
            </p>
            <div id="event-secret" role="status" aria-live="polite" hidden></div>
            <ul id="subscriptions" class="cards"></ul>
            <form id="subscription-form" class="grid">
              <label>
                Endpoint URL <input name="url" type="url" required maxlength={2048} />
              </label>
              <button type="submit">Subscribe to every event</button>
            </form>
          </section>
        </main>
      </body>
    </html>
  );
}
