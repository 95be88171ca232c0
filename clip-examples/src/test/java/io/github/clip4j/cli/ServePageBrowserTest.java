package io.github.clip4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.clip4j.Clip;
import io.github.clip4j.retrieval.ImageIndex;
import io.github.clip4j.serve.SearchServer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.Rectangle;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The search page in a real browser: Debian's headless Chromium driven by Selenium through Debian's chromedriver
 * (no Selenium Manager download). Skipped when Chromium is not installed, except on CI ({@code CI=true}), where
 * {@code .ci/run} installs it.
 */
class ServePageBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @TempDir
    static Path dir;

    private static Clip clip;
    private static ImageIndex index;
    private static SearchServer server;
    private static ChromeDriver browser;

    @BeforeAll
    static void start() {
        boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!installed && !"true".equals(System.getenv("CI"))) {
            Assumptions.abort("no Chromium: apt-get install chromium chromium-driver to run the browser test");
        }
        assertThat(installed).as("CI must have " + CHROMIUM + " and " + CHROMEDRIVER + " (.ci/run installs them)")
                .isTrue();
        Path indexFile = ServeTestSupport.indexedPhotos(dir);
        clip = ServeTestSupport.tinyClip();
        index = ImageIndex.open(indexFile, clip);
        server = SearchServer.start(new InetSocketAddress("127.0.0.1", 0), index, clip);

        System.setProperty("SE_OFFLINE", "true"); // never let Selenium Manager download a browser or driver
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                        "--window-size=1280,1000", "--no-first-run", "--disable-extensions");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.close();
        }
        if (index != null) {
            index.close();
        }
        if (clip != null) {
            clip.close();
        }
    }

    @Test
    void aTypedQueryShowsResultImagesAndAnImageQueryFindsItself() throws Exception {
        browser.get(server.url().toString());
        assertThat(browser.getTitle()).isEqualTo("clip4j search");
        WebElement q = browser.findElement(By.id("q"));
        String query = "一只猫 a cat";
        q.sendKeys(query, Keys.ENTER);
        waitForLoadedResults(ServeTestSupport.IMAGES.size());

        String status = browser.findElement(By.id("status")).getText();
        assertThat(status).contains("6 images").contains(query); // Chinese text round-trips intact
        List<WebElement> tiles = browser.findElements(By.cssSelector("#results li"));
        assertThat(tiles.get(0).getText()).contains("100.0% of the best");
        for (WebElement tile : tiles) {
            assertThat(tile.getText()).containsPattern("score -?\\d\\.\\d{4}");
        }

        byte[] png = browser.getScreenshotAs(OutputType.BYTES);
        Path shot = Path.of("target", "serve-page.png");
        Files.createDirectories(shot.getParent());
        Files.write(shot, png);
        BufferedImage screenshot = ImageIO.read(new ByteArrayInputStream(png));
        double scale = screenshot.getWidth() / ((Number) ((JavascriptExecutor) browser)
                .executeScript("return window.innerWidth;")).doubleValue();
        int visible = 0;
        for (WebElement tile : tiles) {
            Rectangle r = tile.findElement(By.cssSelector("a.thumb")).getRect();
            if ((r.getY() + r.getHeight()) * scale > screenshot.getHeight()) {
                continue; // below the fold
            }
            visible++;
            assertThat(variance(screenshot, r, scale)).as("pixel variance of the tile at %s (screenshot %s)", r, shot)
                    .isGreaterThan(100.0);
        }
        assertThat(visible).as("tiles in the screenshot").isGreaterThanOrEqualTo(3);

        // the file picker (drop and paste send the same request): the image itself comes first
        browser.findElement(By.id("file")).sendKeys(dir.resolve("photos/rocket.jpg").toAbsolutePath().toString());
        new WebDriverWait(browser, Duration.ofSeconds(60)).until(d -> d.findElement(By.id("status")).getText()
                .startsWith("6 images for the image rocket.jpg"));
        waitForLoadedResults(ServeTestSupport.IMAGES.size());
        assertThat(browser.findElements(By.cssSelector("#results li")).get(0).getText()).contains("rocket.jpg")
                .contains("100.0% of the best");
    }

    private static void waitForLoadedResults(int count) {
        new WebDriverWait(browser, Duration.ofSeconds(60)).until(d -> (Boolean) ((JavascriptExecutor) d)
                .executeScript("const imgs = document.querySelectorAll('#results li img');"
                        + "return imgs.length === arguments[0]"
                        + " && Array.from(imgs).every(i => i.complete && i.naturalWidth > 0);", count));
    }

    /** The luminance variance of the screenshot inside {@code r} (CSS pixels, scaled to the screenshot's). */
    private static double variance(BufferedImage image, Rectangle r, double scale) {
        int x0 = (int) (r.getX() * scale);
        int y0 = (int) (r.getY() * scale);
        int x1 = Math.min(image.getWidth(), (int) ((r.getX() + r.getWidth()) * scale));
        int y1 = Math.min(image.getHeight(), (int) ((r.getY() + r.getHeight()) * scale));
        double sum = 0;
        double sumSquares = 0;
        long n = 0;
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                int rgb = image.getRGB(x, y);
                double luma = 0.299 * (rgb >> 16 & 0xff) + 0.587 * (rgb >> 8 & 0xff) + 0.114 * (rgb & 0xff);
                sum += luma;
                sumSquares += luma * luma;
                n++;
            }
        }
        double mean = sum / n;
        return sumSquares / n - mean * mean;
    }
}
