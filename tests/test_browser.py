"""The evolution explorer in a real browser: JupyterLab serves a fresh copy of notebook 02 under replay,
headless Chromium (Debian's chromium and chromium-driver, driven by selenium) runs every cell, picks a
candidate in the explorer by clicking, and finds that candidate's diff and score breakdown on the page.

Needs chromium, chromedriver and selenium; without them it skips and says which is missing, except in CI
(CI=true), where .ci/run installs them and a missing one is a failure. ``EXPLORER_SCREENSHOT=path.png`` also
saves a picture of the explorer (the README's)."""

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from test_readme import _free_port, _stop  # the same loopback port and process-group stop

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "02_evolution.ipynb"
TOKEN = "browser-test-token-not-a-secret"
ERROR = '[data-mime-type="application/vnd.jupyter.error"]'   # a cell's traceback
CHROME_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1400,1000"]


def _missing() -> str:
    what = [name for name in ("chromium", "chromedriver") if not shutil.which(name)]
    try:
        import selenium  # noqa: F401
    except ImportError:
        what.append("selenium (pip install -r requirements-dev.txt)")
    return ", ".join(what)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    missing = _missing()
    if missing:
        message = f"no real browser here: {missing} missing (apt-get install chromium chromium-driver)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; in CI .ci/run installs them")
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    for flag in CHROME_FLAGS + [f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"]:
        options.add_argument(flag)
    options.binary_location = shutil.which("chromium")
    driver = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver")))
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on loopback with a token, serving a folder that holds a fresh copy of notebook 02 and the
    workshop beside it (the setup cell finds it as ``workshop/``), every kernel replaying the recording."""
    folder = tmp_path_factory.mktemp("lab")
    shutil.copy(NOTEBOOK, folder / NOTEBOOK.name)
    (folder / "workshop").symlink_to(ROOT, target_is_directory=True)
    home = tmp_path_factory.mktemp("home")
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY") and k not in ("MPLBACKEND", "LLM_MODEL")}
    env.update(HOME=str(home), JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               LLM_PROVIDER="replay", CI="true", WORKSHOP_WORKDIR=str(folder / "workspace"))
    settings = home / "config" / "lab" / "user-settings" / "@jupyterlab"
    for plugin, value in (("apputils-extension/notification", '{"fetchNews": "false"}'),   # no news toast
                          ("notebook-extension/tracker", '{"windowingMode": "none"}')):   # every cell in the page
        (settings / plugin).parent.mkdir(parents=True, exist_ok=True)
        (settings / f"{plugin}.jupyterlab-settings").write_text(value)
    port, log = _free_port(), open(home / "jupyter.log", "w")   # a file: a full pipe would stall the server
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
         "--ServerApp.port_retries=0", f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={folder}",
         "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         "--LabApp.extension_manager=readonly"] + ["--allow-root"] * (os.geteuid() == 0),   # CI runs as root
        cwd=folder, env=env, start_new_session=True, stdout=log, stderr=log)
    try:
        _wait_for(server, port, home / "jupyter.log")
        yield f"http://127.0.0.1:{port}/lab/tree/{NOTEBOOK.name}?token={TOKEN}"
    finally:
        _stop(server)
        log.close()


@pytest.mark.timeout(900)   # the notebook replays in ~100 s on a quiet machine; JupyterLab and Chromium start
def test_clicking_a_candidate_shows_its_diff_and_score_breakdown(browser, lab):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select
    browser.get(lab)
    _until(browser, lambda: _kernel_idle(browser), 120, "the notebook to open and its kernel to start")
    _run_all(browser)
    _until(browser, lambda: _all_ran(browser), 700, "every cell to run")
    errors = browser.find_elements(By.CSS_SELECTOR, ERROR)
    assert not errors, errors[0].text[:2000]

    select = _candidate_select(browser)
    shown = Select(select).first_selected_option.text
    children = [o.text for o in Select(select).options if " of #" in o.text and o.text != shown]
    assert children, f"the explorer lists no child to pick: {[o.text for o in Select(select).options]}"
    chosen = next((o for o in children if not o.endswith("crashed")), children[0])   # one that has an accuracy
    cid, parent, score = re.match(r"#(\d+) · gen \d+ · \w+ of #(\d+).* · (\d\.\d{3})", chosen).groups()
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", select)
    select.click()
    Select(select).select_by_visible_text(chosen)
    view = _until(browser, lambda: _view(browser, cid), 60, f"the explorer to show candidate #{cid}")
    diff = view.find_element(By.CSS_SELECTOR, ".explore-diff").text
    assert f"--- #{parent} +++ #{cid}" in view.text
    assert any(line.startswith(("+ ", "- ")) for line in diff.splitlines()), diff
    breakdown = view.find_element(By.CSS_SELECTOR, ".explore-breakdown").text
    assert f"score {score}" in breakdown and ("accuracy" in breakdown or chosen.endswith("crashed")), breakdown

    _button(browser, f"parent #{parent}").click()     # the parent, one click away
    view = _until(browser, lambda: _view(browser, parent), 60, f"the explorer to show the parent #{parent}")
    assert "Score breakdown" in view.text
    if os.environ.get("EXPLORER_SCREENSHOT"):
        _button(browser, "best").click()
        _until(browser, lambda: not _view(browser, parent), 60, "the explorer to show the winner")
        _screenshot(browser, select, os.environ["EXPLORER_SCREENSHOT"])


# --------------------------------------------------------------------------- helpers
def _wait_for(server, port, log, limit=120):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"JupyterLab stopped: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={TOKEN}", timeout=5):
                return
        except OSError:
            time.sleep(1)
    raise AssertionError("JupyterLab did not answer on loopback")


def _until(browser, probe, limit, what):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            found = probe()
        except Exception:   # the page is still changing under us (stale elements): look again
            found = None
        if found:
            return found
        time.sleep(1)
    raise AssertionError(f"waited {limit} s for {what}; cell prompts: {' '.join(_prompts(browser))}; kernel idle: "
                         f"{_kernel_idle(browser)}")


def _prompts(browser) -> list[str]:
    return [p.strip() for p in browser.execute_script(
        "return Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')).map(p => p.textContent)")]


def _kernel_idle(browser) -> bool:
    return bool(browser.execute_script(
        "return document.querySelector('.jp-Notebook') && "
        "document.querySelector('.jp-Notebook-ExecutionIndicator[data-status=\"idle\"]')"))


def _menu(browser, top, item):
    from selenium.webdriver.common.by import By
    browser.find_element(By.XPATH, f"//div[contains(@class,'lm-MenuBar-itemLabel') and text()='{top}']").click()
    _until(browser, lambda: browser.find_element(
        By.XPATH, f"//div[contains(@class,'lm-Menu-itemLabel') and text()='{item}']"), 10, f"the menu item {item}").click()


def _run_all(browser, tries=3):
    """Run > Run All Cells, until the first cell has started: a menu clicked while the notebook is still
    settling (not yet the current widget) does nothing, so click into it first and look again."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    seen = []   # dialogs JupyterLab put up on the way (a kernel to select, a kernel that died): said on failure
    for _ in range(tries):
        for dialog in browser.find_elements(By.CSS_SELECTOR, ".jp-Dialog"):
            seen.append(" ".join(dialog.text.split()))
            for accept in dialog.find_elements(By.CSS_SELECTOR, ".jp-mod-accept"):
                accept.click()
            time.sleep(2)
        try:
            browser.find_element(By.CSS_SELECTOR, ".jp-Notebook .jp-CodeCell .jp-InputPrompt").click()
        except WebDriverException:   # focus is a help, not a must: the menu may still work
            pass
        _menu(browser, "Run", "Run All Cells")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if any(p != "[ ]:" for p in _prompts(browser)):
                return
            time.sleep(1)
    raise AssertionError(f"Run All Cells started no cell after {tries} tries; prompts: {_prompts(browser)}; "
                         f"dialogs: {seen}")


def _all_ran(browser) -> bool:
    """The ledger (the last cell) has printed, every code cell shows an execution count and the kernel is idle;
    or a cell failed (Run All stops there: the caller reports the error)."""
    if browser.find_elements("css selector", ERROR):
        return True
    prompts = _prompts(browser)
    return ("replay misses" in browser.execute_script("return document.body.textContent") and bool(prompts)
            and all(re.fullmatch(r"\[\d+\]:", p) for p in prompts) and _kernel_idle(browser))


def _candidate_select(browser):
    from selenium.webdriver.common.by import By
    def last():   # the newsgroups run's explorer comes after the passwords run's
        lists = [d.find_element(By.TAG_NAME, "select") for d in browser.find_elements(By.CSS_SELECTOR, ".widget-dropdown")
                 if d.text.startswith("candidate")]
        return lists[-1] if lists else None
    return _until(browser, last, 60, "the explorer's candidate list")


def _button(browser, text):
    from selenium.webdriver.common.by import By
    buttons = browser.find_elements(By.CSS_SELECTOR, ".jupyter-widgets button")
    return [b for b in buttons if b.text == text][-1]   # the last explorer's: the newsgroups run


def _view(browser, cid):
    from selenium.webdriver.common.by import By
    found = browser.find_elements(By.CSS_SELECTOR, f'.jupyter-widgets .explore-view[data-candidate="{cid}"]')
    return found[0] if found else None


def _screenshot(browser, select, path):
    """The explorer's widget box, cropped to its top: selector, plot and the start of the candidate's panel."""
    from selenium.webdriver.common.by import By
    browser.set_window_size(1100, 1500)
    box = select.find_element(By.XPATH, "ancestor::div[contains(@class,'widget-vbox')][1]")
    browser.execute_script("arguments[0].scrollIntoView(true);", box)
    time.sleep(1)
    Path(path).write_bytes(box.screenshot_as_png)
