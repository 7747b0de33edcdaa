#!/usr/bin/env python3
"""Checks DIR/report.html: it references nothing outside itself (every src/href/url() a data:
URI or an in-page anchor), and in headless Chromium (no network) it loads without a console
error and its screenshot has non-white pixels.

usage: report_check.py DIR
Exit 0 when it renders; 1 when it does not; 77 (skipped) when no chromium is installed or
matplotlib is missing (used to read the screenshot).
"""
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SKIP = 77
BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def external_references(text):
    """src/href/url() values that are neither data: URIs nor in-page anchors. Only what the
    browser loads is scanned — attributes inside tags and <style> sheets — not the page's text
    (a scenario description in a <pre> may well name a URL)."""
    sheets = re.findall(r"<style\b[^>]*>(.*?)</style\s*>", text, re.I | re.S)
    text = re.sub(r"<style\b[^>]*>.*?</style\s*>", "", text, flags=re.I | re.S)
    tags = re.findall(r"<[a-zA-Z][^>]*>", text)
    refs = [r for t in tags
            for r in re.findall(r"""\b(?:src|href)\s*=\s*["']?([^"'\s>]+)""", t, re.I)]
    for css in sheets + tags:  # style sheets and style="" attributes
        refs += re.findall(r"""url\(\s*["']?([^"')]+)""", css, re.I)
        refs += re.findall(r"@import\s+([^;]+)", css, re.I)
    return [r for r in refs if not r.startswith(("data:", "#"))]


def find_browser():
    """chromium on the PATH; STATESIM_BROWSER names another one ("none": act as if absent)."""
    chosen = os.environ.get("STATESIM_BROWSER")
    if chosen:
        return None if chosen == "none" else shutil.which(chosen)
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


def non_white_share(png):
    """The share of pixels of a PNG that are not (near) white."""
    import matplotlib.image as mpimg
    img = mpimg.imread(png)  # floats in [0, 1], RGB or RGBA
    rgb = img[..., :3]
    dark = (rgb < 0.95).any(axis=-1)
    return float(dark.mean())


def check(report):
    """Returns (ok, message) for one report.html."""
    browser = find_browser()
    if browser is None:
        return None, "chromium not installed: report check skipped"
    with tempfile.TemporaryDirectory() as tmp:
        shot = Path(tmp) / "shot.png"
        cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-extensions", f"--user-data-dir={tmp}/profile",
               # nothing may come from the network: a reference outside the file fails to load
               "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
               "--enable-logging=stderr", "--v=0",
               f"--screenshot={shot}", "--window-size=1200,2000",
               report.resolve().as_uri()]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                                  env=dict(os.environ, HOME=tmp))
        except subprocess.TimeoutExpired:
            return False, "chromium timed out"
        log = proc.stderr
        if proc.returncode != 0:
            return False, f"chromium exited with {proc.returncode}:\n{log[-2000:]}"
        errors = [ln for ln in log.splitlines()
                  if "CONSOLE" in ln and ("ERROR" in ln or "Uncaught" in ln)
                  or "net::ERR" in ln]
        if errors:
            return False, "the page logged errors:\n" + "\n".join(errors[:10])
        if not shot.is_file() or shot.stat().st_size == 0:
            return False, "chromium wrote no screenshot"
        with open(shot, "rb") as f:
            if f.read(8) != b"\x89PNG\r\n\x1a\n":
                return False, "the screenshot is not a PNG"
        share = non_white_share(shot)
        if share < 0.01:
            return False, f"the screenshot is blank ({share:.2%} non-white pixels)"
        return True, f"report.html renders in {Path(browser).name}: {share:.1%} non-white pixels"


def main(argv):
    if len(argv) != 2:
        print("usage: report_check.py DIR", file=sys.stderr)
        return 2
    report = Path(argv[1]) / "report.html"
    if not report.is_file():
        print(f"error: {report}: no such file (run make plots DIR=... first)", file=sys.stderr)
        return 2
    if importlib.util.find_spec("matplotlib") is None:
        print("matplotlib not found: report check skipped")
        return SKIP
    refs = external_references(report.read_text(errors="replace"))
    if refs:
        print(f"error: {report} is not self-contained: {', '.join(refs[:5])}", file=sys.stderr)
        return 1
    ok, message = check(report)
    print(message, file=sys.stdout if ok is not False else sys.stderr)
    return SKIP if ok is None else (0 if ok else 1)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
