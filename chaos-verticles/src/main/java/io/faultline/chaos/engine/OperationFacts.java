package io.faultline.chaos.engine;

import java.util.Set;

/**
 * What a GraphQL request asks for, as the gateway parsed it: the operation {@code type} ({@code query},
 * {@code mutation} or {@code subscription}), its {@code name} (null when anonymous) and every field it
 * selects as a path from the root type, through fragments: {@code Query.user.orders}.
 */
public record OperationFacts(String type, String name, Set<String> fields) {

  public OperationFacts {
    fields = Set.copyOf(fields);
  }

  public boolean selects(String field) {
    return fields.contains(field);
  }
}
