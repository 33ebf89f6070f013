package io.faultline.orchestration.run;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * Loops over asynchronous work without composing a chain that grows with the number of turns: each
 * turn starts from the event loop afresh ({@link Context#runOnContext}), so the stack never deepens, a
 * turn that completes at once (a 0-second step) cannot recurse, and whatever else the event loop has to
 * do (a stop, a status request, the admin API) runs between turns.
 */
final class AsyncLoop {

  private AsyncLoop() {
  }

  /** Runs {@code turn} while it answers true. */
  static Future<Void> repeat(Context context, Supplier<Future<Boolean>> turn) {
    Promise<Void> done = Promise.promise();
    Runnable[] next = new Runnable[1];
    next[0] = () -> {
      Future<Boolean> f;
      try {
        f = turn.get();
      } catch (RuntimeException e) {
        done.fail(e);
        return;
      }
      f.onComplete(ar -> {
        if (ar.failed()) {
          done.fail(ar.cause());
        } else if (Boolean.TRUE.equals(ar.result())) {
          context.runOnContext(v -> next[0].run());
        } else {
          done.complete();
        }
      });
    };
    next[0].run();
    return done.future();
  }

  /**
   * Runs {@code body} on the items of {@code items} from {@code from} on, in order, until one answers
   * false; answers whether every one answered true.
   */
  static <T> Future<Boolean> each(Context context, List<T> items, int from, BiFunction<Integer, T, Future<Boolean>> body) {
    int[] index = {from};
    boolean[] all = {true};
    return repeat(context, () -> {
      if (index[0] >= items.size()) {
        return Future.succeededFuture(false);
      }
      int i = index[0]++;
      return body.apply(i, items.get(i)).map(go -> {
        all[0] = go;
        return go;
      });
    }).map(v -> all[0]);
  }
}
