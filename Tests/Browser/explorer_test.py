"""The explorer page (GET /) in a real browser: Debian's chromium driven by Selenium against a real rope-server.

Run by scripts/browser-test, which installs chromium, chromium-driver and Selenium and builds the server:
    python Tests/Browser/explorer_test.py BINARY SCREENSHOT_FOLDER

Checks, each against the server's own answer fetched here: a pasted Llama 3.1 config gives the page's count of
interpolated slots that /spectrum gives, hands coloured by regime and the precision report; Gemma 3's layer types
and Qwen2-VL's M-RoPE axes; dragging the position (keyboard and mouse) turns the hands; a bad value shows the
server's 422 message next to its field; no console errors; no request leaves the server's origin; a server with an
API key serves the page to a browser that presents the key as Basic credentials, and the page asks for a changed
key itself. Screenshots at 1280x800 and at phone width.
"""
import base64
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

LLAMA_31_8B_CONFIG = {  # meta-llama/Llama-3.1-8B config.json as shipped
    "architectures": ["LlamaForCausalLM"], "attention_bias": False, "attention_dropout": 0.0,
    "bos_token_id": 128000, "eos_token_id": 128001, "hidden_act": "silu", "hidden_size": 4096,
    "initializer_range": 0.02, "intermediate_size": 14336, "max_position_embeddings": 131072, "mlp_bias": False,
    "model_type": "llama", "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 8,
    "pretraining_tp": 1, "rms_norm_eps": 1e-05,
    "rope_scaling": {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                     "original_max_position_embeddings": 8192, "rope_type": "llama3"},
    "rope_theta": 500000.0, "tie_word_embeddings": False, "torch_dtype": "bfloat16",
    "transformers_version": "4.43.0.dev0", "use_cache": True, "vocab_size": 128256,
}
# Gemma 3 in the transformers 5 form: RoPE per layer type, five sliding-window layers to one full-attention layer.
GEMMA_3_LAYER_TYPES = (["sliding_attention"] * 5 + ["full_attention"]) * 5 + ["sliding_attention"] * 4
GEMMA_3_CONFIG = {
    "model_type": "gemma3_text", "head_dim": 256, "hidden_size": 2560, "num_attention_heads": 8,
    "num_hidden_layers": 34, "max_position_embeddings": 131072, "layer_types": GEMMA_3_LAYER_TYPES,
    "rope_parameters": {"full_attention": {"rope_type": "linear", "factor": 8.0, "rope_theta": 1000000.0},
                        "sliding_attention": {"rope_type": "default", "rope_theta": 10000.0}},
}
# Qwen2-VL-7B-Instruct's RoPE: M-RoPE, temporal/height/width sections of the 64 frequency pairs.
QWEN2_VL_CONFIG = {
    "model_type": "qwen2_vl", "hidden_size": 3584, "num_attention_heads": 28, "num_hidden_layers": 28,
    "max_position_embeddings": 32768, "rope_theta": 1000000.0,
    "rope_scaling": {"type": "mrope", "mrope_section": [16, 24, 24]},
}
TIMEOUT = 20


class Server:
    """rope-server on 127.0.0.1, port 0; the port read back from the `listening` log line; stopped with SIGTERM."""

    def __init__(self, binary, *arguments, port=0):
        self.process = subprocess.Popen([binary, "--host", "127.0.0.1", "--port", str(port), *arguments],
                                        stderr=subprocess.PIPE, text=True)
        first = self.process.stderr.readline()
        match = re.search(r'"port":"(\d+)"', first)
        if '"event":"listening"' not in first or not match:
            self.stop()
            sys.exit(f"the server did not start: {first!r}")
        self.port = int(match.group(1))
        self.origin = f"http://127.0.0.1:{self.port}"
        self.lines = [first]
        self.own_requests = 0
        self.reader = threading.Thread(target=lambda: self.lines.extend(self.process.stderr), daemon=True)
        self.reader.start()

    def logged_requests(self):
        """The request lines of the server's log (complete once the server has stopped)."""
        self.reader.join(timeout=TIMEOUT)
        return sum('"event":"request"' in line for line in self.lines)

    def request(self, method, path, body=None, key=None):
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if key:
            headers["Authorization"] = "Bearer " + key
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.origin + path, data=data, method=method, headers=headers)
        self.own_requests += 1
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,800",
                     "--no-first-run", "--disable-background-networking", "--disable-component-update",
                     "--disable-default-apps", "--disable-sync", "--lang=en-US"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def viewport(driver, width, height, mobile):
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})


