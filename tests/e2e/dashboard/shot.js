// shot.js URL OUT.png CHROMIUM — opens the eddy dashboard in headless
// Chromium through playwright-core, waits until the page has received rows
// from its SSE feed and drawn them (table rows, a legend entry per numeric
// column), saves a screenshot and prints what it saw as one JSON line.
// Exits non-zero on a page error or when no rows arrive in time.
"use strict";
const { chromium } = require("playwright-core");

(async () => {
  const [url, out, exe] = process.argv.slice(2);
  const browser = await chromium.launch({
    executablePath: exe,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync"],
  });
  const errors = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForFunction(() => Number(document.body.dataset.rows) >= 15 &&
                                     document.querySelectorAll("#legend span.sw").length > 0,
                               null, { timeout: 30000 });
    await page.waitForTimeout(500);   // let the next frame draw the latest rows
    const seen = await page.evaluate(() => ({
      rows: Number(document.body.dataset.rows),
      tableRows: document.querySelectorAll("#rows tr.row").length,
      legend: Array.from(document.querySelectorAll("#legend > span")).map((s) => s.textContent),
      streams: Array.from(document.querySelectorAll("li.stream")).map((s) => s.dataset.name),
      selected: (document.querySelector("li.stream.selected") || {}).textContent || "",
      title: document.getElementById("charttitle").textContent,
      chartPixels: (() => {
        const c = document.getElementById("chart");
        const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i]) n++;
        return n;
      })(),
    }));
    await page.screenshot({ path: out });
    seen.errors = errors;
    console.log(JSON.stringify(seen));
    if (errors.length) process.exitCode = 1;
  } finally {
    await browser.close();
  }
})().catch((e) => {
  console.error("shot.js: " + (e && e.stack ? e.stack : e));
  process.exit(1);
});
