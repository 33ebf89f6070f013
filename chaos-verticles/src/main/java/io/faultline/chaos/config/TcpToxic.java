package io.faultline.chaos.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One toxic of a {@code tcp} listener, in Toxiproxy's form: its {@code name} (default
 * {@code TYPE_STREAM}), {@code type} (one of {@link TcpToxicTypes}), the {@code stream} it acts on
 * ({@code upstream}: client to service, {@code downstream}: service to client, the default),
 * {@code toxicity} (the probability that it applies to a connection, drawn once per connection, default
 * 1) and its {@code attributes}, every one of its type's present (0 when left out), as whole numbers.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TcpToxic(String name, String type, String stream, Double toxicity, Map<String, Object> attributes) {

  public static final String UPSTREAM = "upstream";
  public static final String DOWNSTREAM = "downstream";
  public static final List<String> STREAMS = List.of(UPSTREAM, DOWNSTREAM);

  /**
   * The stream {@code given} names, as Toxiproxy reads it: none (null, or "" as Toxiproxy's clients send for "not given")
   * is {@link #DOWNSTREAM}, and a name in any case is that stream ({@code "Upstream"} was refused).
   */
  public static Object stream(Object given) {
    return given == null || "".equals(given) ? DOWNSTREAM : given instanceof String name ? name.toLowerCase(java.util.Locale.ROOT) : given;
  }

  public TcpToxic {
    TcpToxicTypes.Type kind = TcpToxicTypes.find(type);
    if (kind == null) {
      throw new ChaosConfigException("type", "must be one of " + TcpToxicTypes.names() + ", got " + type);
    }
    stream = (String) stream(stream);
    if (!STREAMS.contains(stream)) {
      throw new ChaosConfigException("stream", "must be upstream or downstream, got " + stream);
    }
    // no name, or an empty one (Toxiproxy's Go client and toxiproxy-cli send "" for "not given"): Toxiproxy's default
    name = name == null || name.isEmpty() ? type + "_" + stream : name;
    if (!Check.pathSegment(name, 128)) {
      throw new ChaosConfigException("name", "must be 1-128 characters, without '/' or control characters and not '.' or '..', got " + name);
    }
    toxicity = Check.probability(toxicity, "toxicity", 1.0);
    attributes = attributes(kind, attributes == null ? Map.of() : attributes);
  }

  /** {@code given} checked against {@code kind}: every attribute of the type, as a {@link Long}, in the type's order. */
  private static Map<String, Object> attributes(TcpToxicTypes.Type kind, Map<String, Object> given) {
    for (String key : given.keySet()) {
      if (kind.attribute(key) == null) {
        throw new ChaosConfigException("attributes." + key, "unknown attribute of a " + kind.name() + " toxic; expected one of "
            + kind.attributeNames());
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (TcpToxicTypes.Attribute attribute : kind.attributes()) {
      Object value = given.get(attribute.name());
      long v = value == null ? Math.max(0, attribute.min()) : whole(value, "attributes." + attribute.name());
      if (v < attribute.min() || v > attribute.max()) {
        throw new ChaosConfigException("attributes." + attribute.name(), "must be between " + attribute.min() + " and "
            + attribute.max() + " (" + attribute.unit() + "), got " + value);
      }
      out.put(attribute.name(), v);
    }
    if (kind.name().equals(TcpToxicTypes.SLICER) && (long) out.get("size_variation") >= (long) out.get("average_size")) {
      throw new ChaosConfigException("attributes.size_variation", "must be smaller than average_size ("
          + out.get("average_size") + "), got " + out.get("size_variation"));
    }
    return java.util.Collections.unmodifiableMap(out);
  }

  private static long whole(Object value, String field) {
    if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof java.math.BigInteger big && big.bitLength() < 64) {
      return big.longValue();
    }
    if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && Math.abs(n.doubleValue()) < 1e15) {
      return n.longValue(); // 100.0: a JavaScript client's whole number
    }
    // "250" in quotes: "must be a whole number, got 250" would contradict itself
    throw new ChaosConfigException(field, "must be a whole number, got " + (value instanceof String text
        ? "\"" + text + "\" in quotes: write it without them" : value));
  }

  /** The attribute called {@code name} (one of the type's). */
  public long attribute(String name) {
    Object value = attributes.get(name);
    if (value == null) {
      throw new IllegalArgumentException("a " + type + " toxic has no attribute " + name);
    }
    return (Long) value;
  }

  public boolean downstream() {
    return stream.equals(DOWNSTREAM);
  }

  /** The same toxic with other attributes and toxicity (an update keeps name, type and stream). */
  public TcpToxic with(Map<String, Object> newAttributes, Double newToxicity) {
    return new TcpToxic(name, type, stream, newToxicity, newAttributes);
  }
}