def wait_ready(driver):
    WebDriverWait(driver, TIMEOUT).until(
        lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-state") in ("ready", "error"))
    return driver.find_element(By.TAG_NAME, "body").get_attribute("data-state")


def refreshes(driver):
    return int(driver.find_element(By.TAG_NAME, "body").get_attribute("data-refreshes") or 0)


def change(driver, action):
    """Does action (a change in the form), then waits for the refresh it starts (debounced by the page) to end."""
    before = refreshes(driver)
    action()
    WebDriverWait(driver, TIMEOUT).until(lambda d: refreshes(d) > before)
    return wait_ready(driver)


def set_value(driver, element, text):
    """Puts text into a field as a paste does: the whole value at once, then one input event."""
    driver.execute_script("arguments[0].value = arguments[1];"
                          "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));", element, text)


def check(condition, message):
    if not condition:
        raise AssertionError(message)
    print("ok:", message)
    if current_driver:
        collect_requests(current_driver)


current_driver = None


def hand_tips(driver):
    return [(hand.get_attribute("x2"), hand.get_attribute("y2"))
            for hand in driver.find_elements(By.CSS_SELECTOR, "#clocks .hand")]


def check_llama31(driver, server):
    state = paste_config(driver, LLAMA_31_8B_CONFIG)
    frequencies_status, frequencies = server.request("POST", "/frequencies", {"config": LLAMA_31_8B_CONFIG})
    check(frequencies_status == 200 and state == "ready", "the pasted Llama 3.1 config is accepted")
    hands = driver.find_elements(By.CSS_SELECTOR, "#clocks .hand")
    check(len(hands) == len(frequencies["inv_freq"]) == 64, f"one hand per frequency pair ({len(hands)})")
    spectrum_status, spectrum = server.request("POST", "/spectrum", {"config": LLAMA_31_8B_CONFIG})
    check(spectrum_status == 200, f"/spectrum answers the Llama 3.1 config ({spectrum_status})")
    expected = sum(1 for regime in spectrum["regime"] if regime == "interpolated")
    cell = driver.find_element(By.ID, "count-interpolated")
    check(int(cell.text) == expected, f"interpolated slots on the page {cell.text} = /spectrum's {expected}")
    classes = [hand.get_attribute("class") for hand in hands]
    check(classes == ["hand " + regime for regime in spectrum["regime"]], "each hand is coloured by its slot's regime")
    rows = driver.find_elements(By.CSS_SELECTOR, "#precision-table tbody tr")
    check(len(rows) == 8, f"two precision rows (cos, sin) per position typed ({len(rows)})")


def paste_config(driver, config):
    mode = driver.find_element(By.CSS_SELECTOR, 'input[name="mode"][value="config"]')
    if not mode.is_selected():
        mode.click()
    return change(driver, lambda: set_value(driver, driver.find_element(By.ID, "f-config"),
                                            json.dumps(config, indent=2)))


def interpolated_count(server, body):
    status, spectrum = server.request("POST", "/spectrum", body)
    assert status == 200, f"/spectrum refused {body}: {spectrum}"
    return sum(1 for regime in spectrum["regime"] if regime == "interpolated")


def shown_inv_freq(driver, slot):
    """inv_freq[slot] as the page shows it (exactly, in the hand's tooltip)."""
    title = driver.find_elements(By.CSS_SELECTOR, "#clocks .clock title")[slot].get_attribute("textContent")
    return float(re.search(r"inv_freq ([^,]+),", title).group(1))


def check_layer_types(driver, server):
    """Gemma 3: the layer types offered; each one's frequencies (and spectrum) as the server gives them."""
    state = paste_config(driver, GEMMA_3_CONFIG)
    status, answer = server.request("POST", "/frequencies", {"config": GEMMA_3_CONFIG, "layer_type": "full_attention"})
    check(status == 200, "the server reads Gemma 3's config")
    select = driver.find_element(By.ID, "f-layer_type")
    options = [option.get_attribute("value") for option in select.find_elements(By.TAG_NAME, "option")]
    check(options == ["", "sliding_attention", "full_attention"], f"layer_type offers the config's types {options}")
    check(state == "ready" and select.get_attribute("value") == "sliding_attention", "the first type is chosen")
    for layer_type, selector in (("full_attention", {"layer_type": "full_attention"}),
                                 ("sliding_attention", {"layer_type": "sliding_attention"}),
                                 ("layer 5", {"layer": 5})):
        if "layer" in selector:
            change(driver, lambda: set_value(driver, driver.find_element(By.ID, "f-layer"), "5"))
            check(select.get_attribute("value") == "", "typing a layer clears layer_type (the server takes one)")
        else:
            change(driver, lambda: Select(select).select_by_value(layer_type))
        _, frequencies = server.request("POST", "/frequencies", {"config": GEMMA_3_CONFIG, **selector})
        check(shown_inv_freq(driver, 1) == frequencies["inv_freq"][1],
              f"{layer_type}: inv_freq[1] on the page = /frequencies' {frequencies['inv_freq'][1]}")
        expected = interpolated_count(server, {"config": GEMMA_3_CONFIG, **selector})
        shown = driver.find_element(By.ID, "count-interpolated").text
        check(shown == str(expected), f"{layer_type}: interpolated slots page {shown}, /spectrum {expected}")
    set_value(driver, driver.find_element(By.ID, "f-layer"), "")


def check_mrope(driver, server):
    """Qwen2-VL: each dial names the axis (t, h, w) /frequencies gives its pair."""
    state = paste_config(driver, QWEN2_VL_CONFIG)
    status, answer = server.request("POST", "/frequencies", {"config": QWEN2_VL_CONFIG})
    check(status == 200 and state == "ready", "the pasted Qwen2-VL config is accepted")
    labels = [label.text for label in driver.find_elements(By.CSS_SELECTOR, "#clocks .clock text")]
    expected = [f"{slot} {axis}" for slot, axis in enumerate(answer["mrope_axis"])]
    check(labels == expected and answer["mrope_axis"][16] == "h",
          f"the dials name the M-RoPE axes as /frequencies does ({labels[15:17]})")
    check(driver.find_element(By.ID, "mrope-legend").is_displayed(), "the legend explains the axes")


def check_llama3_parameters(driver, server):
    """Llama 3.1's RoPE typed into the fields (not pasted): rope_type picked with the keyboard, its keys' defaults."""
    manual = driver.find_element(By.CSS_SELECTOR, 'input[name="mode"][value="manual"]')
    if not manual.is_selected():
        change(driver, manual.click)
    rope_type = driver.find_element(By.ID, "f-rope_type")
    change(driver, lambda: rope_type.send_keys("llama3"))
    defaults = {name: driver.find_element(By.ID, "f-" + name).get_attribute("value")
                for name in ("factor", "low_freq_factor", "high_freq_factor", "original_max_position_embeddings")}
    check(defaults == {"factor": "8", "low_freq_factor": "1", "high_freq_factor": "4",
                       "original_max_position_embeddings": "8192"}, f"llama3's keys come with values {defaults}")
    change(driver, lambda: set_value(driver, driver.find_element(By.ID, "f-rope_theta"), "500000"))
    state = change(driver, lambda: set_value(driver, driver.find_element(By.ID, "f-max_position_embeddings"),
                                             "131072"))
    check(state == "ready", "Llama 3.1's parameters typed into the form are accepted")
    body = {"dim": 128, "rope_theta": 500000, "max_position_embeddings": 131072,
            "rope_scaling": {"rope_type": "llama3", "factor": 8, "low_freq_factor": 1, "high_freq_factor": 4,
                             "original_max_position_embeddings": 8192}}
    status, spectrum = server.request("POST", "/spectrum", body)
    check(status == 200, "/spectrum answers Llama 3.1's parameters")
    expected = sum(1 for regime in spectrum["regime"] if regime == "interpolated")
    shown = driver.find_element(By.ID, "count-interpolated").text
    check(shown == str(expected), f"interpolated slots for the typed parameters: page {shown}, /spectrum {expected}")
    check_copy_as(driver, server, spectrum)
    # Rounded for reading, exact on hover: the precision table against /spectrum's precision for the same positions.
    positions = [int(p) for p in driver.find_element(By.ID, "f-precision_positions").get_attribute("value").split(",")]
    _, spectrum = server.request("POST", "/spectrum", {**body, "precision_positions": positions})
    cells = driver.find_elements(By.CSS_SELECTOR, "#precision-table tbody td.num")
    exact = [float(cell.get_attribute("title")) for cell in cells[:3]]
    reference = [spectrum["precision"][0][kind]["cos"] for kind in ("float32", "bfloat16", "float16")]
    check(exact == reference and cells[0].text != cells[0].get_attribute("title"),
          f"position {positions[0]}: cos errors {[cell.text for cell in cells[:3]]} on the page, exact on hover "
          f"= /spectrum's {reference}")


def check_copy_as(driver, server, spectrum):
    """The copied curl command, run, answers what /spectrum answered the test; the Python call is valid Python that
    calls RopeClient(...).spectrum with the request's JSON fields as keywords."""
    command = driver.find_element(By.ID, "copy-curl").text
    server.own_requests += 1
    answer = json.loads(subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=TIMEOUT,
                                       check=True).stdout)
    check(answer["regime"] == spectrum["regime"] and answer["summary"] == spectrum["summary"],
          "the copied curl command gets the answer the page shows")
    python = driver.find_element(By.ID, "copy-python").text
    compile(python, "copied.py", "exec")
    call = re.search(r"client\.spectrum\((.*)\)\s*$", python, re.S)
    keywords = re.findall(r"(?:^|, )([a-z_]+)=", call.group(1) if call else "")
    body = json.loads(re.search(r"-d '(.*)'", command, re.S).group(1))
    check(call and keywords == list(body) and "RopeClient(" in python,
          f"the copied Python is valid and calls RopeClient(...).spectrum({', '.join(keywords)})")


