// Lighthouse's accessibility category on each URL given, in one headless
// Chromium (CHROME_PATH), one URL after another. Writes the scores and the
// failing audits to the JSON file named first; exits 1 below 100.
//
// Lighthouse will not audit a navigation that answers 404 (the portal's own
// 404 page is public too): such a page is opened by puppeteer and audited
// in Lighthouse's snapshot mode, which runs the same accessibility audits on
// the page as loaded.
//
//   node scripts/audit/lighthouse.mjs report.json URL [URL...]
import fs from "node:fs";

import * as chromeLauncher from "chrome-launcher";
import lighthouse, { snapshot } from "lighthouse";
import puppeteer from "puppeteer-core";

const [reportPath, ...urls] = process.argv.slice(2);
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH || "/usr/bin/chromium",
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu"],
});
const results = [];

async function snapshotOf(url) {
  const browser = await puppeteer.connect({
    browserURL: `http://127.0.0.1:${chrome.port}`,
  });
  const page = await browser.newPage();
  try {
    await page.goto(url, { waitUntil: "networkidle0" });
    return await snapshot(page, {
      config: {
        extends: "lighthouse:default",
        settings: { onlyCategories: ["accessibility"] },
      },
    });
  } finally {
    await page.close();
    browser.disconnect();
  }
}

try {
  for (const url of urls) {
    let runner = await lighthouse(url, {
      port: chrome.port,
      onlyCategories: ["accessibility"],
      output: "json",
      logLevel: "error",
    });
    let mode = "navigation";
    if (runner.lhr.runtimeError?.code === "ERRORED_DOCUMENT_REQUEST") {
      runner = await snapshotOf(url);
      mode = "snapshot";
    }
    const category = runner.lhr.categories.accessibility;
    const failing = category.auditRefs
      .map((ref) => runner.lhr.audits[ref.id])
      .filter((audit) => audit.score !== null && audit.score < 1)
      .map((audit) => ({
        id: audit.id,
        title: audit.title,
        items: (audit.details?.items || [])
          .slice(0, 5)
          .map((item) => item.node?.snippet || ""),
      }));
    const score = Math.round(category.score * 100);
    results.push({ url, mode, score, failing });
    console.log(`${score}\t${url}${mode === "snapshot" ? " (snapshot)" : ""}`);
    for (const audit of failing) {
      console.log(`\t${audit.id}: ${audit.title}`);
      for (const snippet of audit.items) console.log(`\t\t${snippet}`);
    }
  }
} finally {
  await chrome.kill();
}
fs.writeFileSync(reportPath, JSON.stringify(results, null, 2));
process.exit(results.every((result) => result.score === 100) ? 0 : 1);
