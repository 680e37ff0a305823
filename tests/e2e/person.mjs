// A person at a browser, for the demo's end-to-end scenarios: they read headings and alerts, type into labelled
// fields, press named buttons and follow links, in Chromium (Playwright) or Firefox (WebDriver, as Playwright drives
// only its own build of Firefox). The scenarios are written once against this, and run in both.
//
// Names are matched as Playwright's getByRole and getByLabel match them: a string is found in the accessible name,
// whitespace collapsed and case ignored, unless `exact`; a RegExp is tested against it.
import { Builder, Key } from "selenium-webdriver";
import firefox from "selenium-webdriver/firefox.js";
import { launchChromium } from "./browser.mjs";

const WAIT_MS = 20_000;

/** What `matches` in the page needs to know of a name: JSON carries no RegExp. */
function nameSpec(name, exact = false) {
  return name instanceof RegExp ? { source: name.source, flags: name.flags } : { text: String(name), exact };
}

/** Launches `browserName` ("Chromium" or "Firefox"). Resolves to `{ open(url, viewport), close() }`. */
export async function launch(browserName) {
  if (browserName === "Chromium") {
    const browser = await launchChromium();
    return {
      open: async (url, viewport) => {
        const context = await browser.newContext({ viewport });
        const page = await context.newPage();
        const person = playwrightPerson(page);
        await page.goto(url);
        return person;
      },
      close: () => browser.close(),
    };
  }
  const drivers = [];
  return {
    async open(url, viewport) {
      const options = new firefox.Options().setBinary("/usr/bin/firefox-esr").addArguments("-headless");
      options.addArguments(`--width=${viewport.width}`, `--height=${viewport.height}`);
      const driver = await new Builder()
        .forBrowser("firefox")
        .setFirefoxOptions(options)
        // An explicit driver: otherwise Selenium Manager tries to download one.
        .setFirefoxService(new firefox.ServiceBuilder(process.env.GECKODRIVER ?? "geckodriver"))
        .build();
      drivers.push(driver);
      await driver.manage().window().setRect({ width: viewport.width, height: viewport.height });
      await driver.get(url);
      return webDriverPerson(driver, await driver.getWindowHandle());
    },
    close: () => Promise.all(drivers.map((driver) => driver.quit().catch(() => {}))),
  };
}

// ---- Chromium --------------------------------------------------------------------------------------------------

function playwrightPerson(page) {
  const errors = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  const wait = { timeout: WAIT_MS };
  const named = (name, exact) => (name instanceof RegExp ? { name } : { name, exact });
  const button = (name, exact) => page.getByRole("button", named(name, exact));
  return {
    browser: "Chromium",
    page,
    errors,
    heading: (name) => page.getByRole("heading", { name, level: 1 }).waitFor(wait),
    text: (text) => page.getByText(text).filter({ visible: true }).first().waitFor(wait),
    fill: (label, value, { exact = false } = {}) => page.getByLabel(label, { exact }).fill(value),
    inputValue: (label) => page.getByLabel(label).inputValue(),
    click: (name, { exact = false, role = "button" } = {}) => page.getByRole(role, named(name, exact)).click(wait),
    check: (label) => page.getByLabel(label).check(),
    isDisabled: (name) => button(name).isDisabled(),
    waitForButton: (name) => button(name).waitFor(wait),
    async alert() {
      const alert = page.getByRole("alert");
      await alert.waitFor(wait);
      return (await alert.textContent()).trim();
    },
    textOf: async (css) => (await page.locator(css).textContent()).trim(),
    async codeInRow(text) {
      const row = page.getByRole("row").filter({ hasText: text }).first();
      await row.waitFor(wait);
      return (await row.locator("code").textContent()).trim();
    },
    cell: (name) => page.getByRole("cell", { name }).waitFor(wait),
    focus: (label) => page.getByLabel(label).focus(),
    type: (text) => page.keyboard.type(text),
    press: (key) => page.keyboard.press(key),
    waitFor: (fn) => page.waitForFunction(fn, null, wait),
    evaluate: (fn, arg) => page.evaluate(fn, arg),
    async imagePng(name) {
      return (await page.getByRole("img", { name }).screenshot()).toString("base64");
    },
    async follow(name) {
      const [tab] = await Promise.all([page.context().waitForEvent("page"), page.getByRole("link", { name }).click()]);
      await tab.waitForLoadState();
      return playwrightPerson(tab);
    },
    screenshot: (path) => page.screenshot({ path, fullPage: true }),
    closeTab: () => page.close(),
    close: () => page.context().close(),
  };
}

// ---- Firefox ---------------------------------------------------------------------------------------------------

