package io.rewardstream.inference;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * The Python {@code str} and {@code dict} methods that chat templates call ({@code
 * content.startswith('<tool_response>')}, {@code content.split('</think>')[0].rstrip('\n')}, {@code
 * message.get('tool_calls', [])}), which Jinjava would otherwise look up as Java methods and not
 * find. Method calls only; everything else falls through to Jinjava's resolvers.
 */
final class PythonMethods extends ELResolver {

  private static final String WHITESPACE = " \t\n\r\u000b\f";

  @Override
  public Object invoke(
      ELContext context, Object base, Object method, Class<?>[] types, Object[] params) {
    Object[] args = params == null ? new Object[0] : params;
    Object result;
    if (base instanceof String s) {
      result = stringMethod(s, String.valueOf(method), args);
    } else if (base instanceof Map<?, ?> map) {
      result = dictMethod(map, String.valueOf(method), args);
    } else {
      return null;
    }
    if (result == NONE) {
      return null;
    }
    context.setPropertyResolved(true);
    return result;
  }

  /** Marks "not a method handled here" (a method may return null itself). */
  private static final Object NONE = new Object();

  private static Object stringMethod(String s, String method, Object[] args) {
    return switch (method) {
      case "startswith" -> anyOf(args[0], s::startsWith);
      case "endswith" -> anyOf(args[0], s::endsWith);
      case "strip" -> strip(s, chars(args), true, true);
      case "lstrip" -> strip(s, chars(args), true, false);
      case "rstrip" -> strip(s, chars(args), false, true);
      case "split" -> split(s, args);
      case "upper" -> s.toUpperCase(java.util.Locale.ROOT);
      case "lower" -> s.toLowerCase(java.util.Locale.ROOT);
      default -> NONE;
    };
  }

  private static Object dictMethod(Map<?, ?> map, String method, Object[] args) {
    return switch (method) {
      case "items" -> map.entrySet().stream().map(e -> List.of(e.getKey(), e.getValue())).toList();
      case "keys" -> new ArrayList<>(map.keySet());
      case "values" -> new ArrayList<>(map.values());
      case "get" -> args.length > 1 && !map.containsKey(args[0]) ? args[1] : map.get(args[0]);
      default -> NONE;
    };
  }

  private static boolean anyOf(Object prefixes, java.util.function.Predicate<String> test) {
    if (prefixes instanceof Collection<?> many) {
      return many.stream().anyMatch(p -> test.test(String.valueOf(p)));
    }
    return test.test(String.valueOf(prefixes));
  }

  private static String chars(Object[] args) {
    return args.length > 0 && args[0] != null ? String.valueOf(args[0]) : WHITESPACE;
  }

  static String strip(String s, String chars, boolean left, boolean right) {
    int from = 0;
    int to = s.length();
    while (left && from < to && chars.indexOf(s.charAt(from)) >= 0) {
      from++;
    }
    while (right && to > from && chars.indexOf(s.charAt(to - 1)) >= 0) {
      to--;
    }
    return s.substring(from, to);
  }

  /** Python's split: on a separator (every occurrence, or at most maxsplit), or on whitespace. */
  static List<String> split(String s, Object[] args) {
    String sep = args.length > 0 && args[0] != null ? String.valueOf(args[0]) : null;
    int max = args.length > 1 ? ((Number) args[1]).intValue() : -1;
    if (sep == null) {
      String trimmed = strip(s, WHITESPACE, true, true);
      return trimmed.isEmpty()
          ? List.of()
          : Arrays.asList(trimmed.split("\\s+", max < 0 ? 0 : max + 1));
    }
    if (sep.isEmpty()) {
      throw new IllegalArgumentException("empty separator");
    }
    List<String> parts = new ArrayList<>();
    int at = 0;
    while (max < 0 || parts.size() < max) {
      int next = s.indexOf(sep, at);
      if (next < 0) {
        break;
      }
      parts.add(s.substring(at, next));
      at = next + sep.length();
    }
    parts.add(s.substring(at));
    return parts;
  }

  @Override
  public Object getValue(ELContext context, Object base, Object property) {
    return null;
  }

  @Override
  public Class<?> getType(ELContext context, Object base, Object property) {
    return null;
  }

  @Override
  public void setValue(ELContext context, Object base, Object property, Object value) {}

  @Override
  public boolean isReadOnly(ELContext context, Object base, Object property) {
    return true;
  }

  @Override
  public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
    return null;
  }

  @Override
  public Class<?> getCommonPropertyType(ELContext context, Object base) {
    return null;
  }
}
