package io.faultline.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One headless Chromium (Debian's chromium and chromedriver; Selenium Manager is never run) for the
 * console tests of a class, with the waits and checks they share. Screenshots go to
 * {@code target/console-screenshots/}, downloads to a temporary directory.
 */
final class ConsoleBrowser implements AutoCloseable {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path DRIVER = Path.of("/usr/bin/chromedriver");
  static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

  final ChromeDriver driver;
  final Path downloads;
  private final Path profile;

  /**
   * Skips the test only on a developer's machine without chromium (CI unset); in CI a missing browser
   * fails the test, as .ci/run installs it.
   */
  static void assumeAvailable() {
    boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER);
    if (System.getenv("CI") == null) {
      assumeTrue(present, "chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)");
    }
    assertThat(present).as("CI must have /usr/bin/chromium and /usr/bin/chromedriver (.ci/run installs them)").isTrue();
  }

  ConsoleBrowser() throws IOException {
    downloads = Files.createTempDirectory("console-downloads");
    profile = Files.createTempDirectory("chrome-profile");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-quic", "--hide-scrollbars", "--window-size=1280,800",
        "--user-data-dir=" + profile);
    options.setExperimentalOption("prefs", Map.of("download.default_directory", downloads.toString(),
        "download.prompt_for_download", false));
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
        .usingAnyFreePort().build();
    driver = new ChromeDriver(service, options);
  }

  /**
   * Shows url; the same URL again is reloaded (a browser ignores going to the page it is on), so its data is fresh. A
   * page that asks before it is left with edits not saved (the builder, the chaos page's forms) is left first as a user
   * answering "Leave" would, so a test that ends mid-edit does not hold up the next.
   */
  void open(String url) {
    if (asksBeforeUnload()) {
      driver.navigate().to("about:blank");
      until(d -> {
        try {
          d.switchTo().alert().accept(); // the browser's own question, asked by a page with unsaved work
        } catch (org.openqa.selenium.NoAlertPresentException e) {
          // none asked
        }
        return "about:blank".equals(d.getCurrentUrl());
      });
    }
    if (url.equals(driver.getCurrentUrl())) {
      driver.navigate().refresh();
    } else {
      driver.get(url);
    }
  }

  /** Whether the page in view cancels a beforeunload event: how it asks the browser to ask before the page goes. */
  boolean asksBeforeUnload() {
    return Boolean.TRUE.equals(((org.openqa.selenium.JavascriptExecutor) driver).executeScript(
        "const e = new Event('beforeunload', {cancelable: true}); window.dispatchEvent(e); return e.defaultPrevented"));
  }

  /**
   * Waits up to 20 s (a busy 2-core machine) for condition to give a non-null, non-false value; an
   * element the page redrew meanwhile (live data redraws often) just means "not yet".
   */
  <T> T until(Function<WebDriver, T> condition) {
    return new WebDriverWait(driver, Duration.ofSeconds(20), Duration.ofMillis(50))
        .ignoring(StaleElementReferenceException.class).until(condition);
  }

  WebElement visible(By by) {
    return until(d -> d.findElements(by).stream().filter(WebElement::isDisplayed).findFirst().orElse(null));
  }

  /** Waits until the element by finds shows text containing expected. */
  WebElement text(By by, String expected) {
    return until(d -> d.findElements(by).stream().filter(e -> e.isDisplayed() && e.getText().contains(expected)).findFirst().orElse(null));
  }

  /**
   * Finds and clicks what {@code by} finds in one step, again if a redraw replaced it meanwhile (pages that
   * read the API every few seconds draw their tables anew).
   */
  void press(By by) {
    until(d -> {
      try {
        d.findElements(by).stream().filter(WebElement::isDisplayed).findFirst().orElseThrow(
            () -> new org.openqa.selenium.NoSuchElementException(by.toString())).click();
        return true;
      } catch (org.openqa.selenium.StaleElementReferenceException | org.openqa.selenium.NoSuchElementException e) {
        return null;
      }
    });
  }

  WebElement button(String name) {
    return until(d -> d.findElements(By.cssSelector("button, a.button")).stream()
        .filter(e -> e.isDisplayed() && (name.equals(e.getText().trim()) || name.equals(e.getAttribute("aria-label"))))
        .findFirst().orElse(null));
  }

  /** The input labelled label inside the element by finds. */
  WebElement field(By within, String label) {
    return until(d -> {
      for (WebElement box : d.findElements(within)) {
        for (WebElement l : box.findElements(By.tagName("label"))) {
          if (l.isDisplayed() && l.getText().trim().equals(label)) {
            return d.findElement(By.id(l.getAttribute("for")));
          }
        }
      }
      return null;
    });
  }

  void type(WebElement input, String value) {
    input.clear();
    input.sendKeys(value);
  }

  Object script(String js, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(js, args);
  }

  /** Makes the page's viewport width x height (the window is larger by whatever frame the browser draws). */
  void size(int width, int height) {
    driver.manage().window().setSize(new Dimension(width, height));
    int extraWidth = width - ((Number) script("return window.innerWidth")).intValue();
    int extraHeight = height - ((Number) script("return window.innerHeight")).intValue();
    if (extraWidth != 0 || extraHeight != 0) {
      driver.manage().window().setSize(new Dimension(width + extraWidth, height + extraHeight));
    }
    until(d -> ((Number) script("return window.innerWidth")).intValue() == width);
  }

  void screenshot(String name) {
    try {
      Files.createDirectories(SCREENSHOTS);
      Files.write(SCREENSHOTS.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The page is no wider than the window: nothing scrolls sideways. */
  void assertNoSidewaysScroll(String page) {
    Number scroll = (Number) script("return document.documentElement.scrollWidth");
    Number width = (Number) script("return document.documentElement.clientWidth");
    assertThat(scroll.intValue()).as("%s scrolls sideways at %d px", page, width.intValue()).isLessThanOrEqualTo(width.intValue());
  }

  /** Every control on the page that is shown has an accessible name, as the browser computes it. */
  void assertEveryControlNamed(String page) {
    List<WebElement> controls = driver.findElements(By.cssSelector("button, a[href], input, select, textarea, [role=button]"));
    assertThat(controls).as("controls on %s", page).isNotEmpty();
    for (WebElement control : controls) {
      if (control.isDisplayed()) {
        assertThat(control.getAccessibleName()).as("accessible name of %s on %s", control.getAttribute("outerHTML"), page).isNotBlank();
      }
    }
  }

  /** Waits for a file in the download directory whose name ends with suffix, and answers its text. */
  String downloaded(String suffix) {
    // Chromium puts an empty file under the final name as the download starts, and writes beside it (.crdownload): the
    // file is whole once that is gone and it has bytes (a CSV export was read empty once, on a busy machine)
    File file = until(d -> {
      File[] files = downloads.toFile().listFiles((dir, name) -> name.endsWith(suffix));
      File[] partial = downloads.toFile().listFiles((dir, name) -> name.endsWith(".crdownload"));
      return files != null && files.length > 0 && files[0].length() > 0 && (partial == null || partial.length == 0) ? files[0] : null;
    });
    try {
      return Files.readString(file.toPath());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    driver.quit();
    delete(profile);
    delete(downloads);
  }

  /** Removes a temporary directory the browser used (a profile is some 10 MB), quietly: only a clean-up. */
  private static void delete(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    } catch (IOException | UncheckedIOException e) {
      // what is left stays in the temporary directory
    }
  }
}
