package io.faultline.chaos.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import java.util.Map;

/**
 * Reads and writes the chaos config records in their snake_case JSON/YAML form. Every failure comes
 * out as a {@link ChaosConfigException} naming the full field path, whether Jackson found it (unknown
 * field, wrong type) or a record's own validation did (out-of-range value).
 */
public final class ChaosJson {

  private static final ObjectMapper MAPPER = strict(new ObjectMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT));

  /**
   * No "500" for 500, "true" or 1 for true: a wrong type is an error, as the README promises. (A number
   * where text belongs stays text: YAML reads an unquoted {@code name: 2024} as a number.)
   */
  /**
   * How deep a JSON document may nest: twice YAML's limit (SnakeYAML's 50), and far below Jackson's 1,000,
   * at which the walks over an orchestration's document overflowed the stack (an answer of 500 at depth 950).
   */
  static final int MAX_NESTING = 100;

  private static ObjectMapper strict(ObjectMapper mapper) {
    mapper.getFactory().setStreamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder()
        .maxNestingDepth(MAX_NESTING).build());
    mapper.coercionConfigDefaults().setCoercion(CoercionInputShape.String, CoercionAction.Fail);
    mapper.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
    mapper.registerModule(new com.fasterxml.jackson.databind.module.SimpleModule("strict-doubles")
        .addDeserializer(Double.class, new QuotedDoubles()));
    return mapper;
  }

  /**
   * Refuses a number in quotes as every other number is refused: Jackson reads {@code "NaN"} and {@code "Infinity"} as
   * numbers before its coercion rules look, so a disabled section kept {@code requests_per_second: "NaN"} and showed it back.
   */
  private static final class QuotedDoubles extends com.fasterxml.jackson.databind.deser.std.NumberDeserializers.DoubleDeserializer {

    QuotedDoubles() {
      super(Double.class, null);
    }

    @Override
    public Double deserialize(com.fasterxml.jackson.core.JsonParser p, com.fasterxml.jackson.databind.DeserializationContext ctxt)
        throws java.io.IOException {
      if (p.hasToken(com.fasterxml.jackson.core.JsonToken.VALUE_STRING)) {
        return (Double) ctxt.handleUnexpectedToken(Double.class, p);
      }
      return super.deserialize(p, ctxt);
    }
  }

  private ChaosJson() {
  }

  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** Converts a parsed JSON/YAML tree (maps, lists, scalars) to {@code type}, or names what is wrong under {@code root}. */
  public static <T> T convert(Object tree, Class<T> type, String root) {
    if (tree == null) {
      throw new ChaosConfigException(root, "is required");
    }
    try {
      return MAPPER.convertValue(plain(tree), type);
    } catch (IllegalArgumentException e) {
      throw translate(e.getCause() instanceof JsonMappingException jme ? jme : null, e, root);
    }
  }

  /** Vert.x {@code JsonObject}/{@code JsonArray} (which the event bus puts in copied bodies) as plain maps and lists. */
  private static Object plain(Object tree) {
    if (tree instanceof io.vertx.core.json.JsonObject json) {
      return plain(json.getMap());
    }
    if (tree instanceof io.vertx.core.json.JsonArray array) {
      return plain(array.getList());
    }
    if (tree instanceof Map<?, ?> map) {
      Map<Object, Object> copy = new java.util.LinkedHashMap<>();
      map.forEach((k, v) -> copy.put(k, plain(v)));
      return copy;
    }
    if (tree instanceof java.util.List<?> list) {
      return list.stream().map(ChaosJson::plain).toList();
    }
    return tree;
  }

  /**
   * What is wrong with malformed JSON, for a person: {@code malformed JSON at line L, column C: REASON}, the
   * reason being the parser's first line without its dump of the source. {@code e} is the parser's exception
   * or one that carries it (Vert.x's {@code DecodeException}).
   */
  public static String malformed(Throwable e) {
    return malformed(e, 0);
  }

  /** As {@link #malformed(Throwable)}, for JSON that began after {@code linesBefore} lines of the text. */
  public static String malformed(Throwable e, int linesBefore) {
    JsonProcessingException parse = parseFailure(e);
    if (parse == null) {
      String message = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
      return "malformed JSON: " + message;
    }
    String reason = parse.getOriginalMessage() == null ? "" : parse.getOriginalMessage().lines().findFirst().orElse("")
        .replaceAll("\\s*\\((start marker |for root starting |for Object starting |for Array starting )?at \\[Source: .*$", "")
        .replaceAll("\\s*at \\[Source: .*$", ""); // the where, said once, as line and column
    if (reason.startsWith("Trailing token")) {
      reason = "something follows the JSON value (a body holds one value)";
    }
    int line = malformedLine(e);
    return "malformed JSON" + (line < 1 ? "" : " at line " + (line + linesBefore) + ", column " + parse.getLocation().getColumnNr()) + ": " + reason;
  }

  /** The line (from 1) malformed JSON went wrong at, or 0 when the parser did not say. */
  public static int malformedLine(Throwable e) {
    JsonProcessingException parse = parseFailure(e);
    return parse == null || parse.getLocation() == null ? 0 : Math.max(0, parse.getLocation().getLineNr());
  }

  private static JsonProcessingException parseFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof JsonProcessingException j) {
        return j;
      }
    }
    return null;
  }

  /**
   * One JSON value of {@code json} as plain maps, lists, strings, numbers and booleans; a key given twice in
   * an object, or anything after the value, is malformed (Vert.x's decoder kept the last of two keys).
   */
  public static Object readPlain(String json) throws JsonProcessingException {
    return MAPPER.convertValue(MAPPER.readTree(json), Object.class);
  }

  /** A map {@link #readPlain} answered, typed for Vert.x's {@code JsonObject}. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> plainMap(Map<?, ?> map) {
    return (Map<String, Object>) map;
  }

  /** Parses JSON text to {@code type}; malformed JSON is reported against {@code root}. */
  public static <T> T parse(String json, Class<T> type, String root) {
    try {
      return MAPPER.readValue(json, type);
    } catch (JsonMappingException e) {
      throw translate(e, e, root);
    } catch (JsonProcessingException e) {
      throw new ChaosConfigException(root, malformed(e));
    }
  }

  public static ChaosConfig config(Object tree) {
    return convert(tree, ChaosConfig.class, "");
  }

  /** The record type of the section called {@code section}; an unknown name is refused naming the field {@code section}. */
  public static Class<?> sectionType(String section) {
    return Sections.byName(section).type();
  }

  @SuppressWarnings("unchecked")
  /**
   * {@code over} laid on {@code base}, as a config refines another (a scenario's sections refined by the
   * fields given with it, a step's config over its scenario's): nested objects merge, anything else in
   * {@code over} replaces. A fixed delay and a delay range are alternatives: giving one drops the other. A
   * nested object may be a map or a {@code JsonObject} (what comes over the event bus is copied into those).
   */
  public static Map<String, Object> refine(Map<String, Object> base, Map<String, Object> over) {
    Map<String, Object> out = new java.util.LinkedHashMap<>(base);
    if (over.containsKey("fixed_delay_ms")) {
      out.remove("random_delay_range_ms");
    }
    if (over.containsKey("random_delay_range_ms")) {
      out.remove("fixed_delay_ms");
    }
    over.forEach((key, value) -> {
      Map<String, Object> a = asMap(out.get(key));
      Map<String, Object> b = asMap(value);
      out.put(key, a != null && b != null ? refine(a, b) : value);
    });
    return out;
  }

  /**
   * A config ({@code given}, as JSON or YAML gave it) that names {@code scenario} and sets some of a section's
   * fields refines the scenario's section field by field ({@link #refine}): the fields given replace the
   * scenario's, the rest of its section stays (reference 001's serve line: {@code --chaos-scenario
   * network_degradation --chaos-latency-range "100-500"}). Changes {@code given} in place.
   */
  public static void refineScenario(Map<String, Object> given, ChaosConfig scenario) {
    toMap(scenario).forEach((section, value) -> {
      Map<String, Object> ofScenario = asMap(value);
      Map<String, Object> fields = asMap(given.get(section));
      if (ofScenario != null && fields != null) {
        given.put(section, refine(ofScenario, fields));
      }
    });
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(Object value) {
    if (value instanceof io.vertx.core.json.JsonObject json) {
      return json.getMap();
    }
    return value instanceof Map<?, ?> map ? (Map<String, Object>) map : null;
  }

  public static Map<String, Object> toMap(Object value) {
    return MAPPER.convertValue(value, Map.class);
  }

  private static RuntimeException translate(JsonMappingException e, Exception outer, String root) {
    if (e == null) {
      return new ChaosConfigException(root, String.valueOf(outer.getMessage()));
    }
    String path = join(root, path(e));
    if (e instanceof ValueInstantiationException && e.getCause() instanceof ChaosConfigException cce) {
      return cce.under(path);
    }
    if (e instanceof UnrecognizedPropertyException upe) {
      return new ChaosConfigException(path, "unknown field; expected one of " + upe.getKnownPropertyIds());
    }
    if (e instanceof InvalidFormatException ife) {
      if (ife.getValue() instanceof Number n && "a whole number".equals(describe(ife.getTargetType()))
          && Double.isFinite(n.doubleValue()) && Math.abs(n.doubleValue()) >= 0x1p63) {
        // 1e300 is whole: what is wrong is its size (1e3 is refused for its form, below)
        return new ChaosConfigException(path, "is out of range, got " + ife.getValue());
      }
      if (ife.getValue() instanceof Number n && "a whole number".equals(describe(ife.getTargetType()))
          && Double.isFinite(n.doubleValue()) && n.doubleValue() == Math.rint(n.doubleValue())) {
        // 200.0 is whole: what is refused is its form, which a float could carry 200.5 in as well
        return new ChaosConfigException(path, "must be a whole number written without a decimal point or exponent ("
            + (long) n.doubleValue() + "), got " + ife.getValue());
      }
      return new ChaosConfigException(path, "must be " + describe(ife.getTargetType()) + ", got " + ife.getValue());
    }
    if (e instanceof MismatchedInputException mie) {
      return new ChaosConfigException(path, "must be " + describe(mie.getTargetType()) + given(mie));
    }
    java.util.regex.Matcher outOfRange = OUT_OF_RANGE.matcher(String.valueOf(e.getOriginalMessage()));
    if (outOfRange.find()) {
      return new ChaosConfigException(path, "is out of range, got " + outOfRange.group(1));
    }
    return new ChaosConfigException(path, e.getOriginalMessage());
  }

  /** {@code ", got TEXT"} for the text that was where a number or flag belonged ({@code "010"}, {@code "1:30"}); else nothing. */
  private static String given(MismatchedInputException e) {
    if (e.getProcessor() instanceof com.fasterxml.jackson.core.JsonParser parser
        && parser.currentToken() == com.fasterxml.jackson.core.JsonToken.VALUE_STRING) {
      try {
        String text = parser.getText();
        // "1001" where a number belongs: "must be a whole number, got 1001" would contradict itself
        if (QUOTED_VALUE.matcher(text).matches()) {
          return ", got \"" + text + "\" in quotes: write it without them";
        }
        if (YAML_11_NUMBER.matcher(text).matches()) {
          // 010 looks like ten, and YAML 1.1 reads it as eight: such forms are text here (SafeYaml)
          return ", got " + text + ": a leading zero (octal), 0b (binary) or a colon (base 60) is not read as a number,"
              + " for YAML 1.1 reads it as another number than the one written; write it in decimal";
        }
        return ", got " + text;
      } catch (java.io.IOException unreadable) {
        return "";
      }
    }
    return "";
  }

  /** YAML 1.1's octal ({@code 010}), binary ({@code 0b11}) and base-60 ({@code 1:30}) forms, which SafeYaml leaves as text. */
  private static final java.util.regex.Pattern YAML_11_NUMBER = java.util.regex.Pattern.compile(
      "[-+]?(0[0-7_]+|0b[01_]+|[1-9][0-9_]*(:[0-5]?[0-9])+(\\.[0-9_]*)?)");

  /** A number or a flag written as a string. */
  private static final java.util.regex.Pattern QUOTED_VALUE = java.util.regex.Pattern.compile("-?(0|[1-9]\\d*)(\\.\\d+)?|true|false");

  /** Jackson's words for a number no {@code int} or {@code long} holds. */
  private static final java.util.regex.Pattern OUT_OF_RANGE = java.util.regex.Pattern.compile("^Numeric value \\((-?\\d+)\\) out of range of");

  private static String describe(Class<?> type) {
    if (type == null) {
      return "a valid value";
    }
    if (type == int.class || type == long.class || type == short.class || type == Integer.class || type == Long.class
        || type == Short.class) {
      return "a whole number";
    }
    if (Number.class.isAssignableFrom(type) || type.isPrimitive() && type != boolean.class) {
      return "a number";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (type == String.class) {
      return "a string";
    }
    if (java.util.Collection.class.isAssignableFrom(type)) {
      return "a list";
    }
    return "an object";
  }

  private static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (!sb.isEmpty()) {
          sb.append('.');
        }
        sb.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.toString();
  }

  private static String join(String root, String path) {
    if (root == null || root.isEmpty()) {
      return path;
    }
    if (path.isEmpty()) {
      return root;
    }
    return path.startsWith("[") ? root + path : root + "." + path;
  }
}
