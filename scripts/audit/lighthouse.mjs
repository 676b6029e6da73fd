// Lighthouse's accessibility category on each URL given, in one headless
// Chromium (CHROME_PATH), one URL after another. Writes the scores and the
// failing audits to the JSON file named first; exits 1 below 100.
//
//   node scripts/audit/lighthouse.mjs report.json URL [URL...]
import fs from "node:fs";

import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";

const [reportPath, ...urls] = process.argv.slice(2);
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH || "/usr/bin/chromium",
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu"],
});
const results = [];
try {
  for (const url of urls) {
    const runner = await lighthouse(url, {
      port: chrome.port,
      onlyCategories: ["accessibility"],
      output: "json",
      logLevel: "error",
    });
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
    results.push({ url, score, failing });
    console.log(`${score}\t${url}`);
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
