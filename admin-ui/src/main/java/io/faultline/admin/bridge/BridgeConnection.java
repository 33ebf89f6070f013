package io.faultline.admin.bridge;

import io.faultline.admin.AdminVerticle;
import io.faultline.chaos.control.Addresses;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * One script's connection to the bridge: reads length-prefixed JSON frames (at most
 * {@link #MAX_FRAME_BYTES} each, else the connection is closed), checks the token and the address, and
 * carries the frame onto the event bus; replies and registered addresses' messages come back as
 * {@code message} frames, failures as {@code err} frames, as vertx-tcp-eventbus-bridge writes them.
 */
final class BridgeConnection {

  /** The largest frame a script may send: the admin API's body limit. */
  static final int MAX_FRAME_BYTES = (int) AdminVerticle.MAX_BODY_BYTES;

  private final EventBus bus;
  private final NetSocket socket;
  /** The admin token every frame must carry, or null for none. */
  private final String token;
  private final Set<String> inbound;
  private final Set<String> outbound;
  private final Map<String, MessageConsumer<Object>> registered = new HashMap<>();
  private final RecordParser parser = RecordParser.newFixed(4);
  private boolean readingLength = true;

  BridgeConnection(EventBus bus, NetSocket socket, String token, Set<String> inbound, Set<String> outbound) {
    this.bus = bus;
    this.socket = socket;
    this.token = token;
    this.inbound = inbound;
    this.outbound = outbound;
  }

  void start() {
    parser.handler(this::record);
    socket.handler(parser);
    socket.closeHandler(v -> registered.values().forEach(MessageConsumer::unregister));
    socket.exceptionHandler(e -> socket.close());
  }

  private void record(Buffer record) {
    if (readingLength) {
      long length = record.getUnsignedInt(0);
      if (length > MAX_FRAME_BYTES) {
        error("frame_too_large", "a frame may hold at most " + MAX_FRAME_BYTES + " bytes, this one announced " + length);
        socket.close();
        return;
      }
      if (length == 0) {
        // Vert.x's parser never hands over a record of 0 bytes: waiting for one jammed the connection for good
        error("invalid_json", "a frame must be a JSON object, got an empty frame");
        socket.close();
        return;
      }
      readingLength = false;
      parser.fixedSizeMode((int) length);
      return;
    }
    readingLength = true;
    parser.fixedSizeMode(4);
    JsonObject frame;
    String text = record.toString(StandardCharsets.UTF_8);
    try {
      frame = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      error("invalid_json", "a frame must be a JSON object");
      socket.close();
      return;
    }
    try {
      // as the REST API's bodies: {"fixed_delay_ms": 5, "fixed_delay_ms": 500} must not quietly mean 500
      io.faultline.chaos.config.ChaosJson.mapper().readTree(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      error("invalid_json", io.faultline.chaos.config.ChaosJson.malformed(e));
      return;
    }
    handle(frame);
  }

  private void handle(JsonObject frame) {
    String type = frame.getValue("type") instanceof String t ? t : "";
    if (type.equals("ping")) {
      write(new JsonObject().put("type", "pong"));
      return;
    }
    if (!authorized(frame.getValue("headers"))) {
      error("unauthorized", "this bridge needs the admin token: headers.authorization = \"Bearer TOKEN\"");
      return;
    }
    String address = frame.getValue("address") instanceof String a ? a : null;
    if (address == null) {
      error("address_required", "a frame needs an address");
      return;
    }
    switch (type) {
      case "send", "publish" -> {
        Object body = frame.getValue("body");
        Object replyAddress = frame.getValue("replyAddress");
        if (!inbound.contains(address)) {
          error("access_denied", address + " is not a public address of this bridge");
        } else if (replyAddress != null && !(replyAddress instanceof String)) {
          // taken as absent, the request went without a reply and the script waited for ever
          error("invalid_reply_address", "replyAddress must be a string, got " + replyAddress);
        } else if (body != null && !(body instanceof JsonObject)) {
          // every public address takes a JSON object, as the REST API's bodies; a handler cast it and answered 500
          refuse(address, replyAddress, new JsonObject().put("error", "the body must be a JSON object, got " + body).put("field", "body"));
        } else if (body instanceof JsonObject json && !json.isEmpty() && PublicAddresses.takesNoBody(address)) {
          // as the REST API: {"enabled": false} sent to faultline.chaos.enable would be ignored, and chaos enabled
          refuse(address, replyAddress, new JsonObject().put("error", address + " takes no body, and would ignore this one")
              .put("field", "body"));
        } else if (type.equals("publish")) {
          bus.publish(address, frame.getValue("body"), delivery(frame).setLocalOnly(true)); // as send: every handler is local
        } else {
          send(address, frame);
        }
      }
      case "register" -> {
        if (!outbound.contains(address)) {
          error("access_denied", address + " is not a public address of this bridge");
        } else if (!registered.containsKey(address)) {
          registered.put(address, bus.consumer(address, this::deliver));
        }
      }
      case "unregister" -> {
        MessageConsumer<Object> consumer = registered.remove(address);
        if (consumer == null) {
          error("unknown_address", address + " is not registered on this connection");
        } else {
          consumer.unregister();
        }
      }
      default -> error("unknown_type", "type must be send, publish, register, unregister or ping, got " + type);
    }
  }

  private void send(String address, JsonObject frame) {
    String replyAddress = frame.getValue("replyAddress") instanceof String r ? r : null;
    // this node's own handlers (every public address has one), as the REST API's: on a clustered bus an address was
    // first looked up in Hazelcast, which waits out a hung member, and the kill switch acted only after its failure timeout
    DeliveryOptions options = delivery(frame).setLocalOnly(true);
    if (replyAddress == null) {
      bus.send(address, frame.getValue("body"), options);
      return;
    }
    bus.request(address, frame.getValue("body"), options).onComplete(ar -> {
      if (ar.succeeded()) {
        write(message(replyAddress, ar.result()).put("send", true));
      } else {
        ReplyException failure = ar.cause() instanceof ReplyException re ? re : null;
        write(new JsonObject().put("type", "err").put("address", replyAddress).put("sourceAddress", address)
            .put("failureCode", failure == null ? -1 : failure.failureCode())
            .put("failureType", failure == null ? "RECIPIENT_FAILURE" : failure.failureType().name())
            .put("message", ar.cause().getMessage()));
      }
    });
  }

  /** Answers a request refused before it was sent as its handler would: an err frame with a 400 and the {error, field} JSON. */
  private void refuse(String address, Object replyAddress, JsonObject why) {
    if (replyAddress == null) {
      error("invalid_body", why.getString("error"));
      return;
    }
    write(new JsonObject().put("type", "err").put("address", replyAddress).put("sourceAddress", address)
        .put("failureCode", 400).put("failureType", "RECIPIENT_FAILURE").put("message", why.encode()));
  }

  private void deliver(Message<Object> message) {
    write(message(message.address(), message).put("send", message.isSend()));
  }

  private static JsonObject message(String address, Message<?> message) {
    JsonObject headers = new JsonObject();
    message.headers().forEach(h -> headers.put(h.getKey(), h.getValue()));
    return new JsonObject().put("type", "message").put("address", address).put("headers", headers).put("body", message.body());
  }

  /** The frame's headers minus the credential, with the change-log source forced to {@code bridge}. */
  private static DeliveryOptions delivery(JsonObject frame) {
    DeliveryOptions options = new DeliveryOptions();
    if (frame.getValue("headers") instanceof JsonObject headers) {
      headers.forEach(h -> {
        String key = h.getKey().toLowerCase(java.util.Locale.ROOT);
        if (!key.equals("authorization") && !key.equals(Addresses.SOURCE_HEADER) && h.getValue() != null) {
          options.addHeader(h.getKey(), String.valueOf(h.getValue()));
        }
      });
    }
    return options.addHeader(Addresses.SOURCE_HEADER, "bridge").setSendTimeout(Addresses.replyTimeoutMs(frame.getValue("body")));
  }

  private boolean authorized(Object headers) {
    if (token == null) {
      return true;
    }
    if (!(headers instanceof JsonObject json)) {
      return false;
    }
    for (Map.Entry<String, Object> h : json) {
      if (h.getKey().equalsIgnoreCase("authorization") && h.getValue() instanceof String value) {
        return io.faultline.admin.AdminVerticle.bearer(token, value);
      }
    }
    return false;
  }

  private void error(String code, String detail) {
    write(new JsonObject().put("type", "err").put("message", code).put("detail", detail));
  }

  /** Writes a frame; a script that stops reading while events pile up is disconnected rather than buffered for. */
  private void write(JsonObject frame) {
    Buffer data = frame.toBuffer();
    socket.write(Buffer.buffer(4 + data.length()).appendInt(data.length()).appendBuffer(data));
    if (socket.writeQueueFull()) {
      socket.close();
    }
  }
}
