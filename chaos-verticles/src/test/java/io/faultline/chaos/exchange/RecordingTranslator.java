package io.faultline.chaos.exchange;

import io.faultline.chaos.engine.RequestFacts;
import io.faultline.chaos.engine.Terminal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A translator for exchanges that are plain strings (the request path): it records which step the
 * lifecycle took and ends the exchange as a protocol would (forward: 200; a refusal: its HTTP status;
 * a reset or timeout: dropped).
 */
final class RecordingTranslator implements Translator<String> {

  final List<String> steps = new CopyOnWriteArrayList<>();
  volatile boolean gone;
  volatile boolean endOnForward = true;

  @Override
  public RequestFacts facts(String path, String route) {
    return new RequestFacts() {
      @Override
      public String listener() {
        return "web";
      }

      @Override
      public String route() {
        return route;
      }

      @Override
      public String method() {
        return "GET";
      }

      @Override
      public String path() {
        return path;
      }

      @Override
      public String host() {
        return "localhost";
      }

      @Override
      public String header(String name) {
        return Map.of("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01").get(name);
      }

      @Override
      public String clientIp() {
        return "127.0.0.1";
      }
    };
  }

  @Override
  public boolean gone(String path) {
    return gone;
  }

  @Override
  public void forward(Exchange<String> exchange) {
    steps.add("forward");
    if (endOnForward) {
      exchange.end(200);
    }
  }

  private void refuse(Exchange<String> exchange, String step, Terminal terminal) {
    steps.add(step);
    exchange.end(terminal.httpStatus());
  }

  @Override
  public void httpError(Exchange<String> exchange, Terminal.HttpError error) {
    refuse(exchange, "httpError", error);
  }

  @Override
  public void rateLimited(Exchange<String> exchange, Terminal.RateLimited limited) {
    refuse(exchange, "rateLimited", limited);
  }

  @Override
  public void breakerOpen(Exchange<String> exchange, Terminal.BreakerOpen open) {
    refuse(exchange, "breakerOpen", open);
  }

  @Override
  public void bulkheadFull(Exchange<String> exchange, Terminal.BulkheadFull full) {
    refuse(exchange, "bulkheadFull", full);
  }

  @Override
  public void status(Exchange<String> exchange, Terminal.Status status) {
    refuse(exchange, "status", status);
  }

  @Override
  public void graphQlError(Exchange<String> exchange, Terminal.GraphQlError error) {
    refuse(exchange, "graphQlError", error);
  }

  @Override
  public void timeout(Exchange<String> exchange, Terminal.Timeout timeout) {
    steps.add("timeout");
    exchange.drop(true);
  }

  @Override
  public void reset(Exchange<String> exchange, Terminal.Reset reset) {
    steps.add("reset");
    exchange.drop(true);
  }

  @Override
  public void cut(Exchange<String> exchange, Terminal.Cut cut) {
    steps.add("cut");
    exchange.forward(cut);
  }

  @Override
  public void upstreamDown(String path, String upstream, Throwable cause) {
    steps.add("upstreamDown");
  }

  @Override
  public void upstreamTooSlow(String path, String upstream, Throwable cause) {
    steps.add("upstreamTooSlow");
  }
}
