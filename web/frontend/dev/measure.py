"""First-render time of a 2,000-node graph: the network explorer (dev/perf.html) vs bare sigma.js (dev/bare.html).

    cd web/frontend && npm run fixture && npm run build:dev && node dev/server.mjs &
    ../../.venv/bin/python dev/measure.py [rounds=15] [base_url]

"First render" = performance mark `veriga-network-first-render`, set on sigma's first `afterRender` event
(both pages use the same TimedSigma subclass, src/network/timing.ts); its startTime is ms since
navigation start. Each load uses a fresh browser context (empty cache); pages alternate.
"""

import asyncio
import os
import statistics
import sys

from playwright.async_api import async_playwright

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 15
BASE = sys.argv[2] if len(sys.argv) > 2 else "http://127.0.0.1:8765"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--use-gl=angle", "--use-angle=swiftshader", "--enable-unsafe-swiftshader"]
MARK = "veriga-network-first-render"
PAGES = {"explorer": "/dev/perf.html", "bare": "/dev/bare.html"}


async def main() -> None:
    times: dict[str, list[float]] = {k: [] for k in PAGES}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for i in range(ROUNDS + 1):  # round 0 warms up the server and the OS file cache
            order = list(PAGES) if i % 2 else list(reversed(PAGES))
            for name in order:
                ctx = await browser.new_context(viewport={"width": 1400, "height": 900})
                page = await ctx.new_page()
                await page.goto(BASE + PAGES[name])
                for _ in range(600):  # poll: wait_for_function needs 'unsafe-eval', which the CSP forbids
                    if await page.evaluate(f"performance.getEntriesByName('{MARK}').length > 0"):
                        break
                    await page.wait_for_timeout(20)
                t = await page.evaluate(f"performance.getEntriesByName('{MARK}')[0].startTime")
                n = await page.evaluate("(window.verigaNetwork || window.bare).graph.order")
                if i:
                    times[name].append(t)
                if i == ROUNDS and name == "explorer":
                    await page.evaluate("window.verigaNetwork.idle()")
                    await page.screenshot(path="dev/out/perf-explorer.png")
                await ctx.close()
        await browser.close()
    med = {k: statistics.median(v) for k, v in times.items()}
    for k, v in times.items():
        print(f"{k:9s} n={len(v)} nodes={n} median={med[k]:.1f} ms  mean={statistics.mean(v):.1f}  min={min(v):.1f}  max={max(v):.1f}")
    print(f"ratio explorer/bare (median): {med['explorer'] / med['bare']:.2f}x")


asyncio.run(main())
