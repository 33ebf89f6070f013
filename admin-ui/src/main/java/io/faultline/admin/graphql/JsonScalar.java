package io.faultline.admin.graphql;

import graphql.GraphQLContext;
import graphql.execution.CoercedVariables;
import graphql.language.ArrayValue;
import graphql.language.BooleanValue;
import graphql.language.EnumValue;
import graphql.language.FloatValue;
import graphql.language.IntValue;
import graphql.language.NullValue;
import graphql.language.ObjectField;
import graphql.language.ObjectValue;
import graphql.language.StringValue;
import graphql.language.Value;
import graphql.language.VariableReference;
import graphql.schema.Coercing;
import graphql.schema.CoercingParseLiteralException;
import graphql.schema.GraphQLScalarType;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The {@code JSON} scalar: any JSON value, as a variable or written inline in the document. */
final class JsonScalar {

  static final GraphQLScalarType TYPE = GraphQLScalarType.newScalar()
      .name("JSON")
      .description("Any JSON value")
      .coercing(new Coercing<Object, Object>() {
        @Override
        public Object serialize(Object value, GraphQLContext context, Locale locale) {
          return plain(value);
        }

        @Override
        public Object parseValue(Object input, GraphQLContext context, Locale locale) {
          return plain(input);
        }

        @Override
        public Object parseLiteral(Value<?> input, CoercedVariables variables, GraphQLContext context, Locale locale) {
          return literal(input, variables);
        }
      })
      .build();

  private JsonScalar() {
  }

  private static Object plain(Object value) {
    if (value instanceof JsonObject object) {
      return object.getMap();
    }
    if (value instanceof JsonArray array) {
      return array.getList();
    }
    return value;
  }

  private static Object literal(Value<?> value, CoercedVariables variables) {
    if (value instanceof ObjectValue object) {
      Map<String, Object> map = new LinkedHashMap<>();
      for (ObjectField field : object.getObjectFields()) {
        map.put(field.getName(), literal(field.getValue(), variables));
      }
      return map;
    }
    if (value instanceof ArrayValue array) {
      List<Object> list = new ArrayList<>();
      array.getValues().forEach(v -> list.add(literal(v, variables)));
      return list;
    }
    if (value instanceof StringValue s) {
      return s.getValue();
    }
    if (value instanceof IntValue i) {
      // one past 64 bits goes on as it is, for the field's own check to refuse by name, as JSON's parser leaves it
      return i.getValue().bitLength() < 64 ? (Object) i.getValue().longValue() : i.getValue();
    }
    if (value instanceof FloatValue f) {
      return f.getValue().doubleValue();
    }
    if (value instanceof BooleanValue b) {
      return b.isValue();
    }
    if (value instanceof EnumValue e) {
      return e.getName();
    }
    if (value instanceof VariableReference ref) {
      return plain(variables.get(ref.getName()));
    }
    if (value instanceof NullValue) {
      return null;
    }
    throw new CoercingParseLiteralException("not a JSON value: " + value);
  }
}
