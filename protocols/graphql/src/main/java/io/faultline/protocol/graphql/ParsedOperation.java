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

  /**
   * Selections nest at most this deep here, each field, inline fragment and fragment spread a level (cyclic spreads are
   * not followed): it bounds the walk's recursion. It was 32, so the fields of a deep but ordinary document (a Relay
   * tree adds four levels a component) went unseen by rules and field faults; the parser's own rule depth stops a
   * document past about 165 levels of selections.
   */
  private static final int MAX_DEPTH = 256;

  /** The most tokens (names, punctuation, values) a document is parsed with; a larger one goes untouched. */
  static final int MAX_TOKENS_OF_A_DOCUMENT = 200_000;

  /**
   * What a document may be: as large as a request's body (graphql-java's default, 1 MB and 15,000 tokens, left a large
   * generated document untouched by every rule, unsaid), its tokens bounded so the parse stays short on the event loop.
   * Source locations are not kept: nothing here reads them.
   */
  private static final graphql.parser.ParserOptions OPTIONS = graphql.parser.ParserOptions.newParserOptions()
      .maxCharacters(GraphQlProxyVerticle.MAX_REQUEST_BYTES).maxTokens(MAX_TOKENS_OF_A_DOCUMENT)
      .maxWhitespaceTokens(4 * MAX_TOKENS_OF_A_DOCUMENT).captureSourceLocation(false).build();

  /**
   * The most selections one document may make the gateway walk, fragments expanded. A fragment spread
   * twice in the same place is walked once (what it selects there is already known), so ordinary
   * documents stay far below this; a crafted one (fragments whose fields nest under new aliases at every
   * level) is refused instead of pinning the event loop.
   */
  static final int MAX_SELECTIONS = 20_000;


  /** A document whose selections, fragments expanded, go over {@link #MAX_SELECTIONS}. */
  static final class TooComplex extends RuntimeException {
    TooComplex() {
      super("the document selects more than " + MAX_SELECTIONS + " fields once its fragments are expanded", null, false, false);
    }
  }

  /**
   * Parses {@code query} and picks the operation named {@code operationName} (or the only one). Answers
   * null when the document does not parse or names no such operation: the upstream gets it untouched.
   * Throws {@link TooComplex} for a document over the selection budget.
   */
  static ParsedOperation parse(String query, String operationName) {
    if (query == null || query.isBlank()) {
      return null;
    }
    Document document;
    try {
      document = Parser.parse(graphql.parser.ParserEnvironment.newParserEnvironment().document(query).parserOptions(OPTIONS).build());
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
    new Walk(fragments, keys).collect(operation.getSelectionSet(), root, List.of(), new HashSet<>(), 0);
    return new ParsedOperation(new OperationFacts(type, operation.getName(), keys.keySet()), keys);
  }

  /** One walk of an operation's selections, on a budget, remembering which fragments it expanded where. */
  private static final class Walk {

    private final Map<String, FragmentDefinition> fragments;
    private final Map<String, List<List<String>>> out;
    private final Set<String> expanded = new HashSet<>();
    private final Set<List<String>> seenKeys = new HashSet<>();
    private int visits;

    Walk(Map<String, FragmentDefinition> fragments, Map<String, List<List<String>>> out) {
      this.fragments = fragments;
      this.out = out;
    }

    /**
     * True when the selection's own directives leave it out whatever the variables: {@code @skip(if: true)} or
     * {@code @include(if: false)} with a literal (such a field was matched by {@code fields} rules and had field
     * faults drawn for it, though the upstream never resolves it). A condition given by a variable is taken
     * as selecting it: the document is parsed once for every request that sends it.
     */
    private static boolean leftOut(Selection<?> selection) {
      if (!(selection instanceof graphql.language.DirectivesContainer<?> container)) {
        return false;
      }
      for (graphql.language.Directive directive : container.getDirectives()) {
        graphql.language.Argument condition = directive.getArgument("if");
        if (condition != null && condition.getValue() instanceof graphql.language.BooleanValue literal
            && (directive.getName().equals("skip") && literal.isValue() || directive.getName().equals("include") && !literal.isValue())) {
          return true;
        }
      }
      return false;
    }

    /** The key chain with its field path in front, so equal chains under different paths stay apart. */
    private static List<String> prefixed(String path, List<String> chain) {
      List<String> key = new ArrayList<>(chain.size() + 1);
      key.add(path);
      key.addAll(chain);
      return key;
    }

    void collect(SelectionSet set, String path, List<String> keys, Set<String> spreading, int depth) {
      if (set == null || depth > MAX_DEPTH) {
        return;
      }
      for (Selection<?> selection : set.getSelections()) {
        if (++visits > MAX_SELECTIONS) {
          throw new TooComplex();
        }
        if (leftOut(selection)) {
          continue;
        }
        if (selection instanceof Field field) {
          String fieldPath = path + "." + field.getName();
          List<String> fieldKeys = new ArrayList<>(keys);
          fieldKeys.add(field.getAlias() != null ? field.getAlias() : field.getName());
          List<String> chain = List.copyOf(fieldKeys);
          List<List<String>> known = out.computeIfAbsent(fieldPath, k -> new ArrayList<>());
          if (seenKeys.add(prefixed(fieldPath, chain))) {
            known.add(chain);
          }
          collect(field.getSelectionSet(), fieldPath, fieldKeys, spreading, depth + 1);
        } else if (selection instanceof InlineFragment inline) {
          collect(inline.getSelectionSet(), path, keys, spreading, depth + 1);
        } else if (selection instanceof FragmentSpread spread && !spreading.contains(spread.getName())
            && expanded.add(spread.getName() + "@" + path + "@" + keys)) {
          FragmentDefinition fragment = fragments.get(spread.getName());
          if (fragment != null) {
            spreading.add(spread.getName());
            collect(fragment.getSelectionSet(), path, keys, spreading, depth + 1);
            spreading.remove(spread.getName());
          }
        }
      }
    }
  }
}
