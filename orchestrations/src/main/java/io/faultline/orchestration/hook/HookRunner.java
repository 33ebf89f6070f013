package io.faultline.orchestration.hook;

import io.faultline.orchestration.model.Action;
import io.faultline.orchestration.model.Condition;
import io.faultline.orchestration.model.Hook;
import io.faultline.orchestration.model.Numbers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs hooks in order, each hook's actions in order. A failed action ends its hook (the failure is
 * an error of the run); a failed {@code required} hook makes the answer false, which fails the step
 * (or the run) it belongs to.
 */
public final class HookRunner {

  /** Told of every hook that ran: its type, its name (the type when it has none) and whether it succeeded. */
  public interface Listener {
    void hookDone(String type, String name, boolean succeeded);
  }

  private static final Logger LOG = Logger.getLogger(HookRunner.class.getName());

  private final Permissions permissions;
  private final CommandAction commands;
  private final HttpRequestAction requests;

  public HookRunner(Vertx vertx, HttpClient http, Permissions permissions) {
    this.permissions = permissions;
    this.commands = new CommandAction(vertx);
    this.requests = new HttpRequestAction(vertx, http, new HttpAllowList(permissions.httpAllowList()));
  }

  /** Runs {@code hooks} whose condition {@code holds}; answers false when a required one failed. */
  public Future<Boolean> run(String type, List<Hook> hooks, HookContext context, Predicate<Condition> holds, Listener listener) {
    Future<Boolean> chain = Future.succeededFuture(true);
    for (Hook hook : hooks) {
      chain = chain.compose(ok -> hook.condition() != null && !holds.test(hook.condition()) ? Future.succeededFuture(ok)
          : hook(type, hook, context, listener).map(succeeded -> ok && (succeeded || !hook.required())));
    }
    return chain;
  }

  /**
   * Runs one hook's actions in order; answers whether all of them did what they were asked. An
   * {@code http_request} the allow list refuses is a warning, and the hook's other actions still run,
   * unless the hook is {@code required} (then the refusal fails it like any other failure).
   */
  private Future<Boolean> hook(String type, Hook hook, HookContext context, Listener listener) {
    String name = hook.name() == null ? type : hook.name();
    Future<Boolean> actions = Future.succeededFuture(true);
    for (Action action : hook.actions()) {
      actions = actions.compose(allOk -> action(action, context).map(v -> allOk).recover(e -> {
        if (e instanceof ActionFailed failed && failed.refused() && "http_request".equals(action.type()) && !hook.required()) {
          String what = "hook " + name + ": " + e.getMessage() + "; the hook's other actions still run";
          context.warn(what);
          LOG.warning(what);
          return Future.succeededFuture(false);
        }
        return Future.failedFuture(e);
      }));
    }
    return actions.map(allOk -> {
      listener.hookDone(type, name, allOk);
      return allOk;
    }).recover(e -> {
      String what = "hook " + name + " failed: " + e.getMessage();
      context.error(what);
      LOG.warning(what);
      listener.hookDone(type, name, false);
      return Future.succeededFuture(false);
    });
  }

  private Future<Void> action(Action action, HookContext context) {
    Map<String, Object> f = action.fields();
    switch (action.type()) {
      case "log" -> {
        String level = String.valueOf(f.getOrDefault("level", "info"));
        String message = context.interpolate(String.valueOf(f.get("message")));
        context.log(level + " " + message);
        LOG.log(level(level), () -> "orchestration: " + message);
        return Future.succeededFuture();
      }
      case "set_variable" -> {
        Object value = f.get("value");
        // a lone placeholder copies the value with its type: as text, a number copied into a number field was refused
        context.setVariable(String.valueOf(f.get("name")), value instanceof String s ? context.value(s) : value);
        return Future.succeededFuture();
      }
      case "record_metric" -> {
        Object value = f.get("value");
        Double number = Numbers.of(value instanceof String s ? context.interpolate(s) : value);
        if (number == null) {
          return Future.failedFuture(new ActionFailed("record_metric " + f.get("name") + ": not a number: " + value, false));
        }
        context.recordMetric(String.valueOf(f.get("name")), number);
        return Future.succeededFuture();
      }
      case "http_request" -> {
        return requests.run(f, context);
      }
      default -> {
        if (!permissions.allowCommands()) {
          return Future.failedFuture(new ActionFailed(
              "command hooks are refused: set orchestration.allow_commands: true to allow them", true));
        }
        return commands.run(f, context);
      }
    }
  }

  private static Level level(String name) {
    return switch (name) {
      case "trace", "debug" -> Level.FINE;
      case "warn" -> Level.WARNING;
      case "error" -> Level.SEVERE;
      default -> Level.INFO;
    };
  }
}
