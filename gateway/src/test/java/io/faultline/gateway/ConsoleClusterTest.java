package io.faultline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/** The console's Cluster page on a real two-node cluster: nodes appear as they join; tasks (an orchestration's too) show each node's part. */
class ConsoleClusterTest {

  @Test
  void aNodeThatJoinsAppearsOnTheClusterPageWithTheLeaderAndTasks() throws Exception {
    ConsoleBrowser.assumeAvailable();
    try (ClusterFixture cluster = new ClusterFixture(); ConsoleBrowser browser = new ConsoleBrowser()) {
      Gateway n1 = cluster.start(0);
      browser.size(1280, 800);
      browser.open("http://127.0.0.1:" + n1.adminPort() + "/#/cluster");
      browser.text(By.cssSelector("tr[data-node=n1]"), "leader");
      browser.text(By.id("leader"), "n1");
      assertThat(browser.driver.findElements(By.cssSelector("tr[data-node]"))).hasSize(1);

      cluster.start(1);
      browser.text(By.cssSelector("tr[data-node=n2]"), "active");
      // the page polls: read the row in a wait, where a redrawn row means "not yet"
      String n2 = browser.until(d -> d.findElement(By.cssSelector("tr[data-node=n2]")).getText());
      assertThat(n2).contains("us").doesNotContain("leader");

      assertThat(cluster.post(n1, "/api/cluster/tasks",
          "{\"mode\": \"parallel\", \"scenario\": \"slow_backend\", \"duration_seconds\": 1}").getString("status")).isEqualTo("running");
      browser.text(By.cssSelector("tr[data-task]"), "n2:");
      browser.text(By.cssSelector("tr[data-task]"), "succeeded");
      browser.screenshot("cluster");

      cluster.post(n1, "/api/cluster/tasks", "{\"id\": \"o\", \"target_nodes\": [\"n2\"], \"orchestration\":"
          + " \"name: smoke\\nsteps:\\n  - {name: a, scenario: slow_backend, duration_seconds: 0.5}\\n\"}");
      browser.text(By.cssSelector("tr[data-task=o]"), "orchestration smoke");
      browser.text(By.cssSelector("tr[data-task=o]"), "as long as its runs");

      // a running task has a Cancel button; pressing it cancels the task on the cluster
      cluster.post(n1, "/api/cluster/tasks", "{\"id\": \"long\", \"mode\": \"parallel\", \"scenario\": \"slow_backend\", \"duration_seconds\": 600}");
      browser.text(By.cssSelector("tr[data-task=long]"), "running");
      browser.visible(By.cssSelector("button[data-cancel=long]"));
      browser.screenshot("cluster-running-task");
      browser.press(By.cssSelector("button[data-cancel=long]")); // the table is redrawn every 2 s
      browser.text(By.cssSelector("main"), "Task long cancelled: its running parts end on their nodes.");
      browser.text(By.cssSelector("tr[data-task=long]"), "cancelled");
      assertThat(cluster.get(n1, "/api/cluster/tasks/long").getString("status")).isEqualTo("cancelled");
      ClusterFixture.eventually(() -> cluster.get(n1, "/api/cluster/tasks/long").getJsonArray("items").stream()
          .allMatch(i -> "cancelled".equals(((io.vertx.core.json.JsonObject) i).getString("state"))), "both parts closed");
      assertThat(browser.driver.findElements(By.cssSelector("button[data-cancel=long]"))).isEmpty();
    }
  }
}
