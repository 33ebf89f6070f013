package io.faultline.gateway;

import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.chaos.listener.ProtocolModule;
import io.faultline.protocol.graphql.GraphQlProtocolModule;
import io.faultline.protocol.grpc.GrpcProtocolModule;
import io.faultline.protocol.http.HttpProtocolModule;
import io.faultline.protocol.tcp.TcpProtocolModule;
import io.faultline.protocol.websocket.WebSocketProtocolModule;
import java.util.List;

/** Every protocol a listener can speak, in one list: adding a protocol is its module plus one line here. */
public final class Protocols {

  private static final List<ProtocolModule> BUILT_IN = List.of(
      new HttpProtocolModule(),
      new GrpcProtocolModule(),
      new WebSocketProtocolModule(),
      new GraphQlProtocolModule(),
      new TcpProtocolModule());

  private Protocols() {
  }

  public static List<ProtocolModule> builtIn() {
    return BUILT_IN;
  }

  /** The module named {@code name}; an unknown name is an error on {@code field} listing the known ones. */
  public static ProtocolModule named(String name, String field) {
    for (ProtocolModule module : BUILT_IN) {
      if (module.name().equals(name)) {
        return module;
      }
    }
    throw new ChaosConfigException(field, "must be one of " + BUILT_IN.stream().map(ProtocolModule::name).toList() + ", got " + name);
  }
}