// Runs in the page: the visible element of `role` whose accessible name matches. Kept small and close to how
// Playwright names things: a button's or link's text (or aria-label), a heading's text, a cell's text, an img's
// aria-label, and for a labelled control its <label>'s text.
function findInPage(role, spec, level) {
  const collapse = (text) => (text ?? "").replace(/\s+/g, " ").trim();
  const matches = (text) => {
    const name = collapse(text);
    if (spec.source !== undefined) return new RegExp(spec.source, spec.flags).test(name);
    return spec.exact ? name === collapse(spec.text) : name.toLowerCase().includes(collapse(spec.text).toLowerCase());
  };
  const visible = (el) => el.checkVisibility({ visibilityProperty: true });
  const selector = {
    button: "button, [role=button], input[type=submit]",
    link: "a[href]",
    heading: level ? `h${level}` : "h1, h2, h3, h4, h5, h6",
    cell: "td, th",
    img: "[role=img], img",
    row: "tr",
    alert: "[role=alert]",
  }[role];
  if (role === "label") {
    for (const label of document.querySelectorAll("label")) {
      const control = label.control;
      if (control && visible(control) && matches(label.textContent)) return control;
    }
    return null;
  }
  const nameOf = (el) => el.getAttribute("aria-label") ?? el.textContent;
  return [...document.querySelectorAll(selector)].find((el) => visible(el) && (spec === null || matches(nameOf(el)))) ?? null;
}

function webDriverPerson(driver, handle) {
  async function here() {
    if ((await driver.getWindowHandle()) !== handle) await driver.switchTo().window(handle);
  }
  /** Waits for the element `findInPage` finds. */
  async function find(role, spec, level) {
    await here();
    let found = null;
    await driver.wait(
      async () => {
        found = await driver.executeScript(`return (${findInPage})(arguments[0], arguments[1], arguments[2])`, role, spec, level);
        return found !== null;
      },
      WAIT_MS,
      `no visible ${role} ${JSON.stringify(spec)}`,
    );
    return found;
  }
  const text = async (element) => (await driver.executeScript("return arguments[0].textContent", element)).trim();
  const keys = { Tab: Key.TAB, Enter: Key.ENTER };
  return {
    browser: "Firefox",
    heading: (name) => find("heading", nameSpec(name), 1),
    async text(wanted) {
      await here();
      await driver.wait(
        () =>
          driver.executeScript(
            `const spec = arguments[0];
             const text = document.body.innerText.replace(/\\s+/g, " ");
             return spec.source !== undefined ? new RegExp(spec.source, spec.flags).test(text) : text.includes(spec.text);`,
            nameSpec(wanted),
          ),
        WAIT_MS,
        `no visible text ${wanted}`,
      );
    },
    async fill(label, value, { exact = false } = {}) {
      const control = await find("label", nameSpec(label, exact));
      await control.clear();
      await control.sendKeys(value);
    },
    inputValue: async (label) => (await find("label", nameSpec(label))).getAttribute("value"),
    click: async (name, { exact = false, role = "button" } = {}) => (await find(role, nameSpec(name, exact))).click(),
    async check(label) {
      const box = await find("label", nameSpec(label));
      if (!(await box.isSelected())) await box.click();
    },
    isDisabled: async (name) => !(await (await find("button", nameSpec(name))).isEnabled()),
    waitForButton: (name) => find("button", nameSpec(name)),
    alert: async () => text(await find("alert", null)),
    async textOf(css) {
      await here();
      return (await driver.executeScript("return document.querySelector(arguments[0]).textContent", css)).trim();
    },
    async codeInRow(wanted) {
      const row = await find("row", nameSpec(wanted));
      return (await driver.executeScript("return arguments[0].querySelector('code').textContent", row)).trim();
    },
    cell: (name) => find("cell", nameSpec(name)),
    focus: async (label) => driver.executeScript("arguments[0].focus()", await find("label", nameSpec(label))),
    async type(value) {
      await here();
      await driver.actions().sendKeys(value).perform();
    },
    async press(key) {
      await here();
      await driver.actions().sendKeys(keys[key] ?? key).perform();
    },
    async waitFor(fn) {
      await here();
      await driver.wait(() => driver.executeScript(`return Boolean((${fn})())`), WAIT_MS, `never true: ${fn}`);
    },
    async evaluate(fn, arg) {
      await here();
      const script = `const done = arguments[1];
        Promise.resolve((${fn})(arguments[0])).then((value) => done({ value }), (error) => done({ error: String(error) }));`;
      const { value, error } = await driver.executeAsyncScript(script, arg);
      if (error !== undefined && error !== null) throw new Error(`in the page: ${error}`);
      return value;
    },
    imagePng: async (name) => (await find("img", nameSpec(name))).takeScreenshot(),
    async follow(name) {
      const before = new Set(await driver.getAllWindowHandles());
      await (await find("link", nameSpec(name))).click();
      let opened;
      await driver.wait(async () => {
        opened = (await driver.getAllWindowHandles()).find((h) => !before.has(h));
        return opened !== undefined;
      }, WAIT_MS);
      await driver.switchTo().window(opened);
      await driver.wait(() => driver.executeScript("return document.readyState === 'complete'"), WAIT_MS);
      return webDriverPerson(driver, opened);
    },
    async screenshot(path) {
      await here();
      const { writeFile } = await import("node:fs/promises");
      await writeFile(path, Buffer.from(await driver.takeScreenshot(), "base64"));
    },
    async closeTab() {
      await here();
      await driver.close();
      const [first] = await driver.getAllWindowHandles();
      await driver.switchTo().window(first);
    },
    close: () => driver.quit(),
  };
}