def check_typed_position(driver, position):
    field = driver.find_element(By.ID, "f-position")
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(position)
    WebDriverWait(driver, TIMEOUT).until(
        lambda d: d.find_element(By.ID, "clocks").get_attribute("data-position") == position)
    slider = int(driver.find_element(By.ID, "position-slider").get_attribute("value"))
    check(700 < slider < 900, f"a typed position {position} moves the log-scale slider to {slider} of 1000")


def check_drag(driver):
    slider = driver.find_element(By.ID, "position-slider")
    before = hand_tips(driver)
    position_before = driver.find_element(By.ID, "clocks").get_attribute("data-position")
    slider.send_keys(Keys.END)   # the keyboard moves the slider: to the end of the log scale
    WebDriverWait(driver, TIMEOUT).until(
        lambda d: d.find_element(By.ID, "clocks").get_attribute("data-position") != position_before)
    after = hand_tips(driver)
    moved = sum(1 for old, new in zip(before, after) if old != new)
    check(moved > len(before) // 2, f"the keyboard moved the position and {moved} of {len(before)} hands turned")
    position = driver.find_element(By.ID, "f-position").get_attribute("value")
    actions = webdriver.ActionChains(driver)
    actions.click_and_hold(slider).move_by_offset(-slider.size["width"] // 4, 0).release().perform()
    WebDriverWait(driver, TIMEOUT).until(
        lambda d: d.find_element(By.ID, "f-position").get_attribute("value") != position)
    WebDriverWait(driver, TIMEOUT).until(lambda d: hand_tips(d) != after)
    check(True, "dragging the slider with the mouse turns the hands again "
                f"(position {position} -> {driver.find_element(By.ID, 'f-position').get_attribute('value')})")


def check_bad_value(driver, server):
    manual = driver.find_element(By.CSS_SELECTOR, 'input[name="mode"][value="manual"]')
    if not manual.is_selected():
        change(driver, manual.click)
    change(driver, lambda: set_value(driver, driver.find_element(By.ID, "f-rope_theta"), "-5"))
    status, answer = server.request("POST", "/frequencies", {"dim": 128, "rope_theta": -5})
    check(status == 422, f"the server refuses rope_theta -5 with 422 ({answer['error']})")
    shown = driver.find_element(By.CSS_SELECTOR, '.server-error[data-error-for="rope_theta"]')
    check(shown.text == answer["error"] and shown.is_displayed(), "the server's message is shown next to rope_theta")
    check(driver.find_element(By.ID, "f-rope_theta").get_attribute("aria-invalid") == "true", "rope_theta is marked")
    state = change(driver, lambda: set_value(driver, driver.find_element(By.ID, "f-rope_theta"), "10000"))
    check(state == "ready" and not driver.find_elements(By.CSS_SELECTOR, ".server-error"),
          "a good value clears the message")


def performance(driver):
    """The DevTools events logged since the last call (every call drains chromedriver's buffer)."""
    return [json.loads(entry["message"])["message"] for entry in driver.get_log("performance")]


requested = []


def collect_requests(driver):
    """Keeps the URL of every request the browser started, read often enough that none is lost."""
    requested.extend(message["params"]["request"]["url"] for message in performance(driver)
                     if message["method"] == "Network.requestWillBeSent")


def check_logs(driver, origin):
    # Chrome logs every 4xx answer to a fetch as a network error; the page provoked these on purpose (the bad value,
    # the config or /spectrum this server may refuse) and shows them. Any other entry (a script error, a blocked
    # resource, a Content-Security-Policy violation) fails.
    expected = re.compile(re.escape(origin) + r"/(frequencies|spectrum) - Failed to load resource: "
                          r"the server responded with a status of (404|422) ")
    entries = [entry for entry in driver.get_log("browser") if entry["level"] in ("SEVERE", "ERROR", "WARNING")]
    errors = [entry for entry in entries if not (entry["source"] == "network" and expected.match(entry["message"]))]
    check(not errors, f"no console errors or warnings beyond the {len(entries) - len(errors)} provoked 4xx {errors}")
    collect_requests(driver)
    urls = requested
    outside = [url for url in urls if not (url.startswith(origin + "/") or url.startswith("data:"))]
    check(urls and not outside, f"all {len(urls)} requests went to {origin} {outside}")


def screenshot(driver, folder, name, width, height, mobile):
    """The window as it is (name.png) and the whole page at that width (name-full.png)."""
    viewport(driver, width, height, mobile)
    driver.execute_script("window.scrollTo(0, 0); window.dispatchEvent(new Event('resize'))")
    time.sleep(1.0)   # the page redraws its clocks 200 ms after a resize
    wait_ready(driver)
    path = os.path.join(folder, name + ".png")
    driver.save_screenshot(path)
    page_height = driver.execute_script("return document.documentElement.scrollHeight")
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": page_height, "scale": 1}})
    full = os.path.join(folder, name + "-full.png")
    with open(full, "wb") as file:
        file.write(base64.b64decode(shot["data"]))
    width_used = driver.execute_script("return document.documentElement.scrollWidth")
    check(width_used <= width, f"{name}: nothing wider than the window ({width_used} <= {width} px)")
    print("screenshot:", path, "and", full)


def check_api_key(binary):
    key = "browser-test-key"
    server = Server(binary, "--api-key", key)
    driver = browser()
    try:
        status, answer = server.request("GET", "/")
        check(status == 401 and answer["error_type"] == "unauthorized", "without the key / is a 401")
        driver.get(server.origin + "/")
        statuses = []

        def answered(driver):
            statuses.extend(message["params"]["response"]["status"] for message in performance(driver)
                            if message["method"] == "Network.responseReceived"
                            and message["params"]["response"]["url"] == server.origin + "/")
            return statuses
        WebDriverWait(driver, TIMEOUT).until(answered)
        check(statuses and set(statuses) == {401} and not driver.find_elements(By.ID, "parameters"),
              f"a browser without the key gets the 401 challenge and no page {statuses}")
        driver.get(f"http://rope:{key}@127.0.0.1:{server.port}/")
        check(wait_ready(driver) == "ready", "with the key as Basic credentials the page loads and its requests pass")
        check(driver.find_element(By.ID, "key-panel").is_displayed() is False, "the page does not ask for the key")
        # The server comes back on the same port with another key: the page's requests get 401s, and the page
        # asks for the key itself and sends it as a bearer token from then on.
        port = server.port
        server.stop()
        server = Server(binary, "--api-key", "rotated-key", port=port)
        field = driver.find_element(By.ID, "f-rope_theta")
        set_value(driver, field, "20000")
        WebDriverWait(driver, TIMEOUT).until(lambda d: d.find_element(By.ID, "key-panel").is_displayed())
        check(driver.switch_to.active_element == driver.find_element(By.ID, "api-key"),
              "on a 401 the page shows its key field, focused")
        driver.find_element(By.ID, "api-key").send_keys("wrong-key" + Keys.ENTER)
        WebDriverWait(driver, TIMEOUT).until(lambda d: d.find_element(By.ID, "key-message").text != "")
        check(driver.find_element(By.ID, "key-message").text == "the API key is not valid",
              "a wrong key is refused with the server's message")
        driver.find_element(By.ID, "api-key").clear()
        before = refreshes(driver)
        driver.find_element(By.ID, "api-key").send_keys("rotated-key" + Keys.ENTER)
        WebDriverWait(driver, TIMEOUT).until(lambda d: refreshes(d) > before)
        check(wait_ready(driver) == "ready" and not driver.find_element(By.ID, "key-panel").is_displayed(),
              "with the key typed into the page its requests pass again")
    finally:
        driver.quit()
        server.stop()


def main():
    binary, folder = sys.argv[1], sys.argv[2]
    os.makedirs(folder, exist_ok=True)
    global current_driver
    server = Server(binary)
    driver = browser()
    current_driver = driver
    try:
        viewport(driver, 1280, 800, False)
        driver.get(server.origin + "/")
        check(wait_ready(driver) == "ready", "the page loads and draws the default parameters")
        check(len(driver.find_elements(By.CSS_SELECTOR, "#clocks .hand")) == 64, "64 hands for dim 128")
        check_drag(driver)
        check_bad_value(driver, server)
        check_llama31(driver, server)
        check_layer_types(driver, server)
        check_mrope(driver, server)
        check_llama3_parameters(driver, server)
        check_typed_position(driver, "24000")
        screenshot(driver, folder, "explorer-1280x800", 1280, 800, False)
        screenshot(driver, folder, "explorer-phone-390x844", 390, 844, True)
        check_logs(driver, server.origin)
    finally:
        current_driver = None
        driver.quit()
        server.stop()
    check(server.process.returncode == 0, "the server exits 0 on SIGTERM")
    browser_requests = sum(1 for url in requested if url.startswith(server.origin + "/"))
    check(server.logged_requests() - server.own_requests == browser_requests,
          f"the browser's request log is complete: the server answered {browser_requests} requests from it")
    check_api_key(binary)
    print("screenshots in", folder)


if __name__ == "__main__":
    main()
