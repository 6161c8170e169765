package io.rewardstream.deploy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The Jib configuration of deploy/image/pom.xml for one variant (cpu, cuda, demo), as Maven would
 * see it with that profile active: the profile's properties over the project's, its plugin
 * configuration merged over the build's the way the pom asks (combine.self / combine.children).
 *
 * @param fromImage base image
 * @param toImage image name and tag
 * @param entrypoint container entrypoint
 * @param args default arguments
 * @param environment environment variables
 * @param ports exposed ports
 * @param user user:group
 * @param workingDirectory working directory
 * @param extraPaths files added from the repository: from (absolute), into, includes
 */
record JibConfig(
    String fromImage,
    String toImage,
    List<String> entrypoint,
    List<String> args,
    Map<String, String> environment,
    List<String> ports,
    String user,
    String workingDirectory,
    List<ExtraPath> extraPaths) {

  record ExtraPath(Path from, String into, List<String> includes) {}

  static final Path POM = Manifests.deploy("image/pom.xml");

  static JibConfig variant(String profileId) {
    Element project = parse().getDocumentElement();
    Map<String, String> properties = new HashMap<>();
    properties.put("project.basedir", POM.getParent().toString());
    properties.putAll(properties(child(project, "properties")));
    Element profile = null;
    for (Element p : children(child(project, "profiles"), "profile")) {
      if (text(child(p, "id")).equals(profileId)) {
        profile = p;
      }
    }
    if (profile != null) {
      properties.putAll(properties(child(profile, "properties")));
    } else if (!profileId.equals("cpu")) {
      throw new IllegalArgumentException("no profile " + profileId + " in " + POM);
    }
    Element base = jib(child(project, "build"));
    Element over =
        profile == null || child(profile, "build") == null ? null : jib(child(profile, "build"));
    Resolver r = new Resolver(properties);

    Element container = child(base, "container");
    Element overContainer = over == null ? null : child(over, "container");
    List<String> args = r.all(args(container, "args"));
    if (overContainer != null && child(overContainer, "args") != null) {
      args = r.all(args(overContainer, "args"));
    }
    List<ExtraPath> extra = new ArrayList<>(extraPaths(base, r));
    if (over != null) {
      extra.addAll(extraPaths(over, r));
    }
    Map<String, String> env = new LinkedHashMap<>();
    for (Element e : children(child(container, "environment"), null)) {
      env.put(e.getTagName(), r.resolve(text(e)));
    }
    return new JibConfig(
        r.resolve(text(child(child(base, "from"), "image"))),
        r.resolve(text(child(child(base, "to"), "image"))),
        r.all(args(container, "entrypoint")),
        args,
        env,
        r.all(children(child(container, "ports"), "port").stream().map(JibConfig::text).toList()),
        r.resolve(text(child(container, "user"))),
        r.resolve(text(child(container, "workingDirectory"))),
        extra);
  }

  /** The value of a property of the pom (project level). */
  static String property(String name) {
    return properties(child(parse().getDocumentElement(), "properties")).get(name);
  }

  private record Resolver(Map<String, String> properties) {
    private static final Pattern REF = Pattern.compile("\\$\\{([^}]+)}");

    String resolve(String value) {
      String current = value;
      for (int i = 0; i < 10; i++) {
        Matcher m = REF.matcher(current);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
          String v = properties.get(m.group(1));
          if (v == null) {
            throw new IllegalArgumentException("undefined property ${" + m.group(1) + "}");
          }
          m.appendReplacement(out, Matcher.quoteReplacement(v));
        }
        m.appendTail(out);
        if (out.toString().equals(current)) {
          return current;
        }
        current = out.toString();
      }
      throw new IllegalArgumentException("property cycle in " + value);
    }

    List<String> all(List<String> values) {
      return values.stream().map(this::resolve).toList();
    }
  }

  private static List<ExtraPath> extraPaths(Element jib, Resolver r) {
    Element extra = child(jib, "extraDirectories");
    if (extra == null) {
      return List.of();
    }
    List<ExtraPath> paths = new ArrayList<>();
    for (Element path : children(child(extra, "paths"), "path")) {
      paths.add(
          new ExtraPath(
              Path.of(r.resolve(text(child(path, "from")))).normalize(),
              r.resolve(text(child(path, "into"))),
              List.of(r.resolve(text(child(path, "includes"))).split(","))));
    }
    return paths;
  }

  private static Element jib(Element build) {
    for (Element plugin : children(child(build, "plugins"), "plugin")) {
      if (text(child(plugin, "artifactId")).equals("jib-maven-plugin")) {
        return child(plugin, "configuration");
      }
    }
    throw new IllegalArgumentException("no jib-maven-plugin in " + POM);
  }

  private static List<String> args(Element parent, String name) {
    return children(child(parent, name), "arg").stream().map(JibConfig::text).toList();
  }

  private static Map<String, String> properties(Element element) {
    Map<String, String> properties = new HashMap<>();
    for (Element e : children(element, null)) {
      properties.put(e.getTagName(), text(e));
    }
    return properties;
  }

  private static Document parse() {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      return factory.newDocumentBuilder().parse(POM.toFile());
    } catch (Exception e) {
      throw new IllegalStateException("cannot parse " + POM, e);
    }
  }

  private static Element child(Element parent, String name) {
    List<Element> all = children(parent, name);
    return all.isEmpty() ? null : all.get(0);
  }

  private static List<Element> children(Element parent, String name) {
    List<Element> out = new ArrayList<>();
    if (parent == null) {
      return out;
    }
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && (name == null || e.getTagName().equals(name))) {
        out.add(e);
      }
    }
    return out;
  }

  private static String text(Element element) {
    return element == null ? "" : element.getTextContent().trim();
  }
}
