package io.faultline.admin.api;

import io.faultline.chaos.control.Addresses;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * {@code GET /api/listeners} (this node's listeners, with the ports they bound and whether they came from
 * the config or were added while it runs), {@code POST /api/listeners} (start one now) and
 * {@code DELETE /api/listeners/NAME} (stop it; {@code ?grace_ms=N} lets its open connections finish first):
 * listeners are per node.
 */
public final class ListenerApi {

  private final ControlBus bus;

  public ListenerApi(ControlBus bus) {
    this.bus = bus;
  }

  public void mount(Router router) {
    router.get("/api/listeners").handler(ctx -> bus.forward(ctx, Addresses.LISTENERS_LIST, null));
    router.post("/api/listeners").handler(ctx -> ChaosApi.withBody(ctx, body ->
        bus.forward(ctx, Addresses.LISTENERS_ADD, body, 201, added -> added)));
    // the query's parameters go on as the message's fields, so a misspelt grace_ms is refused, not a removal without grace
    // and the path names the listener: a name in the query too is refused, not overwritten (which one was meant?)
    router.delete("/api/listeners/:name").handler(ctx -> ControlBus.queryOnly(ctx, query -> {
      if (query.containsKey("name")) {
        ApiError.badRequest(ctx, "query parameter name is not taken: the path names the listener to remove (DELETE /api/listeners/"
            + ctx.pathParam("name") + ")", "name");
      } else {
        bus.forward(ctx, Addresses.LISTENERS_REMOVE, query.put("name", ctx.pathParam("name")));
      }
    }));
  }
}
