package io.faultline.protocol.graphql;

import graphql.language.Document;
import graphql.language.Field;
import graphql.language.FragmentDefinition;
import graphql.language.FragmentSpread;
import graphql.language.InlineFragment;
import graphql.language.OperationDefinition;
import graphql.language.Selection;
import graphql.language.SelectionSet;
import graphql.parser.Parser;
import io.faultline.chaos.engine.OperationFacts;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A GraphQL document as the gateway understands it: the operation that will run (its type, name and the
 * field paths it selects, through fragments) and, for each field path, the chains of response keys
 * (aliases where given) under which its values will appear in {@code data}.
 */
record ParsedOperation(OperationFacts facts, Map<String, List<List<String>>> responseKeys) {

  /** Fragments nest at most this deep here; deeper (or cyclic) spreads are not followed. */
  private static final int MAX_DEPTH = 32;

  /**
   * Parses {@code query} and picks the operation named {@code operationName} (or the only one). Answers
   * null when the document does not parse or names no such operation: the upstream gets it untouched.
   */
  static ParsedOperation parse(String query, String operationName) {
    if (query == null || query.isBlank()) {
      return null;
    }
    Document document;
    try {
      document = Parser.parse(query);
    } catch (RuntimeException e) {
      return null;
    }
    Map<String, FragmentDefinition> fragments = new HashMap<>();
    List<OperationDefinition> operations = new ArrayList<>();
    document.getDefinitions().forEach(d -> {
      if (d instanceof FragmentDefinition f) {
        fragments.put(f.getName(), f);
      } else if (d instanceof OperationDefinition o) {
        operations.add(o);
      }
    });
    OperationDefinition operation = null;
    for (OperationDefinition candidate : operations) {
      if (operationName == null ? operations.size() == 1 : operationName.equals(candidate.getName())) {
        operation = candidate;
      }
    }
    if (operation == null) {
      return null;
    }
    String type = operation.getOperation().name().toLowerCase(Locale.ROOT);
    String root = Character.toUpperCase(type.charAt(0)) + type.substring(1);
    Map<String, List<List<String>>> keys = new LinkedHashMap<>();
    collect(operation.getSelectionSet(), root, List.of(), fragments, new HashSet<>(), keys, 0);
    return new ParsedOperation(new OperationFacts(type, operation.getName(), keys.keySet()), keys);
  }

  private static void collect(SelectionSet set, String path, List<String> keys, Map<String, FragmentDefinition> fragments,
      Set<String> spreading, Map<String, List<List<String>>> out, int depth) {
    if (set == null || depth > MAX_DEPTH) {
      return;
    }
    for (Selection<?> selection : set.getSelections()) {
      if (selection instanceof Field field) {
        String fieldPath = path + "." + field.getName();
        List<String> fieldKeys = new ArrayList<>(keys);
        fieldKeys.add(field.getAlias() != null ? field.getAlias() : field.getName());
        List<List<String>> known = out.computeIfAbsent(fieldPath, k -> new ArrayList<>());
        if (!known.contains(fieldKeys)) {
          known.add(List.copyOf(fieldKeys));
        }
        collect(field.getSelectionSet(), fieldPath, fieldKeys, fragments, spreading, out, depth + 1);
      } else if (selection instanceof InlineFragment inline) {
        collect(inline.getSelectionSet(), path, keys, fragments, spreading, out, depth + 1);
      } else if (selection instanceof FragmentSpread spread && spreading.add(spread.getName())) {
        FragmentDefinition fragment = fragments.get(spread.getName());
        if (fragment != null) {
          collect(fragment.getSelectionSet(), path, keys, fragments, spreading, out, depth + 1);
        }
        spreading.remove(spread.getName());
      }
    }
  }
}
